// AUTO-GENERATED from notebooks/08_dataset_eod.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/08_dataset_eod.ipynb#sources
/**
 * The sources of eod, per source engine (`--source`).
 * @module
 */
import type { SourceFactory } from "@pipeline/datasets/dataset.ts";
import { recordFileSource } from "@pipeline/extract/file_source.ts";
import { httpRunSource } from "@pipeline/datasets/http_sources.ts";
import * as fileSource from "@pipeline/datasets/eod/file_source.ts";
import * as alphavantage from "@pipeline/datasets/eod/alphavantage.ts";

/**
 * `file`: `--input` through the generic file source (header checked
 * first; `--symbol`, `--map`). `alphavantage`: one `TIME_SERIES_DAILY`
 * request per symbol of `--symbols` over the run window, or the landed
 * daily bodies with `--from-raw`. No backfill: one daily request returns
 * a symbol's whole recent history, so day-by-day chunks would spend a
 * request per day on the same body.
 */
export const EOD_SOURCES: Readonly<Record<string, SourceFactory>> = {
  file: (config, deps) =>
    recordFileSource(config, deps, {
      dataset: "eod",
      schema: fileSource.EOD_FILE_SCHEMA,
      read: fileSource.readEodFile,
    }),
  alphavantage: httpRunSource(
    alphavantage.alphaVantageDailyFormat,
    (config, window, http) =>
      alphavantage.alphaVantageDailySource(
        { symbols: config.symbols, ...window },
        http,
      ),
  ),
};
