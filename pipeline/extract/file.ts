// AUTO-GENERATED from notebooks/01c_extract_file.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/01c_extract_file.ipynb#module
/**
 * The file source of bars: bar records from CSV, JSON (an array of
 * objects), NDJSON or Parquet files as a RAW frame (see `@pipeline/bars.ts`),
 * and the matching writer.
 *
 * Reading is the generic record reader's (`@pipeline/extract/record_file.ts`)
 * fed with the bar fields ({@link BAR_FILE_SCHEMA}): the header is checked
 * before any row (a missing column is an error naming the missing and the
 * found columns), values keep their text so bad ones reach validation
 * intact, column names match case-insensitively after trimming (`ticker`
 * is taken for `symbol`, `timestamp`, `datetime`, `date` or `time` for
 * `ts`), `map` names other columns, `symbol` gives a single-symbol file its
 * symbol, `tsUnit` the unit of epoch numbers, and other columns are kept as
 * `+<name>` text for the load to add (schema evolution).
 *
 * @module
 */
import pl from "nodejs-polars";
import { BAR_FIELDS } from "@pipeline/bars.ts";
import { errorMessage, EtlError } from "@pipeline/errors.ts";
import { RAW_COLUMNS } from "@pipeline/extract/_raw.ts";
import {
  baseName,
  jsonText,
  readRecordFile,
  type ReadRecordFileOptions,
  RECORD_FILE_FORMATS,
  type RecordFileFormat,
  recordFileFormat,
  type RecordFileSchema,
} from "@pipeline/extract/record_file.ts";

export { baseName, jsonText };

// %% notebooks/01c_extract_file.ipynb#bar-file-formats
/** The file formats {@link readBarFile} and {@link writeBarFile} know. */
export const BAR_FILE_FORMATS = RECORD_FILE_FORMATS;
/** One of {@link BAR_FILE_FORMATS}. */
export type BarFileFormat = RecordFileFormat;

// %% notebooks/01c_extract_file.ipynb#bar-file-format
/** The format of `path` from its extension, or undefined if unknown. */
export function barFileFormat(path: string): BarFileFormat | undefined {
  return recordFileFormat(path);
}

// %% notebooks/01c_extract_file.ipynb#bar-file-schema
/**
 * The fields of a bar file, all required: `symbol` (the entity; `--symbol`
 * fills it for a single-symbol file), `ts` (the time), the prices and the
 * volume. Other columns are kept as extras.
 */
export const BAR_FILE_SCHEMA: RecordFileSchema = {
  what: "bar",
  fields: BAR_FIELDS.map((name) => ({
    name,
    type: name === "symbol" ? "text" : name === "ts" ? "time" : "number",
    required: true,
    ...(name === "symbol"
      ? { aliases: ["ticker"] }
      : name === "ts"
      ? { aliases: ["timestamp", "datetime", "date", "time"] }
      : {}),
  })),
  entity: "symbol",
  time: "ts",
  extras: true,
};

// %% notebooks/01c_extract_file.ipynb#read-bar-file-options
/**
 * Options of {@link readBarFile}: those of the record reader
 * (`ReadRecordFileOptions`): `format` (default from the extension), `map`
 * (field → file column), `symbol` (a constant symbol), `tsUnit` (the unit
 * of epoch numbers; default by magnitude), `onWarning`.
 */
export type ReadBarFileOptions = ReadRecordFileOptions;

// %% notebooks/01c_extract_file.ipynb#read-bar-file
/**
 * Reads bar records from a CSV, JSON (array of objects), NDJSON or Parquet
 * file into a RAW frame: columns symbol, ts, open, high, low, close, volume
 * (Utf8), `record` (`in.csv:2`, `in.json[0]`) and the extras (`+<name>`).
 *
 * @throws {FileLayoutError} stage `config` (exit 2): an empty file, an
 * unknown format, a bar column missing (naming the missing and the found
 * columns), a `map` or `symbol` that does not fit.
 * @throws {EtlError} stage `extract`, partition = `path`, not transient: the
 * file is missing or unreadable, not valid JSON or not a JSON array.
 *
 * @example
 * ```ts
 * import { readBarFile } from "@pipeline/extract/file.ts";
 * const raw = await readBarFile("data/samples/bars.csv");
 * raw.getColumn("record").get(0); // "bars.csv:2"
 * ```
 */
export function readBarFile(
  path: string,
  options: ReadBarFileOptions = {},
): Promise<pl.DataFrame> {
  return readRecordFile(path, BAR_FILE_SCHEMA, options);
}

// %% notebooks/01c_extract_file.ipynb#write-bar-file-options
/** Options of {@link writeBarFile}. */
export interface WriteBarFileOptions {
  /** The file format. Default: from the extension (see {@link barFileFormat}). */
  format?: BarFileFormat | undefined;
}

// %% notebooks/01c_extract_file.ipynb#write-bar-file
/**
 * Writes a frame (typically a RAW frame, e.g. from `syntheticBars`) as CSV,
 * JSON (an array of objects), NDJSON or Parquet, for fixtures and benchmarks.
 * Only the columns the frame has are written; `record` is dropped, since
 * readers derive it from the file.
 *
 * @throws {EtlError} stage `extract` when the format is unknown or writing fails.
 */
export function writeBarFile(
  frame: pl.DataFrame,
  path: string,
  options: WriteBarFileOptions = {},
): void {
  const { format = barFileFormat(path) } = options;
  const fail = (message: string, cause?: unknown) =>
    new EtlError(`cannot write bar file ${path}: ${message}`, {
      stage: "extract",
      partition: path,
      cause,
    });
  if (format === undefined) throw fail("unknown format");
  const out = frame.select(
    ...RAW_COLUMNS.filter((c) => c !== "record" && frame.columns.includes(c)),
  );
  try {
    switch (format) {
      case "csv":
        return out.writeCSV(path);
      case "json":
        return out.writeJSON(path, { format: "json" });
      case "ndjson":
        return out.writeJSON(path, { format: "lines" });
      case "parquet":
        return out.writeParquet(path);
    }
  } catch (err) {
    throw fail(errorMessage(err), err);
  }
}
