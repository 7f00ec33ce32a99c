// AUTO-GENERATED from notebooks/01c_extract_file.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/01c_extract_file.ipynb#module
/**
 * The file source: bar records from CSV, JSON (an array of objects), NDJSON
 * or Parquet files, as a RAW frame (see `@pipeline/bars.ts`), and the
 * matching writer.
 *
 * Values keep their text so bad ones reach validation intact: CSV is read
 * without type inference, JSON numbers become their JS text and other
 * non-strings their JSON text, Parquet columns are cast to text (datetimes
 * to epoch milliseconds). Column names match case-insensitively after
 * trimming; extra columns are ignored and a missing one becomes all null
 * (validation then quarantines every record on it).
 *
 * @module
 */
import pl from "nodejs-polars";
import { z } from "zod";
import { BAR_FIELDS, type BarField } from "@pipeline/bars.ts";
import { errorMessage, EtlError } from "@pipeline/errors.ts";
import { emptyRawFrame, RAW_COLUMNS } from "@pipeline/extract/_raw.ts";

// %% notebooks/01c_extract_file.ipynb#bar-file-formats
/** The file formats {@link readBarFile} and {@link writeBarFile} know. */
export const BAR_FILE_FORMATS = ["csv", "json", "ndjson", "parquet"] as const;
/** One of {@link BAR_FILE_FORMATS}. */
export type BarFileFormat = typeof BAR_FILE_FORMATS[number];

// %% notebooks/01c_extract_file.ipynb#format-by-extension
/** Formats by file extension (lower case, without the dot). */
const FORMAT_BY_EXTENSION: Readonly<Record<string, BarFileFormat>> = {
  csv: "csv",
  json: "json",
  ndjson: "ndjson",
  jsonl: "ndjson",
  parquet: "parquet",
  pq: "parquet",
};

// %% notebooks/01c_extract_file.ipynb#base-name
/** The last path segment of `path` (`data/in.csv` → `in.csv`). */
export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

// %% notebooks/01c_extract_file.ipynb#bar-file-format
/** The format of `path` from its extension, or undefined if unknown. */
export function barFileFormat(path: string): BarFileFormat | undefined {
  const name = baseName(path);
  const dot = name.lastIndexOf(".");
  return dot < 0
    ? undefined
    : FORMAT_BY_EXTENSION[name.slice(dot + 1).toLowerCase()];
}

// %% notebooks/01c_extract_file.ipynb#file-error
/** An extract error about the file at `path` (never transient). */
function fileError(
  path: string,
  message: string,
  options: { cause?: unknown } = {},
): EtlError {
  return new EtlError(`cannot read bar file ${path}: ${message}`, {
    stage: "extract",
    partition: path,
    transient: false,
    cause: options.cause,
  });
}

// %% notebooks/01c_extract_file.ipynb#field-of
/** The bar field a column name stands for (` Symbol ` → `symbol`), if any. */
function fieldOf(column: string): BarField | undefined {
  const key = column.trim().toLowerCase();
  return (BAR_FIELDS as readonly string[]).includes(key)
    ? key as BarField
    : undefined;
}

// %% notebooks/01c_extract_file.ipynb#match-columns
/**
 * Maps each bar field to the first column of `columns` naming it; throws when
 * none does (the file is not a bar file).
 */
function matchColumns(path: string, columns: string[]): Map<BarField, string> {
  const found = new Map<BarField, string>();
  for (const column of columns) {
    const field = fieldOf(column);
    if (field !== undefined && !found.has(field)) found.set(field, column);
  }
  if (found.size === 0 && columns.length > 0) {
    throw fileError(
      path,
      `no bar columns (${BAR_FIELDS.join(", ")}) in ${JSON.stringify(columns)}`,
    );
  }
  return found;
}

// %% notebooks/01c_extract_file.ipynb#raw-from
/**
 * The RAW frame of a frame read from a file: one text column per bar field
 * (cast by `toText`, all null where the file has none) and `record`. The
 * readers' helper columns (`__line`, `__index`) are not file columns: they
 * are never matched, nor named when the file has no bar column.
 */
function rawFrom(options: {
  path: string;
  frame: pl.DataFrame;
  toText: (column: string) => pl.Expr;
  record: pl.Expr;
}): pl.DataFrame {
  const { path, frame, toText, record } = options;
  const fileColumns = frame.columns.filter((c) =>
    c !== "__line" && c !== "__index"
  );
  const columns = matchColumns(path, fileColumns);
  const matched = new Set(columns.values());
  // Fields outside the bar contract are kept as text under `+<name>` (the
  // name lower-cased, other characters as `_`): the load adds them to the
  // table as nullable columns (schema evolution). The first of two file
  // columns with one name wins; bar fields named twice are not kept again.
  const extras = new Map<string, string>();
  for (const column of fileColumns) {
    const name = column.trim().toLowerCase().replace(/[^a-z0-9_]/g, "_");
    if (matched.has(column) || fieldOf(column) || !name) continue;
    if (!extras.has(name)) extras.set(name, column);
  }
  return frame.select(
    ...BAR_FIELDS.map((field) => {
      const column = columns.get(field);
      return (column === undefined
        ? pl.lit(null).cast(pl.Utf8)
        : toText(column))
        .alias(field);
    }),
    record.alias("record"),
    ...[...extras].map(([name, column]) => toText(column).alias(`+${name}`)),
  );
}

// %% notebooks/01c_extract_file.ipynb#row-index
/** `0, 1, 2, …` over `height` rows. */
function rowIndex(height: number): pl.Expr {
  return pl.intRange(0, height, 1, pl.Int64, false);
}

// %% notebooks/01c_extract_file.ipynb#read-csv
/**
 * Reads a CSV file with every column as text (invalid UTF-8 bytes as
 * U+FFFD, as {@link readText} does for JSON). `record` is
 * `<basename>:<line>` (the header is line 1, so the first record is line 2;
 * line numbers assume one record per line). Blank lines are skipped; an
 * empty file gives an empty frame.
 */
function readCsv(path: string): pl.DataFrame {
  let frame: pl.DataFrame;
  try {
    // scanCSV always takes a path (readCSV reads names without .csv as CSV text)
    // Invalid UTF-8 becomes U+FFFD, so one bad byte quarantines its record
    // (validation refuses U+FFFD) instead of failing the whole file.
    frame = pl.scanCSV(path, {
      inferSchemaLength: 0,
      truncateRaggedLines: true,
      raiseIfEmpty: false,
      encoding: "utf8-lossy",
    }).collectSync();
  } catch (err) {
    throw fileError(
      path,
      `not a readable CSV file (${errorMessage(err)})`,
      { cause: err },
    );
  }
  if (frame.width === 0) return emptyRawFrame();
  const name = baseName(path);
  const blank = pl.allHorizontal(frame.columns.map((c) => pl.col(c).isNull()));
  return rawFrom({
    path,
    frame: frame
      .withColumns(rowIndex(frame.height).alias("__line"))
      .filter(blank.not()),
    toText: (column) => pl.col(column).cast(pl.Utf8),
    record: pl.concatString([
      pl.lit(`${name}:`),
      pl.col("__line").add(2).cast(pl.Int64).cast(pl.Utf8),
    ], ""),
  });
}

// %% notebooks/01c_extract_file.ipynb#json-text
/** A JSON value as bar text: strings as is, numbers as JS text, else JSON. */
export function jsonText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return JSON.stringify(value) ?? null;
}

// %% notebooks/01c_extract_file.ipynb#json-bars-schema
/** The envelope of a JSON bar file: an array (elements checked one by one). */
const JsonBarsSchema = z.array(z.unknown());

// %% notebooks/01c_extract_file.ipynb#json-object-schema
/** A plain JSON object (not null, not an array). */
const JsonObjectSchema = z.record(z.string(), z.unknown());

// %% notebooks/01c_extract_file.ipynb#raw-from-records
/**
 * The RAW frame of parsed JSON records: objects give their bar fields (keys
 * matched case-insensitively), anything else a record with every field null.
 * Throws when there are objects but none has a bar field (not a bar file).
 */
function rawFromRecords(options: {
  path: string;
  records: unknown[];
  names: string[];
}): pl.DataFrame {
  const { path, records, names } = options;
  const columns = new Map<BarField, (string | null)[]>(
    BAR_FIELDS.map((
      f,
    ) => [f, new Array<string | null>(records.length).fill(null)]),
  );
  let objects = 0;
  let matched = 0;
  records.forEach((record, i) => {
    const parsed = JsonObjectSchema.safeParse(record);
    if (!parsed.success || Array.isArray(record)) return;
    objects++;
    for (const [key, value] of Object.entries(parsed.data)) {
      const field = fieldOf(key);
      const column = field === undefined ? undefined : columns.get(field);
      if (column === undefined || column[i] !== null) continue;
      column[i] = jsonText(value);
      matched++;
    }
  });
  if (objects > 0 && matched === 0) {
    throw fileError(
      path,
      `no bar fields (${BAR_FIELDS.join(", ")}) in any object`,
    );
  }
  return pl.DataFrame([
    ...BAR_FIELDS.map((f) => pl.Series(f, columns.get(f) ?? [], pl.Utf8)),
    pl.Series("record", names, pl.Utf8),
  ]);
}

// %% notebooks/01c_extract_file.ipynb#read-json
/** Reads a JSON array of bar objects; `record` is `<basename>[<index>]`. */
async function readJson(path: string): Promise<pl.DataFrame> {
  const text = await readText(path);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw fileError(path, `not valid JSON (${errorMessage(err)})`, {
      cause: err,
    });
  }
  const envelope = JsonBarsSchema.safeParse(data);
  if (!envelope.success) {
    const got = data === null
      ? "null"
      : Array.isArray(data)
      ? "array"
      : typeof data;
    throw fileError(path, `expected a JSON array of bar objects, got ${got}`);
  }
  const name = baseName(path);
  return rawFromRecords({
    path,
    records: envelope.data,
    names: envelope.data.map((_, i) => `${name}[${i}]`),
  });
}

// %% notebooks/01c_extract_file.ipynb#read-ndjson
/**
 * Reads newline-delimited JSON, one bar object per line; `record` is
 * `<basename>:<line>`. Blank lines are skipped; a line that is not JSON
 * becomes a record with every field null (quarantined by validation).
 */
async function readNdjson(path: string): Promise<pl.DataFrame> {
  const lines = (await readText(path)).split(/\r?\n/);
  const name = baseName(path);
  const records: unknown[] = [];
  const names: string[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      records.push(JSON.parse(line));
    } catch {
      records.push(null);
    }
    names.push(`${name}:${i + 1}`);
  });
  return rawFromRecords({ path, records, names });
}

// %% notebooks/01c_extract_file.ipynb#parquet-text
/**
 * The text of a Parquet column: datetimes and dates as epoch milliseconds
 * (a datetime without time zone is taken as UTC), strings as is, numbers
 * and booleans cast, nested values as JSON.
 */
function parquetText(frame: pl.DataFrame, column: string): pl.Expr {
  const { variant } = frame.getColumn(column).dtype;
  const col = pl.col(column);
  switch (variant) {
    case "String":
      return col;
    case "Datetime":
      return col.dt.timestamp().cast(pl.Utf8);
    case "Date":
      return col.cast(pl.Datetime("ms")).dt.timestamp().cast(pl.Utf8);
    case "List":
    case "FixedSizeList":
    case "Struct":
    case "Object":
      return pl.struct([col.alias("v")]).struct.jsonEncode()
        .str.extract('^\\{"v":(.*)\\}$', 1);
    default:
      return col.cast(pl.Utf8);
  }
}

// %% notebooks/01c_extract_file.ipynb#read-parquet-file
/** Reads a Parquet file; `record` is `<basename>[<index>]`. */
function readParquetFile(path: string): pl.DataFrame {
  let frame: pl.DataFrame;
  try {
    frame = pl.scanParquet(path).collectSync();
  } catch (err) {
    throw fileError(
      path,
      `not a readable Parquet file (${errorMessage(err)})`,
      { cause: err },
    );
  }
  const name = baseName(path);
  return rawFrom({
    path,
    frame: frame.withColumns(rowIndex(frame.height).alias("__index")),
    toText: (column) => parquetText(frame, column),
    record: pl.concatString([
      pl.lit(`${name}[`),
      pl.col("__index").cast(pl.Utf8),
      pl.lit("]"),
    ], ""),
  });
}

// %% notebooks/01c_extract_file.ipynb#read-text
/**
 * The text of the file at `path` (invalid UTF-8 bytes as U+FFFD, which
 * validation quarantines), or an extract error naming it.
 */
async function readText(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    throw fileError(path, errorMessage(err), { cause: err });
  }
}

// %% notebooks/01c_extract_file.ipynb#read-bar-file-options
/** Options of {@link readBarFile}. */
export interface ReadBarFileOptions {
  /** The file format. Default: from the extension (see {@link barFileFormat}). */
  format?: BarFileFormat | undefined;
}

// %% notebooks/01c_extract_file.ipynb#read-bar-file
/**
 * Reads bar records from a CSV, JSON (array of objects), NDJSON or Parquet
 * file into a RAW frame: columns symbol, ts, open, high, low, close, volume
 * (Utf8, null where missing) and `record` (`in.csv:2`, `in.json[0]`).
 *
 * @throws {EtlError} stage `extract`, partition = `path`, not transient: the
 * file is missing or unreadable, its format is unknown, it is not valid JSON
 * or not a JSON array, or it has none of the bar columns.
 *
 * @example
 * ```ts
 * import { readBarFile } from "@pipeline/extract/file.ts";
 * const raw = await readBarFile("data/samples/bars.csv");
 * raw.getColumn("record").get(0); // "bars.csv:2"
 * ```
 */
export async function readBarFile(
  path: string,
  options: ReadBarFileOptions = {},
): Promise<pl.DataFrame> {
  const { format = barFileFormat(path) } = options;
  if (format === undefined) {
    throw fileError(
      path,
      `unknown format; use one of .csv, .json, .ndjson, .jsonl, .parquet or the format option`,
    );
  }
  try {
    const info = await Deno.stat(path);
    if (!info.isFile) throw fileError(path, "not a file");
  } catch (err) {
    if (err instanceof EtlError) throw err;
    throw fileError(path, errorMessage(err), { cause: err });
  }
  switch (format) {
    case "csv":
      return readCsv(path);
    case "json":
      return await readJson(path);
    case "ndjson":
      return await readNdjson(path);
    case "parquet":
      return readParquetFile(path);
  }
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
