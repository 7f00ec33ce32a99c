/**
 * The file source of symbol reference data (`--source file --dataset
 * symbols`): records from a CSV, JSON (an array of objects), NDJSON or
 * Parquet file, as the RAW reference frame of `@pipeline/symbols.ts`.
 *
 * Reading is the generic record reader's (`@pipeline/extract/record_file.ts`)
 * fed with the reference fields ({@link SYMBOL_FILE_SCHEMA}): the header is
 * checked before any row, so a file lacking symbol, name, exchange or
 * currency is refused (loading it as a full reference would close every
 * version); sector is optional (all null when the file has none); values
 * keep their text and other columns are ignored.
 * @module
 */
import type pl from "nodejs-polars";
import {
  readRecordFile,
  type ReadRecordFileOptions,
  type RecordFileSchema,
} from "@pipeline/extract/record_file.ts";
import { SYMBOL_REF_FIELDS } from "@pipeline/symbols.ts";

/** The fields of a reference file: every one but `sector` required. */
export const SYMBOL_FILE_SCHEMA: RecordFileSchema = {
  what: "reference",
  fields: SYMBOL_REF_FIELDS.map((name) => ({
    name,
    type: "text",
    required: name !== "sector",
    ...(name === "symbol" ? { aliases: ["ticker"] } : {}),
  })),
  entity: "symbol",
};

/** Options of {@link readSymbolFile}: those of the record reader. */
export type ReadSymbolFileOptions = ReadRecordFileOptions;

/**
 * Reads reference records from a CSV, JSON (array of objects), NDJSON or
 * Parquet file into a RAW reference frame: columns symbol, name, exchange,
 * currency, sector (Utf8, sector null when missing) and `record`
 * (`refs.csv:2`, `refs.json[0]`).
 *
 * @throws {FileLayoutError} stage `config` (exit 2): an empty file, an
 * unknown format, a required column missing.
 * @throws {EtlError} stage `extract`, partition = `path`, not transient: the
 * file is missing or unreadable, not valid JSON or not a JSON array.
 *
 * @example
 * ```ts
 * import { readSymbolFile } from "@pipeline/extract/symbol_file.ts";
 * const raw = await readSymbolFile("data/samples/symbols.csv");
 * raw.getColumn("record").get(0); // "symbols.csv:2"
 * ```
 */
export function readSymbolFile(
  path: string,
  options: ReadSymbolFileOptions = {},
): Promise<pl.DataFrame> {
  return readRecordFile(path, SYMBOL_FILE_SCHEMA, options);
}
