/**
 * The trading-platform simulator: deterministic activity for a seed.
 *
 * Each UTC day is generated once, the first time a run reaches it, as a
 * list of timed actions drawn from `rngFor(seed:date)` and a seeded Faker:
 * reference changes before the session (new accounts, tier changes, a
 * renamed sector, a delisted stock deleted, a new listing), then orders
 * over the NYSE session, each with its life: filled (a trade at the
 * synthetic market's price of that minute, some booked hours late, a few
 * corrected later), cancelled, or left open. Actions up to the run's end
 * (`until`) are applied; later ones wait in `sim_pending` for the next run,
 * so a run with a later `--as-of` continues from the database's state.
 * @module
 */
import type { Connection } from "mysql2/promise";
import { en, Faker } from "@faker-js/faker";
import { hashString, type Rng, rngFor } from "@pipeline/extract/synthetic.ts";
import { syntheticBars } from "@pipeline/extract/synthetic.ts";
import { DEFAULT_SYMBOLS } from "@pipeline/extract/synthetic.ts";
import {
  NYSE_SESSION_MINUTES,
  nyseSessions,
} from "@pipeline/extract/calendar.ts";
import { fixedClock } from "@pipeline/clock.ts";

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** The synthetic source's default seed: platform prices follow its market. */
const MARKET_SEED = 42;

/** Account tiers, lowest first. */
export const TIERS = ["basic", "silver", "gold", "platinum"] as const;

/** Each sector and the name it is renamed to (and back). */
const SECTOR_RENAMES: Readonly<Record<string, string>> = {
  "Technology": "Information Technology",
  "Information Technology": "Technology",
  "Health Care": "Healthcare",
  "Healthcare": "Health Care",
  "Financials": "Financial Services",
  "Financial Services": "Financials",
  "Energy": "Oil & Gas",
  "Oil & Gas": "Energy",
  "Consumer Discretionary": "Consumer Cyclical",
  "Consumer Cyclical": "Consumer Discretionary",
  "Communication Services": "Telecommunications",
  "Telecommunications": "Communication Services",
  "Industrials": "Industrial Goods",
  "Industrial Goods": "Industrials",
};
const BASE_SECTORS = Object.keys(SECTOR_RENAMES).filter((_, i) => i % 2 === 0);
const DEFAULT_SECTORS: Readonly<Record<string, string>> = {
  AAPL: "Technology",
  MSFT: "Technology",
  AMZN: "Consumer Discretionary",
  GOOGL: "Communication Services",
  META: "Communication Services",
  NVDA: "Technology",
  TSLA: "Consumer Discretionary",
  JPM: "Financials",
  XOM: "Energy",
  JNJ: "Health Care",
};

/** A row of `accounts`. */
export interface AccountRow {
  id: number;
  name: string;
  email: string;
  tier: string;
  country: string;
}
/** A row of `stocks`. */
export interface StockRow {
  id: number;
  symbol: string;
  name: string;
  sector: string;
  exchange: string;
}
/** A row of `orders`. */
export interface OrderRow {
  id: number;
  account_id: number;
  stock_id: number;
  side: "buy" | "sell";
  quantity: number;
  limit_price: string;
  status: "open" | "filled" | "cancelled";
  created_at: string;
  updated_at: string;
}
/** A row of `trades`. */
export interface TradeRow {
  id: number;
  order_id: number;
  account_id: number;
  stock_id: number;
  side: "buy" | "sell";
  quantity: number;
  price: string;
  executed_at: string;
  created_at: string;
  updated_at: string;
}

/** One timed change of the platform. */
export type Action =
  | { t: "account_new"; row: AccountRow }
  | { t: "account_tier"; id: number; tier: string }
  | { t: "sector_rename"; from: string; to: string }
  | { t: "stock_new"; row: StockRow }
  | { t: "stock_delist"; id: number }
  | { t: "order"; row: OrderRow }
  | { t: "order_status"; id: number; status: string; updated_at: string }
  | { t: "trade"; row: TradeRow }
  | { t: "trade_fix"; id: number; price: string; updated_at: string };

/** An action with its instant (epoch ms) and sequence number. */
export interface Timed {
  at: number;
  seq: number;
  action: Action;
}

/** The simulator's counters, kept in `sim_state`. */
interface State {
  seed: number;
  /** Last UTC date generated, `YYYY-MM-DD`, or "" before the first run. */
  generatedThrough: string;
  /** The instant the database reflects (the last run's `until`). */
  clock: number;
  nextAccount: number;
  nextStock: number;
  nextOrder: number;
  nextTrade: number;
  nextSeq: number;
}

/** The generator's view of the reference data. */
interface Model {
  accounts: Map<number, string>;
  stocks: StockRow[];
}

/** `YYYY-MM-DD HH:MM:SS.mmm` (UTC) for DATETIME(3). */
export function sqlTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23).replace("T", " ");
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng.uniform() * items.length)]!;
}

function int(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng.uniform() * (hi - lo + 1));
}

function fakerFor(key: string): Faker {
  const faker = new Faker({ locale: [en] });
  faker.seed(hashString(key));
  return faker;
}

/** One close per minute of a day's NYSE session, per symbol. */
class Market {
  #days = new Map<string, { openMs: number; closes: Map<string, number[]> }>();

  /** The session of UTC date `date`, or null on a day without one. */
  session(date: string): { openMs: number } | null {
    const end = Date.parse(`${date}T23:59:59Z`);
    const [s] = nyseSessions({ until: new Date(end), count: 1 });
    if (!s || new Date(s.openMs).toISOString().slice(0, 10) !== date) {
      return null;
    }
    return { openMs: s.openMs };
  }

  /** The market close of `symbol` at the minute of `atMs` (in the session of `date`). */
  price(
    date: string,
    symbols: readonly string[],
    symbol: string,
    atMs: number,
  ) {
    let day = this.#days.get(date);
    if (!day || !day.closes.has(symbol)) {
      const session = this.session(date);
      if (!session) throw new Error(`platform: no session on ${date}`);
      const all = [...new Set([...symbols, symbol])];
      const raw = syntheticBars({
        clock: fixedClock(
          new Date(session.openMs + NYSE_SESSION_MINUTES * MINUTE_MS),
        ),
        symbols: all,
        sessions: 1,
        seed: MARKET_SEED,
        defectRate: 0,
      });
      const closes = new Map<string, number[]>();
      const sym = raw.getColumn("symbol").toArray() as string[];
      const ts = raw.getColumn("ts").toArray() as string[];
      const close = raw.getColumn("close").toArray() as string[];
      for (let i = 0; i < sym.length; i++) {
        const m = Math.round((Date.parse(ts[i]!) - session.openMs) / MINUTE_MS);
        let list = closes.get(sym[i]!);
        if (!list) closes.set(sym[i]!, list = []);
        list[m] = Number(close[i]);
      }
      day = { openMs: session.openMs, closes };
      this.#days.set(date, day);
    }
    const list = day.closes.get(symbol)!;
    const m = Math.max(
      0,
      Math.min(list.length - 1, Math.floor((atMs - day.openMs) / MINUTE_MS)),
    );
    return list[m]!;
  }
}

/** Options of {@link generate}. */
export interface GenerateOptions {
  seed: number;
  /** The run's end (`--as-of`): actions after it wait for the next run. */
  until: Date;
  /** Days of activity ending at `until`'s UTC date. */
  days: number;
  /** Orders placed per trading day. Default 400. */
  ordersPerDay?: number;
  /** Initial accounts of a new platform. Default 60. */
  initialAccounts?: number;
  log?: (line: string) => void;
}

/** What {@link generate} or a tick did. */
export interface GenerateReport {
  days: string[];
  applied: number;
  pending: number;
  counts: Record<string, number>;
}

async function readState(conn: Connection, seed: number): Promise<State> {
  const [rows] = await conn.query("SELECT name, value FROM sim_state");
  const m = new Map(
    (rows as { name: string; value: string }[]).map((r) => [r.name, r.value]),
  );
  const num = (k: string, d: number) => m.has(k) ? Number(m.get(k)) : d;
  return {
    seed: num("seed", seed),
    generatedThrough: m.get("generated_through") ?? "",
    clock: num("clock", 0),
    nextAccount: num("next_account", 1),
    nextStock: num("next_stock", 1),
    nextOrder: num("next_order", 1),
    nextTrade: num("next_trade", 1),
    nextSeq: num("next_seq", 1),
  };
}

async function writeState(conn: Connection, s: State): Promise<void> {
  const values: [string, string][] = [
    ["seed", String(s.seed)],
    ["generated_through", s.generatedThrough],
    ["clock", String(s.clock)],
    ["next_account", String(s.nextAccount)],
    ["next_stock", String(s.nextStock)],
    ["next_order", String(s.nextOrder)],
    ["next_trade", String(s.nextTrade)],
    ["next_seq", String(s.nextSeq)],
  ];
  await conn.query(
    "INSERT INTO sim_state (name, value) VALUES ? ON DUPLICATE KEY UPDATE value = VALUES(value)",
    [values],
  );
}

async function readModel(conn: Connection): Promise<Model> {
  const [accounts] = await conn.query("SELECT id, tier FROM accounts");
  const [stocks] = await conn.query(
    "SELECT id, symbol, name, sector, exchange FROM stocks ORDER BY id",
  );
  return {
    accounts: new Map(
      (accounts as { id: number; tier: string }[]).map((
        a,
      ) => [Number(a.id), a.tier]),
    ),
    stocks: (stocks as StockRow[]).map((s) => ({ ...s, id: Number(s.id) })),
  };
}

function newAccount(faker: Faker, rng: Rng, id: number): AccountRow {
  const first = faker.person.firstName(), last = faker.person.lastName();
  return {
    id,
    name: `${first} ${last}`,
    email: faker.internet.email({ firstName: first, lastName: last })
      .toLowerCase(),
    tier: rng.uniform() < 0.7 ? "basic" : pick(rng, TIERS),
    country: pick(rng, ["US", "US", "US", "GB", "DE", "FR", "CA", "JP", "BR"]),
  };
}

function newSymbol(faker: Faker, taken: ReadonlySet<string>): string {
  for (;;) {
    const s = faker.string.alpha({
      length: { min: 3, max: 4 },
      casing: "upper",
    });
    if (!taken.has(s)) return s;
  }
}

/** The actions of UTC day `date`, ids and sequence numbers from `state`. */
function generateDay(
  date: string,
  state: State,
  model: Model,
  market: Market,
  ordersPerDay: number,
): Timed[] {
  const rng = rngFor(`${state.seed}:platform:${date}`);
  const faker = fakerFor(`${state.seed}:platform:faker:${date}`);
  const dayMs = Date.parse(`${date}T00:00:00Z`);
  const out: Timed[] = [];
  const push = (at: number, action: Action) =>
    out.push({ at, seq: state.nextSeq++, action });
  // Reference changes, between 00:00 and 13:00 UTC, in time order.
  const refTimes: number[] = [];
  const nAccounts = int(rng, 2, 7), nTiers = int(rng, 1, 4);
  const rename = rng.uniform() < 0.35, delist = rng.uniform() < 0.35;
  const list = rng.uniform() < 0.4;
  const n = nAccounts + nTiers + (rename ? 1 : 0) + (delist ? 1 : 0) +
    (list ? 1 : 0);
  for (let i = 0; i < n; i++) {
    refTimes.push(dayMs + Math.floor(rng.uniform() * 13 * 3600_000));
  }
  refTimes.sort((a, b) => a - b);
  let k = 0;
  for (let i = 0; i < nAccounts; i++) {
    const row = newAccount(faker, rng, state.nextAccount++);
    model.accounts.set(row.id, row.tier);
    push(refTimes[k++]!, { t: "account_new", row });
  }
  const ids = [...model.accounts.keys()].sort((a, b) => a - b);
  for (let i = 0; i < nTiers; i++) {
    const id = pick(rng, ids);
    const at = TIERS.indexOf(model.accounts.get(id) as typeof TIERS[number]);
    const up = at <= 0 || (at < TIERS.length - 1 && rng.uniform() < 0.7);
    const tier = TIERS[up ? at + 1 : at - 1]!;
    model.accounts.set(id, tier);
    push(refTimes[k++]!, { t: "account_tier", id, tier });
  }
  if (rename) {
    const sectors = [...new Set(model.stocks.map((s) => s.sector))].sort();
    const from = pick(rng, sectors);
    const to = SECTOR_RENAMES[from] ?? `${from} & Co`;
    for (const s of model.stocks) if (s.sector === from) s.sector = to;
    push(refTimes[k++]!, { t: "sector_rename", from, to });
  }
  if (delist) {
    if (model.stocks.length > 12) {
      const gone = pick(rng, model.stocks);
      model.stocks = model.stocks.filter((s) => s.id !== gone.id);
      push(refTimes[k]!, { t: "stock_delist", id: gone.id });
    }
    k++;
  }
  if (list) {
    const taken = new Set(model.stocks.map((s) => s.symbol));
    const row: StockRow = {
      id: state.nextStock++,
      symbol: newSymbol(faker, taken),
      name: faker.company.name(),
      sector: pick(rng, BASE_SECTORS),
      exchange: pick(rng, ["NYSE", "NASDAQ"]),
    };
    model.stocks.push(row);
    push(refTimes[k++]!, { t: "stock_new", row });
  }
  // Orders over the session.
  const session = market.session(date);
  if (!session || model.stocks.length === 0 || ids.length === 0) return out;
  const symbols = model.stocks.map((s) => s.symbol);
  const accountIds = [...model.accounts.keys()].sort((a, b) => a - b);
  const sessionMs = NYSE_SESSION_MINUTES * MINUTE_MS;
  for (let i = 0; i < ordersPerDay; i++) {
    const at = session.openMs + Math.floor(rng.uniform() * sessionMs);
    const stock = pick(rng, model.stocks);
    const side = rng.uniform() < 0.5 ? "buy" : "sell";
    const quantity = 1 + Math.floor(rng.uniform() ** 2 * 500);
    const price = market.price(date, symbols, stock.symbol, at);
    const limit = price *
      (1 + (side === "buy" ? 1 : -1) * rng.uniform() * 0.005);
    const order: OrderRow = {
      id: state.nextOrder++,
      account_id: pick(rng, accountIds),
      stock_id: stock.id,
      side,
      quantity,
      limit_price: limit.toFixed(4),
      status: "open",
      created_at: sqlTime(at),
      updated_at: sqlTime(at),
    };
    push(at, { t: "order", row: order });
    const fate = rng.uniform();
    if (fate < 0.72) {
      const filledAt = at + int(rng, 1_000, 90_000);
      push(filledAt, {
        t: "order_status",
        id: order.id,
        status: "filled",
        updated_at: sqlTime(filledAt),
      });
      const late = rng.uniform() < 0.03;
      const bookedAt = filledAt +
        (late ? int(rng, 3600_000, 8 * 3600_000) : int(rng, 0, 2_000));
      const px = market.price(date, symbols, stock.symbol, filledAt) *
        (1 + 0.0003 * rng.normal());
      const trade: TradeRow = {
        id: state.nextTrade++,
        order_id: order.id,
        account_id: order.account_id,
        stock_id: order.stock_id,
        side,
        quantity,
        price: px.toFixed(4),
        executed_at: sqlTime(filledAt),
        created_at: sqlTime(bookedAt),
        updated_at: sqlTime(bookedAt),
      };
      push(bookedAt, { t: "trade", row: trade });
      if (rng.uniform() < 0.02) {
        const fixedAt = bookedAt + int(rng, 600_000, 7_200_000);
        push(fixedAt, {
          t: "trade_fix",
          id: trade.id,
          price: (px * (1 + 0.001 * rng.normal())).toFixed(4),
          updated_at: sqlTime(fixedAt),
        });
      }
    } else if (fate < 0.9) {
      const cancelledAt = at + int(rng, 60_000, 7_200_000);
      push(cancelledAt, {
        t: "order_status",
        id: order.id,
        status: "cancelled",
        updated_at: sqlTime(cancelledAt),
      });
    }
  }
  return out;
}

/** The initial universe of a new platform. */
function initialActions(
  state: State,
  model: Model,
  at: number,
  accounts: number,
): Timed[] {
  const rng = rngFor(`${state.seed}:platform:initial`);
  const faker = fakerFor(`${state.seed}:platform:faker:initial`);
  const out: Timed[] = [];
  const push = (action: Action) =>
    out.push({ at, seq: state.nextSeq++, action });
  const taken = new Set<string>(DEFAULT_SYMBOLS);
  const symbols = [...DEFAULT_SYMBOLS];
  for (let i = 0; i < 10; i++) {
    const s = newSymbol(faker, taken);
    taken.add(s);
    symbols.push(s);
  }
  for (const symbol of symbols) {
    const row: StockRow = {
      id: state.nextStock++,
      symbol,
      name: DEFAULT_SECTORS[symbol] ? `${symbol} Inc.` : faker.company.name(),
      sector: DEFAULT_SECTORS[symbol] ?? pick(rng, BASE_SECTORS),
      exchange: pick(rng, ["NYSE", "NASDAQ"]),
    };
    model.stocks.push(row);
    push({ t: "stock_new", row });
  }
  for (let i = 0; i < accounts; i++) {
    const row = newAccount(faker, rng, state.nextAccount++);
    model.accounts.set(row.id, row.tier);
    push({ t: "account_new", row });
  }
  return out;
}

const INSERT_CHUNK = 5_000;

async function insertRows(
  conn: Connection,
  table: string,
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const chunk = rows.slice(i, i + INSERT_CHUNK);
    await conn.query(
      `INSERT INTO ${table} (${columns.join(", ")}) VALUES ?`,
      [chunk.map((r) => columns.map((c) => r[c]))],
    );
  }
}

/**
 * Applies `actions` (sorted) to the database in `conn`'s transaction:
 * reference changes one statement each, orders and trades in bulk, a
 * status change or correction of a row inserted in the same batch folded
 * into its insert.
 */
async function applyActions(
  conn: Connection,
  actions: readonly Timed[],
  counts: Record<string, number>,
): Promise<void> {
  const orders = new Map<number, OrderRow>();
  const trades = new Map<number, TradeRow>();
  for (const { action: a } of actions) {
    counts[a.t] = (counts[a.t] ?? 0) + 1;
    switch (a.t) {
      case "account_new":
        await insertRows(conn, "accounts", [{ ...a.row }]);
        break;
      case "account_tier":
        await conn.query("UPDATE accounts SET tier = ? WHERE id = ?", [
          a.tier,
          a.id,
        ]);
        break;
      case "sector_rename":
        await conn.query("UPDATE stocks SET sector = ? WHERE sector = ?", [
          a.to,
          a.from,
        ]);
        break;
      case "stock_new":
        await insertRows(conn, "stocks", [{ ...a.row }]);
        break;
      case "stock_delist":
        await conn.query("DELETE FROM stocks WHERE id = ?", [a.id]);
        break;
      case "order":
        orders.set(a.row.id, { ...a.row });
        break;
      case "order_status": {
        const row = orders.get(a.id);
        if (row) {
          row.status = a.status as OrderRow["status"];
          row.updated_at = a.updated_at;
        } else {
          await conn.query(
            "UPDATE orders SET status = ?, updated_at = ? WHERE id = ?",
            [a.status, a.updated_at, a.id],
          );
        }
        break;
      }
      case "trade":
        trades.set(a.row.id, { ...a.row });
        break;
      case "trade_fix": {
        const row = trades.get(a.id);
        if (row) {
          row.price = a.price;
          row.updated_at = a.updated_at;
        } else {
          await conn.query(
            "UPDATE trades SET price = ?, updated_at = ? WHERE id = ?",
            [a.price, a.updated_at, a.id],
          );
        }
        break;
      }
    }
  }
  await insertRows(conn, "orders", [...orders.values()] as never[]);
  await insertRows(conn, "trades", [...trades.values()] as never[]);
}

function byTime(a: Timed, b: Timed): number {
  return a.at - b.at || a.seq - b.seq;
}

/**
 * Applies due pending actions and `fresh` ones up to `untilMs`, stores the
 * rest as pending, and saves the state, in one transaction.
 */
async function settle(
  conn: Connection,
  state: State,
  fresh: Timed[],
  untilMs: number,
): Promise<GenerateReport> {
  const [rows] = await conn.query(
    "SELECT seq, at, action FROM sim_pending WHERE at <= ? ORDER BY at, seq",
    [sqlTime(untilMs)],
  );
  const due = (rows as { seq: number; at: string; action: string }[]).map((
    r,
  ) => ({
    seq: Number(r.seq),
    at: Date.parse(`${String(r.at).replace(" ", "T")}Z`),
    action: JSON.parse(r.action) as Action,
  }));
  const now = fresh.filter((a) => a.at <= untilMs);
  const later = fresh.filter((a) => a.at > untilMs);
  const all = [...due, ...now].sort(byTime);
  const counts: Record<string, number> = {};
  await applyActions(conn, all, counts);
  if (due.length > 0) {
    await conn.query("DELETE FROM sim_pending WHERE at <= ?", [
      sqlTime(untilMs),
    ]);
  }
  for (let i = 0; i < later.length; i += INSERT_CHUNK) {
    await conn.query("INSERT INTO sim_pending (seq, at, action) VALUES ?", [
      later.slice(i, i + INSERT_CHUNK).map((a) => [
        a.seq,
        sqlTime(a.at),
        JSON.stringify(a.action),
      ]),
    ]);
  }
  state.clock = Math.max(state.clock, untilMs);
  await writeState(conn, state);
  const [[pending]] = await conn.query(
    "SELECT count(*) AS n FROM sim_pending",
  ) as unknown as [[{ n: number }]];
  return {
    days: [],
    applied: all.length,
    pending: Number(pending?.n ?? 0),
    counts,
  };
}

/**
 * Generates the days not generated yet among the `days` UTC dates ending at
 * `until`'s, applies what is due by `until`, in one transaction.
 */
export async function generate(
  conn: Connection,
  options: GenerateOptions,
): Promise<GenerateReport> {
  const { until, days, ordersPerDay = 400, initialAccounts = 60 } = options;
  const untilMs = until.getTime();
  await conn.query("START TRANSACTION");
  try {
    const state = await readState(conn, options.seed);
    if (state.seed !== options.seed && state.generatedThrough !== "") {
      options.log?.(
        `platform: the database was generated with seed ${state.seed}; continuing with it`,
      );
    }
    if (untilMs < state.clock) {
      throw new Error(
        `platform: the database is already at ${
          new Date(state.clock).toISOString()
        }; --as-of ${until.toISOString()} would go back in time`,
      );
    }
    const model = await readModel(conn);
    const market = new Market();
    const fresh: Timed[] = [];
    const firstDay = Math.floor(untilMs / DAY_MS) - (days - 1);
    const generated: string[] = [];
    if (state.generatedThrough === "") {
      fresh.push(
        ...initialActions(state, model, firstDay * DAY_MS, initialAccounts),
      );
    }
    for (let d = firstDay; d <= Math.floor(untilMs / DAY_MS); d++) {
      const date = new Date(d * DAY_MS).toISOString().slice(0, 10);
      if (date <= state.generatedThrough) continue;
      fresh.push(...generateDay(date, state, model, market, ordersPerDay));
      state.generatedThrough = date;
      generated.push(date);
    }
    const report = await settle(conn, state, fresh, untilMs);
    await conn.query("COMMIT");
    return { ...report, days: generated };
  } catch (err) {
    await conn.query("ROLLBACK").catch(() => {});
    throw err;
  }
}

/** Options of {@link tick}. */
export interface TickOptions {
  seed: number;
  /** The tick's end (now). */
  until: Date;
  /** The tick's start (the previous tick's end). */
  since: Date;
  /** Orders per second. */
  rate: number;
}

/**
 * One tick of live activity: orders placed in `(since, until]` at `rate`
 * per second with their lives, now and then a new account or a tier change,
 * and every pending action that fell due.
 */
export async function tick(
  conn: Connection,
  options: TickOptions,
): Promise<GenerateReport> {
  const { until, since, rate } = options;
  await conn.query("START TRANSACTION");
  try {
    const state = await readState(conn, options.seed);
    const model = await readModel(conn);
    const rng = rngFor(`${state.seed}:tick:${until.getTime()}`);
    const faker = fakerFor(`${state.seed}:tick:faker:${until.getTime()}`);
    const fresh: Timed[] = [];
    const spanMs = Math.max(1, until.getTime() - since.getTime());
    const push = (at: number, action: Action) =>
      fresh.push({ at, seq: state.nextSeq++, action });
    if (rng.uniform() < 0.05 * spanMs / 1000) {
      const row = newAccount(faker, rng, state.nextAccount++);
      push(until.getTime(), { t: "account_new", row });
    }
    const ids = [...model.accounts.keys()];
    if (ids.length > 0 && rng.uniform() < 0.05 * spanMs / 1000) {
      const id = pick(rng, ids);
      const i = TIERS.indexOf(model.accounts.get(id) as typeof TIERS[number]);
      push(until.getTime(), {
        t: "account_tier",
        id,
        tier: TIERS[Math.min(TIERS.length - 1, i + 1)]!,
      });
    }
    const n = Math.round(rate * spanMs / 1000);
    const date = until.toISOString().slice(0, 10);
    const market = new Market();
    const hasSession = market.session(date) !== null;
    const symbols = model.stocks.map((s) => s.symbol);
    for (let i = 0; i < n && ids.length > 0 && symbols.length > 0; i++) {
      const at = since.getTime() + Math.ceil(rng.uniform() * spanMs);
      const stock = pick(rng, model.stocks);
      const base = hasSession
        ? market.price(date, symbols, stock.symbol, at)
        : 100 + (hashString(stock.symbol) % 400);
      const side = rng.uniform() < 0.5 ? "buy" : "sell";
      const quantity = 1 + Math.floor(rng.uniform() ** 2 * 500);
      const order: OrderRow = {
        id: state.nextOrder++,
        account_id: pick(rng, ids),
        stock_id: stock.id,
        side,
        quantity,
        limit_price: base.toFixed(4),
        status: "open",
        created_at: sqlTime(at),
        updated_at: sqlTime(at),
      };
      push(at, { t: "order", row: order });
      if (rng.uniform() < 0.72) {
        const filledAt = at + int(rng, 200, 5_000);
        push(filledAt, {
          t: "order_status",
          id: order.id,
          status: "filled",
          updated_at: sqlTime(filledAt),
        });
        push(filledAt, {
          t: "trade",
          row: {
            id: state.nextTrade++,
            order_id: order.id,
            account_id: order.account_id,
            stock_id: order.stock_id,
            side,
            quantity,
            price: (base * (1 + 0.0003 * rng.normal())).toFixed(4),
            executed_at: sqlTime(filledAt),
            created_at: sqlTime(filledAt),
            updated_at: sqlTime(filledAt),
          },
        });
      }
    }
    const report = await settle(conn, state, fresh, until.getTime());
    await conn.query("COMMIT");
    return report;
  } catch (err) {
    await conn.query("ROLLBACK").catch(() => {});
    throw err;
  }
}
