/**
 * The synthetic source's reference metadata (`--source synthetic --dataset
 * symbols`): a full reference for the configured symbols, as the RAW
 * reference frame of `@pipeline/symbols.ts`.
 *
 * Deterministic: the ten default tickers have fixed profiles; any other
 * symbol gets a name, exchange and sector picked by a hash of the seed and
 * the symbol, so the same configuration always yields the same reference
 * (a re-run is a no-op) and another seed yields another one.
 * @module
 */
import pl from "nodejs-polars";
import { SYMBOL_REF_FIELDS } from "@pipeline/symbols.ts";

/** A symbol's reference attributes. */
export interface SymbolProfile {
  name: string;
  exchange: string;
  currency: string;
  sector: string | null;
}

/** Profiles of the synthetic source's ten default tickers. */
export const DEFAULT_SYMBOL_PROFILES: Readonly<Record<string, SymbolProfile>> =
  Object.freeze({
    AAPL: p("Apple Inc.", "NASDAQ", "Information Technology"),
    MSFT: p("Microsoft Corporation", "NASDAQ", "Information Technology"),
    AMZN: p("Amazon.com, Inc.", "NASDAQ", "Consumer Discretionary"),
    GOOGL: p("Alphabet Inc. Class A", "NASDAQ", "Communication Services"),
    META: p("Meta Platforms, Inc.", "NASDAQ", "Communication Services"),
    NVDA: p("NVIDIA Corporation", "NASDAQ", "Information Technology"),
    TSLA: p("Tesla, Inc.", "NASDAQ", "Consumer Discretionary"),
    JPM: p("JPMorgan Chase & Co.", "NYSE", "Financials"),
    XOM: p("Exxon Mobil Corporation", "NYSE", "Energy"),
    JNJ: p("Johnson & Johnson", "NYSE", "Health Care"),
  });

function p(name: string, exchange: string, sector: string): SymbolProfile {
  return Object.freeze({ name, exchange, currency: "USD", sector });
}

const SECTORS = [
  "Communication Services",
  "Consumer Discretionary",
  "Consumer Staples",
  "Energy",
  "Financials",
  "Health Care",
  "Industrials",
  "Information Technology",
  "Materials",
  "Real Estate",
  "Utilities",
] as const;
const EXCHANGES = ["NYSE", "NASDAQ"] as const;
const SUFFIXES = ["Inc.", "Corporation", "Holdings", "Group"] as const;

/** 32-bit FNV-1a of `text`. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The profile of `symbol`: its default one, else one derived from `seed`. */
export function symbolProfile(symbol: string, seed: number): SymbolProfile {
  const known = DEFAULT_SYMBOL_PROFILES[symbol];
  if (known) return known;
  const h = fnv1a(`${seed}:${symbol}`);
  const pick = <T>(xs: readonly T[], shift: number) =>
    xs[(h >>> shift) % xs.length]!;
  return {
    name: `${symbol} ${pick(SUFFIXES, 0)}`,
    exchange: pick(EXCHANGES, 8),
    currency: "USD",
    sector: pick(SECTORS, 16),
  };
}

/** Options of {@link syntheticSymbols}. */
export interface SyntheticSymbolsOptions {
  /** The symbols of the reference. */
  symbols: readonly string[];
  /** Seed for symbols without a default profile. Default 42. */
  seed?: number | undefined;
}

/**
 * The synthetic reference of `symbols`: one raw record per symbol, `record`
 * `synthetic:symbols:<symbol>`.
 *
 * @example
 * ```ts
 * import { syntheticSymbols } from "@pipeline/datasets/symbols/synthetic.ts";
 * syntheticSymbols({ symbols: ["AAPL"] }).getColumn("name").get(0); // "Apple Inc."
 * ```
 */
export function syntheticSymbols(
  options: SyntheticSymbolsOptions,
): pl.DataFrame {
  const { symbols, seed = 42 } = options;
  const profiles = symbols.map((s) => ({
    symbol: s,
    ...symbolProfile(s, seed),
  }));
  return pl.DataFrame([
    ...SYMBOL_REF_FIELDS.map((f) =>
      pl.Series(f, profiles.map((r) => r[f]), pl.Utf8)
    ),
    pl.Series("record", symbols.map((s) => `synthetic:symbols:${s}`), pl.Utf8),
  ]);
}
