// AUTO-GENERATED from notebooks/08_dataset_eod.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/08_dataset_eod.ipynb#file-source
/**
 * The file of eod: its field list for the one record-file reader.
 * @module
 */
import type pl from "nodejs-polars";
import {
  readRecordFile,
  type ReadRecordFileOptions,
  type RecordFileSchema,
} from "@pipeline/extract/record_file.ts";
import * as contract from "@pipeline/datasets/eod/contract.ts";

/**
 * The fields of a daily-bar file (`EOD_FIELDS`, every one required but
 * `adj_close`, read from `adjclose` or `adj close` too), `symbol` the
 * entity: a file without a symbol column takes `--symbol NAME`. No
 * extras: `eod_bars` has a fixed schema.
 */
export const EOD_FILE_SCHEMA: RecordFileSchema = {
  what: "daily bar",
  fields: contract.EOD_FIELDS.map((name) => ({
    name,
    type: name === "symbol" ? "text" : name === "date" ? "time" : "number",
    required: name !== "adj_close",
    ...(name === "symbol"
      ? { aliases: ["ticker"] }
      : name === "adj_close"
      ? { aliases: ["adjclose", "adj close"] }
      : {}),
  })),
  entity: "symbol",
};

/**
 * The raw eod frame of a file (CSV, JSON, NDJSON or Parquet): `EOD_FIELDS`
 * as text, `adj_close` null where the file has none, and `record`
 * (`sp500-2000.csv:2`). Throws a `FileLayoutError` (stage config) for a
 * file whose header does not fit, an `EtlError` (stage extract) for one
 * that cannot be read.
 */
export function readEodFile(
  path: string,
  options: ReadRecordFileOptions = {},
): Promise<pl.DataFrame> {
  return readRecordFile(path, EOD_FILE_SCHEMA, options);
}
