/**
 * The parser of each HTTP source by name, for replay from raw landing.
 * @module
 */
import { alphaVantageFormat } from "@pipeline/extract/alphavantage.ts";
import { finnhubFormat } from "@pipeline/extract/finnhub.ts";
import { openMeteoFormat } from "@pipeline/extract/openmeteo.ts";
import type { RawFormat } from "@pipeline/extract/http/raw_format.ts";

/** Names of the sources whose bodies can be replayed. */
export type RawSourceName = "alphavantage" | "finnhub" | "openmeteo";

/** Each replayable source's {@link RawFormat}. */
export const RAW_FORMATS: Readonly<Record<RawSourceName, RawFormat>> = {
  alphavantage: alphaVantageFormat,
  finnhub: finnhubFormat,
  openmeteo: openMeteoFormat,
};
