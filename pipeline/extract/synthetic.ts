// AUTO-GENERATED from notebooks/01b_extract_synthetic.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/01b_extract_synthetic.ipynb#module
/**
 * A deterministic synthetic source of one-minute bars for US stocks, with a
 * controlled rate of realistic defects, for demos, tests and benchmarks.
 *
 * Every bar is a pure function of `(seed, symbol, minute)`: two runs whose
 * windows overlap emit identical records for the shared minutes. Prices follow
 * a mean-reverting daily walk per symbol (from a fixed origin date), and each
 * session is a Brownian bridge from that day's anchor to the next day's, with
 * U-shaped intraday volume.
 *
 * @module
 */
import pl from "nodejs-polars";
import { BAR_FIELDS, type BarField, PRICE_FIELDS } from "@pipeline/bars.ts";
import type { Clock } from "@pipeline/clock.ts";
import { EtlError } from "@pipeline/errors.ts";
import { emptyRawFrame, RAW_COLUMNS } from "@pipeline/extract/_raw.ts";
import {
  dayNumber,
  formatOffset,
  NYSE_OPEN_MINUTE,
  NYSE_SESSION_MINUTES,
  nyseSessions,
  type Session,
  zoneOffsetMinutes,
} from "@pipeline/extract/calendar.ts";

// %% notebooks/01b_extract_synthetic.ipynb#default-symbols
/** Ten liquid US tickers, the default universe of {@link syntheticBars}. */
export const DEFAULT_SYMBOLS: readonly string[] = [
  "AAPL",
  "MSFT",
  "AMZN",
  "GOOGL",
  "META",
  "NVDA",
  "TSLA",
  "JPM",
  "XOM",
  "JNJ",
];

// %% notebooks/01b_extract_synthetic.ipynb#defect-kinds
/**
 * The kinds of defect {@link syntheticBars} injects, spread evenly:
 * `missing` (a null field), `wrongType` (text like `n/a` in a price), `nan`,
 * `infinity`, `nonPositive` price, `highBelow` (high < max(open, close)),
 * `lowAbove` (low > min(open, close)), `negativeVolume`, `badTimestamp`
 * (unparseable or without offset), `futureTimestamp` (days ahead),
 * `exactDuplicate` (the bar emitted twice) and `conflictingDuplicate` (same
 * symbol and ts, different close).
 */
export const DEFECT_KINDS = [
  "missing",
  "wrongType",
  "nan",
  "infinity",
  "nonPositive",
  "highBelow",
  "lowAbove",
  "negativeVolume",
  "badTimestamp",
  "futureTimestamp",
  "exactDuplicate",
  "conflictingDuplicate",
] as const;
/** One of {@link DEFECT_KINDS}. */
export type DefectKind = typeof DEFECT_KINDS[number];

// %% notebooks/01b_extract_synthetic.ipynb#synthetic-options
/** Options of {@link syntheticBars}. */
export interface SyntheticOptions {
  /** "Now": the last sessions up to this instant, only minutes `<= now`. */
  clock: Clock;
  /** Tickers to generate. Default {@link DEFAULT_SYMBOLS}. */
  symbols?: readonly string[] | undefined;
  /** How many completed-or-current NYSE sessions. Default 5. */
  sessions?: number | undefined;
  /** Seed of every random draw. Default 42. */
  seed?: number | undefined;
  /** Fraction of bars that get one defect, 0–1. Default 0.005. */
  defectRate?: number | undefined;
  /**
   * Only minutes at or after this instant (an incremental window's start);
   * sessions that close before it are not generated. Every bar is a pure
   * function of seed, symbol and minute, so the bars kept are exactly those
   * of a run without `start`. Default: no lower bound.
   */
  start?: Date | undefined;
}

// %% notebooks/01b_extract_synthetic.ipynb#origin-day
/** The first day of the daily price walk (a Monday). */
const ORIGIN_DAY = dayNumber({ year: 2000, month: 1, day: 3 });
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

// %% notebooks/01b_extract_synthetic.ipynb#hash-string
/** A 32-bit hash of a string (FNV-1a with a murmur3 finaliser). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

// %% notebooks/01b_extract_synthetic.ipynb#rng
/** A seeded random source: uniforms in [0, 1) and standard normals. */
export interface Rng {
  /** A uniform draw in [0, 1). */
  uniform(): number;
  /** A standard normal draw (Box–Muller, two per two uniforms). */
  normal(): number;
}

// %% notebooks/01b_extract_synthetic.ipynb#rng-for
/** A mulberry32 {@link Rng} seeded from the hash of `key`. */
export function rngFor(key: string): Rng {
  let state = hashString(key);
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let spare = Number.NaN;
  const normal = (): number => {
    if (!Number.isNaN(spare)) {
      const z = spare;
      spare = Number.NaN;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(1 - uniform()));
    const theta = 2 * Math.PI * uniform();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
  return { uniform, normal };
}

// %% notebooks/01b_extract_synthetic.ipynb#symbol-profile
/** The traits of one symbol's price process, derived from its hash. */
interface SymbolProfile {
  /** Long-run mean price. */
  basePrice: number;
  /** Daily log-return volatility (0.01–0.035). */
  dailyVol: number;
  /** Average shares per minute. */
  baseVolume: number;
}

// %% notebooks/01b_extract_synthetic.ipynb#symbol-profile-2
/** The {@link SymbolProfile} of `symbol` under `seed`. */
function symbolProfile(seed: number, symbol: string): SymbolProfile {
  const rng = rngFor(`${seed}:${symbol}:profile`);
  const logUniform = (lo: number, hi: number) =>
    Math.exp(Math.log(lo) + rng.uniform() * (Math.log(hi) - Math.log(lo)));
  return {
    basePrice: logUniform(20, 800),
    dailyVol: 0.01 + rng.uniform() * 0.025,
    baseVolume: logUniform(5_000, 150_000),
  };
}

// %% notebooks/01b_extract_synthetic.ipynb#daily-anchors
/**
 * Log price anchors of one symbol for every calendar day from the origin
 * (2000-01-03) through `lastDay`: a mean-reverting (Ornstein–Uhlenbeck) walk
 * around the log of the base price, so prices stay plausible over decades.
 */
function dailyAnchors(options: {
  seed: number;
  symbol: string;
  profile: SymbolProfile;
  lastDay: number;
}): Float64Array {
  const { seed, symbol, profile, lastDay } = options;
  const rng = rngFor(`${seed}:${symbol}:anchors`);
  const mean = Math.log(profile.basePrice);
  const sigma = profile.dailyVol * 0.85;
  const anchors = new Float64Array(lastDay - ORIGIN_DAY + 1);
  let x = mean + rng.normal() * 0.2;
  for (let k = 0; k < anchors.length; k++) {
    anchors[k] = x;
    x += 0.003 * (mean - x) + sigma * rng.normal();
  }
  return anchors;
}

// %% notebooks/01b_extract_synthetic.ipynb#session-path
/** One session's bars of one symbol, before rounding and defects. */
interface SessionPath {
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

// %% notebooks/01b_extract_synthetic.ipynb#session-path-2
/**
 * The 390 bars of a session: a Brownian bridge in log price from the day's
 * anchor to the next day's (plus an overnight gap), with wicks and U-shaped
 * volume. Prices are rounded to cents, volumes to whole shares, and every bar
 * satisfies low <= min(open, close) <= max(open, close) <= high.
 */
function sessionPath(options: {
  seed: number;
  symbol: string;
  profile: SymbolProfile;
  session: Session;
  anchors: Float64Array;
}): SessionPath {
  const { seed, symbol, profile, session, anchors } = options;
  const n = NYSE_SESSION_MINUTES;
  const rng = rngFor(`${seed}:${symbol}:${session.date}`);
  const start = anchors[session.day - ORIGIN_DAY] ?? 0;
  const next = anchors[session.day + 1 - ORIGIN_DAY] ?? start;
  const target = next + rng.normal() * 0.25 * profile.dailyVol;
  const sigma = profile.dailyVol / Math.sqrt(n);
  const walk = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) walk[i + 1] = walk[i]! + sigma * rng.normal();
  const drift = target - start - walk[n]!;
  const level = (i: number) => start + walk[i]! + (drift * i) / n;
  const cents = (x: number) => Math.round(x * 100) / 100;
  const path: SessionPath = {
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const open = Math.max(0.01, cents(Math.exp(level(i))));
    const close = Math.max(0.01, cents(Math.exp(level(i + 1))));
    const up = Math.abs(rng.normal()) * sigma * 0.6;
    const down = Math.abs(rng.normal()) * sigma * 0.6;
    const u = (i - (n - 1) / 2) / ((n - 1) / 2);
    const shape = 0.55 + 1.6 * u * u;
    path.open[i] = open;
    path.close[i] = close;
    path.high[i] = Math.max(
      cents(Math.max(open, close) * Math.exp(up)),
      open,
      close,
    );
    path.low[i] = Math.max(
      0.01,
      Math.min(cents(Math.min(open, close) * Math.exp(-down)), open, close),
    );
    path.volume[i] = Math.max(
      1,
      Math.round(profile.baseVolume * shape * Math.exp(0.35 * rng.normal())),
    );
  }
  return path;
}

// %% notebooks/01b_extract_synthetic.ipynb#minute-labels
/** `HH:MM` of every minute of a day. */
function minuteLabels(): string[] {
  return Array.from({ length: 1440 }, (_, m) => {
    const hh = String(Math.floor(m / 60)).padStart(2, "0");
    return `${hh}:${String(m % 60).padStart(2, "0")}`;
  });
}

// %% notebooks/01b_extract_synthetic.ipynb#exchange-iso
/** An instant as exchange-local ISO-8601 with offset (`…T09:30:00-05:00`). */
export function exchangeIso(instantMs: number): string {
  const offset = zoneOffsetMinutes(instantMs);
  const local = new Date(instantMs + offset * MINUTE_MS).toISOString();
  return `${local.slice(0, 19)}${formatOffset(offset)}`;
}

// %% notebooks/01b_extract_synthetic.ipynb#patch
/** A defect that replaces one field's text (null: the field is missing). */
interface Patch {
  row: number;
  field: BarField;
  text: string | null;
}

// %% notebooks/01b_extract_synthetic.ipynb#bar-columns
/** Growable column buffers of the frame being built. */
class BarColumns {
  length = 0;
  symbol: Int32Array;
  slot: Int32Array;
  copy: Uint8Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;

  /** Buffers for `capacity` bars (they double when full). */
  constructor(capacity: number) {
    const size = Math.max(16, capacity);
    this.symbol = new Int32Array(size);
    this.slot = new Int32Array(size);
    this.copy = new Uint8Array(size);
    this.open = new Float64Array(size);
    this.high = new Float64Array(size);
    this.low = new Float64Array(size);
    this.close = new Float64Array(size);
    this.volume = new Float64Array(size);
  }

  push(bar: {
    symbol: number;
    slot: number;
    copy: number;
    open: number;
    high: number;
    low: number;
    close: number;
    volume: number;
  }): number {
    if (this.length === this.open.length) this.grow();
    const i = this.length++;
    this.symbol[i] = bar.symbol;
    this.slot[i] = bar.slot;
    this.copy[i] = bar.copy;
    this.open[i] = bar.open;
    this.high[i] = bar.high;
    this.low[i] = bar.low;
    this.close[i] = bar.close;
    this.volume[i] = bar.volume;
    return i;
  }

  private grow(): void {
    const size = this.open.length * 2;
    const widen = <T extends Int32Array | Uint8Array | Float64Array>(
      a: T,
      make: (n: number) => T,
    ): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.symbol = widen(this.symbol, (n) => new Int32Array(n));
    this.slot = widen(this.slot, (n) => new Int32Array(n));
    this.copy = widen(this.copy, (n) => new Uint8Array(n));
    this.open = widen(this.open, (n) => new Float64Array(n));
    this.high = widen(this.high, (n) => new Float64Array(n));
    this.low = widen(this.low, (n) => new Float64Array(n));
    this.close = widen(this.close, (n) => new Float64Array(n));
    this.volume = widen(this.volume, (n) => new Float64Array(n));
  }
}

// %% notebooks/01b_extract_synthetic.ipynb#wrong-type-text
/** Text variants of the `wrongType` defect. */
const WRONG_TYPE_TEXT = ["n/a", "N/A", "abc", "1,234.50", "--"] as const;

// %% notebooks/01b_extract_synthetic.ipynb#inject-defect
/**
 * Applies the defect `kind` to bar `row` of `cols` (which holds the clean bar
 * of minute `minuteMs`), pushing a second copy for duplicates and recording
 * text patches otherwise. `aux` in [0, 1) picks the field and variant.
 */
function injectDefect(options: {
  kind: DefectKind;
  aux: number;
  row: number;
  minuteMs: number;
  cols: BarColumns;
  patches: Patch[];
}): void {
  const { kind, aux, row, minuteMs, cols, patches } = options;
  const open = cols.open[row]!;
  const high = cols.high[row]!;
  const low = cols.low[row]!;
  const close = cols.close[row]!;
  const volume = cols.volume[row]!;
  const price = PRICE_FIELDS[Math.floor(aux * PRICE_FIELDS.length)] ?? "close";
  const variant = (count: number) =>
    Math.floor(((aux * PRICE_FIELDS.length) % 1) * count);
  const value = { open, high, low, close }[price];
  const patch = (field: BarField, text: string | null) =>
    patches.push({ row, field, text });
  const copy = {
    symbol: cols.symbol[row]!,
    slot: cols.slot[row]!,
    copy: 1,
    open,
    high,
    low,
    close,
    volume,
  };
  switch (kind) {
    case "missing":
      return void patch(
        BAR_FIELDS[Math.floor(aux * BAR_FIELDS.length)] ?? "ts",
        null,
      );
    case "wrongType":
      return void patch(
        price,
        WRONG_TYPE_TEXT[variant(WRONG_TYPE_TEXT.length)] ?? "n/a",
      );
    case "nan":
      return void patch(price, "NaN");
    case "infinity":
      return void patch(price, variant(2) === 0 ? "Infinity" : "-Infinity");
    case "nonPositive":
      return void patch(price, variant(2) === 0 ? "0" : `-${value}`);
    case "highBelow":
      return void patch(
        "high",
        Math.max(
          0.01,
          Math.max(open, close) - 0.01 - Math.round(aux * 50) / 100,
        )
          .toFixed(2),
      );
    case "lowAbove":
      return void patch(
        "low",
        (Math.min(open, close) + 0.01 + Math.round(aux * 50) / 100).toFixed(2),
      );
    case "negativeVolume":
      return void patch("volume", `-${volume}`);
    case "badTimestamp": {
      const local = exchangeIso(minuteMs);
      const texts = [
        "not a timestamp",
        `${local.slice(0, 11)}25:61:00${local.slice(19)}`,
        local.slice(0, 19),
      ];
      return void patch("ts", texts[variant(texts.length)] ?? texts[0]!);
    }
    case "futureTimestamp":
      return void patch(
        "ts",
        exchangeIso(minuteMs + (3 + Math.floor(aux * 30)) * DAY_MS),
      );
    case "exactDuplicate":
      return void cols.push(copy);
    case "conflictingDuplicate": {
      const changed = close !== open ? open : Math.round(close * 100 + 1) / 100;
      return void cols.push({
        ...copy,
        close: changed,
        high: Math.max(high, changed),
        low: Math.min(low, changed),
      });
    }
  }
}

// %% notebooks/01b_extract_synthetic.ipynb#check-options
/** Checks the options of {@link syntheticBars}; throws an extract EtlError. */
function checkOptions(options: {
  symbols: readonly string[];
  sessions: number;
  seed: number;
  defectRate: number;
}): void {
  const { symbols, sessions, seed, defectRate } = options;
  const fail = (message: string) => {
    throw new EtlError(`synthetic source: ${message}`, {
      stage: "extract",
      partition: "synthetic",
    });
  };
  if (!Number.isInteger(sessions) || sessions < 0) {
    fail(`sessions must be a non-negative integer, got ${sessions}`);
  }
  if (!Number.isFinite(seed)) fail(`seed must be a finite number, got ${seed}`);
  if (!(defectRate >= 0 && defectRate <= 1)) {
    fail(`defectRate must be between 0 and 1, got ${defectRate}`);
  }
  const blank = symbols.find((s) => typeof s !== "string" || s.length === 0);
  if (blank !== undefined) {
    fail(`symbols must be non-empty strings, got ${JSON.stringify(blank)}`);
  }
}

// %% notebooks/01b_extract_synthetic.ipynb#synthetic-bars
/**
 * Synthetic one-minute bars of the last `sessions` NYSE sessions up to
 * `clock.now()` (only bars whose minute starts at or before now), as a RAW
 * frame (see `@pipeline/bars.ts`): `ts` is exchange-local ISO-8601 with
 * offset, `record` is `synthetic:SYMBOL:<UTC minute>` (`#2` for the second
 * copy of a duplicate). Rows are ordered by symbol (in `symbols` order), then
 * time. A fraction `defectRate` of bars carries one of {@link DEFECT_KINDS}.
 *
 * @example Five clean sessions of two symbols
 * ```ts
 * import { syntheticBars } from "@pipeline/extract/synthetic.ts";
 * import { fixedClock } from "@pipeline/clock.ts";
 * const raw = syntheticBars({
 *   clock: fixedClock("2026-11-20T22:00:00Z"),
 *   symbols: ["AAPL", "MSFT"],
 *   defectRate: 0,
 * });
 * raw.height; // 2 * 5 * 390
 * ```
 */
export function syntheticBars(options: SyntheticOptions): pl.DataFrame {
  const {
    clock,
    symbols: symbolList = DEFAULT_SYMBOLS,
    sessions: sessionCount = 5,
    seed = 42,
    defectRate = 0.005,
    start,
  } = options;
  checkOptions({
    symbols: symbolList,
    sessions: sessionCount,
    seed,
    defectRate,
  });
  const symbols = [...new Set(symbolList)];
  const nowMs = clock.now().getTime();
  const startMs = start?.getTime() ?? -Infinity;
  const sessions = nyseSessions({
    until: new Date(nowMs),
    count: sessionCount,
  }).filter((s) => s.openMs + NYSE_SESSION_MINUTES * MINUTE_MS > startMs);
  if (sessions.length === 0 || symbols.length === 0) return emptyRawFrame();
  const first = sessions[0]!;
  if (first.day < ORIGIN_DAY) {
    throw new EtlError(
      `synthetic source: data starts at 2000-01-03, asked for ${first.date}`,
      { stage: "extract", partition: "synthetic" },
    );
  }
  const lastDay = sessions[sessions.length - 1]!.day + 1;
  const bars = symbols.length * sessions.length * NYSE_SESSION_MINUTES;
  const cols = new BarColumns(Math.ceil(bars * (1 + defectRate / 6)) + 16);
  const patches: Patch[] = [];
  symbols.forEach((symbol, s) => {
    const profile = symbolProfile(seed, symbol);
    const anchors = dailyAnchors({ seed, symbol, profile, lastDay });
    sessions.forEach((session, k) => {
      const path = sessionPath({ seed, symbol, profile, session, anchors });
      const defects = rngFor(`${seed}:${symbol}:${session.date}:defects`);
      for (let i = 0; i < NYSE_SESSION_MINUTES; i++) {
        const hit = defects.uniform() < defectRate;
        const kindDraw = defects.uniform();
        const aux = defects.uniform();
        const minuteMs = session.openMs + i * MINUTE_MS;
        if (minuteMs > nowMs) break;
        if (minuteMs < startMs) continue;
        const row = cols.push({
          symbol: s,
          slot: k * NYSE_SESSION_MINUTES + i,
          copy: 0,
          open: path.open[i]!,
          high: path.high[i]!,
          low: path.low[i]!,
          close: path.close[i]!,
          volume: path.volume[i]!,
        });
        if (!hit) continue;
        const kind = DEFECT_KINDS[Math.floor(kindDraw * DEFECT_KINDS.length)] ??
          "missing";
        injectDefect({ kind, aux, row, minuteMs, cols, patches });
      }
    });
  });
  return assembleRawFrame({ symbols, sessions, cols, patches });
}

// %% notebooks/01b_extract_synthetic.ipynb#slot-labels
/**
 * The labels of every minute slot (`session index * 390 + minute`) of
 * `sessions`: `ts` (exchange-local ISO with offset) and `__utc` (the UTC
 * minute, `…T14:30:00Z`). Built in polars from the small session and minute
 * tables, since handing many JS strings to polars is slow.
 */
function slotLabels(sessions: Session[]): pl.DataFrame {
  const labels = minuteLabels();
  const minutes = Int32Array.from(labels, (_, m) => m);
  const localLabels = pl.DataFrame([
    pl.Series("__local", minutes),
    pl.Series("__local_label", labels, pl.Utf8),
  ]);
  const utcLabels = pl.DataFrame([
    pl.Series("__utc_minute", minutes),
    pl.Series("__utc_label", labels, pl.Utf8),
  ]);
  const table = pl.DataFrame([
    pl.Series("__k", Int32Array.from(sessions, (_, k) => k)),
    pl.Series("__date", sessions.map((s) => s.date), pl.Utf8),
    pl.Series("__offset", Int32Array.from(sessions, (s) => s.offsetMinutes)),
    pl.Series(
      "__suffix",
      sessions.map((s) => formatOffset(s.offsetMinutes)),
      pl.Utf8,
    ),
  ]);
  const session = pl.DataFrame([
    pl.Series(
      "__i",
      Int32Array.from({ length: NYSE_SESSION_MINUTES }, (_, i) => i),
    ),
  ]);
  return table
    .join(session, { how: "cross" })
    .withColumns(
      pl.col("__k").mul(NYSE_SESSION_MINUTES).add(pl.col("__i"))
        .cast(pl.Int32).alias("__slot"),
      pl.col("__i").add(NYSE_OPEN_MINUTE).cast(pl.Int32).alias("__local"),
      pl.col("__i").add(NYSE_OPEN_MINUTE).sub(pl.col("__offset"))
        .cast(pl.Int32).alias("__utc_minute"),
    )
    .join(localLabels, { on: "__local", how: "left" })
    .join(utcLabels, { on: "__utc_minute", how: "left" })
    .select(
      pl.col("__slot"),
      pl.concatString([
        pl.col("__date"),
        pl.lit("T"),
        pl.col("__local_label"),
        pl.lit(":00"),
        pl.col("__suffix"),
      ], "").alias("ts"),
      pl.concatString([
        pl.col("__date"),
        pl.lit("T"),
        pl.col("__utc_label"),
        pl.lit(":00Z"),
      ], "").alias("__utc"),
    );
}

// %% notebooks/01b_extract_synthetic.ipynb#assemble-raw-frame
/**
 * Turns the column buffers into the RAW frame: symbol and time labels joined
 * from small lookup tables, numbers cast to text in polars, then the text
 * patches applied.
 */
function assembleRawFrame(options: {
  symbols: string[];
  sessions: Session[];
  cols: BarColumns;
  patches: Patch[];
}): pl.DataFrame {
  const { symbols, sessions, cols, patches } = options;
  const n = cols.length;
  const slots = slotLabels(sessions);
  const names = pl.DataFrame([
    pl.Series("__sym", Int32Array.from(symbols, (_, i) => i)),
    pl.Series("symbol", symbols, pl.Utf8),
  ]);
  let frame = pl.DataFrame([
    pl.Series("__sym", cols.symbol.subarray(0, n)),
    pl.Series("__slot", cols.slot.subarray(0, n)),
    pl.Series("__copy", Int32Array.from(cols.copy.subarray(0, n))),
    pl.Series("open", cols.open.subarray(0, n)),
    pl.Series("high", cols.high.subarray(0, n)),
    pl.Series("low", cols.low.subarray(0, n)),
    pl.Series("close", cols.close.subarray(0, n)),
    pl.Series("volume", cols.volume.subarray(0, n)),
  ])
    .withColumns(pl.intRange(0, n, 1, pl.Int32, false).alias("__row"))
    .join(names, { on: "__sym", how: "left" })
    .join(slots, { on: "__slot", how: "left" })
    .sort("__row")
    .select(
      pl.col("__row"),
      pl.col("symbol"),
      pl.col("ts"),
      ...PRICE_FIELDS.map((f) => pl.col(f).cast(pl.Utf8)),
      pl.col("volume").cast(pl.Int64).cast(pl.Utf8),
      pl.concatString([
        pl.lit("synthetic:"),
        pl.col("symbol"),
        pl.lit(":"),
        pl.col("__utc"),
        pl.when(pl.col("__copy").eq(1)).then(pl.lit("#2")).otherwise(
          pl.lit(""),
        ),
      ], "").alias("record"),
    );
  if (patches.length > 0) {
    const fix = pl.DataFrame([
      pl.Series("__row", Int32Array.from(patches, (p) => p.row)),
      pl.Series("__field", patches.map((p) => p.field), pl.Utf8),
      pl.Series("__text", patches.map((p) => p.text), pl.Utf8),
    ]);
    frame = frame
      .join(fix, { on: "__row", how: "left" })
      .sort("__row")
      .select(
        ...BAR_FIELDS.map((f) =>
          pl.when(pl.col("__field").eq(pl.lit(f)))
            .then(pl.col("__text"))
            .otherwise(pl.col(f))
            .alias(f)
        ),
        pl.col("record"),
      );
  }
  return frame.select(...RAW_COLUMNS);
}
