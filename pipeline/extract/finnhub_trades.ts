/**
 * Finnhub's WebSocket trade feed as a bar source: subscribes to the symbols,
 * collects trades for a while and rolls them up into one-minute bars (the
 * raw bar frame: open the first price of the minute, high and low its
 * extremes, close the last, volume the sum). Only minutes that ended before
 * the feed was closed become bars, so a bar is never published half-made.
 *
 * The feed's address is `wss://ws.finnhub.io` unless `FINNHUB_WS_URL` says
 * otherwise (tests point it at a local fixture); the token is the API key.
 * @module
 */
import pl from "nodejs-polars";
import type { Source } from "@pipeline/extract/source.ts";
import { EtlError } from "@pipeline/errors.ts";
import { RAW_COLUMNS } from "@pipeline/extract/_raw.ts";

/** The feed unless `FINNHUB_WS_URL` overrides it. */
export const FINNHUB_DEFAULT_WS_URL = "wss://ws.finnhub.io";

/** One trade of the feed: price, symbol, time (epoch ms), volume. */
export interface Trade {
  p: number;
  s: string;
  t: number;
  v: number;
}

const MINUTE_MS = 60_000;

/**
 * One-minute bars of `trades` (in arrival order within a minute) whose
 * minute ended at or before `until` (epoch ms), as a raw bar frame sorted
 * by symbol and minute; `record` is `finnhub-ws:<symbol>:<minute>`.
 */
export function rollupTrades(
  trades: readonly Trade[],
  until: number,
): pl.DataFrame {
  const bars = new Map<
    string,
    {
      s: string;
      m: number;
      o: number;
      h: number;
      l: number;
      c: number;
      v: number;
    }
  >();
  for (const tr of trades) {
    if (
      !Number.isFinite(tr.p) || !Number.isFinite(tr.t) ||
      !Number.isFinite(tr.v) || typeof tr.s !== "string"
    ) continue;
    const m = Math.floor(tr.t / MINUTE_MS) * MINUTE_MS;
    if (m + MINUTE_MS > until) continue;
    const key = `${tr.s}\u0000${m}`;
    const bar = bars.get(key);
    if (!bar) {
      bars.set(key, {
        s: tr.s,
        m,
        o: tr.p,
        h: tr.p,
        l: tr.p,
        c: tr.p,
        v: tr.v,
      });
    } else {
      bar.h = Math.max(bar.h, tr.p);
      bar.l = Math.min(bar.l, tr.p);
      bar.c = tr.p;
      bar.v += tr.v;
    }
  }
  const rows = [...bars.values()].sort((a, b) =>
    a.s < b.s ? -1 : a.s > b.s ? 1 : a.m - b.m
  );
  const iso = (m: number) => new Date(m).toISOString().replace(".000Z", "Z");
  const columns: Record<(typeof RAW_COLUMNS)[number], string[]> = {
    symbol: rows.map((r) => r.s),
    ts: rows.map((r) => iso(r.m)),
    open: rows.map((r) => String(r.o)),
    high: rows.map((r) => String(r.h)),
    low: rows.map((r) => String(r.l)),
    close: rows.map((r) => String(r.c)),
    volume: rows.map((r) => String(r.v)),
    record: rows.map((r) => `finnhub-ws:${r.s}:${iso(r.m)}`),
  };
  return pl.DataFrame(
    RAW_COLUMNS.map((name) => pl.Series(name, columns[name], pl.Utf8)),
  );
}

/** Options of {@link finnhubTradeSource}. */
export interface FinnhubTradeOptions {
  /** The feed's address (without the token). */
  url: string;
  /** The API key, sent as `?token=`. */
  token: string;
  symbols: readonly string[];
  /** How long to listen, ms. */
  durationMs: number;
  /** Epoch ms now. Default `Date.now`. */
  now?: () => number;
}

/**
 * A source of one partition that listens to the feed for `durationMs` (or
 * until the signal) and delivers the bars of the minutes that ended. A
 * feed that cannot be opened, or that closes with an error, fails the
 * partition (transient).
 */
export function finnhubTradeSource(options: FinnhubTradeOptions): Source {
  const { url, token, symbols, durationMs, now = Date.now } = options;
  return {
    name: "finnhub",
    dataset: "bars",
    partitions: () => [{
      name: "finnhub-ws",
      extract: (signal) =>
        new Promise<pl.DataFrame>((resolve, reject) => {
          const trades: Trade[] = [];
          const address = new URL(url);
          address.searchParams.set("token", token);
          const ws = new WebSocket(address.toString());
          let opened = false;
          const finish = () => {
            clearTimeout(timer);
            signal?.removeEventListener("abort", finish);
            if (ws.readyState <= WebSocket.OPEN) ws.close();
          };
          const timer = setTimeout(finish, durationMs);
          signal?.addEventListener("abort", finish, { once: true });
          ws.onopen = () => {
            opened = true;
            for (const symbol of symbols) {
              ws.send(JSON.stringify({ type: "subscribe", symbol }));
            }
          };
          ws.onmessage = (e) => {
            try {
              const msg = JSON.parse(String(e.data));
              if (msg?.type === "trade" && Array.isArray(msg.data)) {
                trades.push(...msg.data);
              }
            } catch { /* not JSON: not a trade */ }
          };
          ws.onerror = () => {};
          ws.onclose = () => {
            clearTimeout(timer);
            if (!opened) {
              reject(
                new EtlError(`cannot open the Finnhub trade feed at ${url}`, {
                  stage: "extract",
                  partition: "finnhub-ws",
                  transient: true,
                }),
              );
              return;
            }
            resolve(rollupTrades(trades, now()));
          };
        }),
    }],
  };
}
