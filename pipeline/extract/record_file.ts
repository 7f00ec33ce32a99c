/**
 * The one file reader of every dataset: records from a CSV, JSON (an array
 * of objects), NDJSON or Parquet file as a RAW frame of text columns, shaped
 * by a {@link RecordFileSchema}, the dataset's field list.
 *
 * ```ts
 * readRecordFile(path, schema, { map, symbol, tsUnit, format, onWarning })
 * ```
 *
 * - **Header first.** The file's columns (a CSV's header, Parquet's schema,
 *   the keys of JSON objects) are matched to the schema's fields before any
 *   row is read: `options.map` (`{ ts: "date" }`, field → file column), else
 *   a column named like the field, else one named like an alias of it
 *   (`ticker` for `symbol`, `timestamp`/`datetime`/`date`/`time` for `ts`),
 *   names compared case-insensitively after trimming. A required field with
 *   no column, a `map` naming a column the file lacks, or an empty (0-byte)
 *   file is a {@link FileLayoutError} (stage `config`: the CLI exits 2)
 *   naming the missing and the found columns, with a hint.
 * - **Constant entity.** `options.symbol` gives every record that entity, for
 *   a single-entity file without an entity column (one that has one is
 *   refused: which to believe?).
 * - **Values keep their text**, so bad ones reach validation intact: CSV is
 *   read without type inference, JSON numbers become their JS text and other
 *   non-strings their JSON text ({@link jsonText}), Parquet columns are cast
 *   to text (datetimes to epoch milliseconds). A record that is not an
 *   object (JSON) or not JSON (an NDJSON line) has every field null, which
 *   validation quarantines.
 * - **Epoch units.** Without `options.tsUnit`, an epoch number in the time
 *   field is left as digits: validation reads its unit by magnitude
 *   (`epochMs` of `@pipeline/validate/bars.ts`) and quarantines readings out
 *   of range. With it (`s`, `ms`, `us`, `ns`), every all-digit time value is
 *   read in that unit and handed on as ISO-8601 UTC.
 * - **Extras.** With `schema.extras`, other columns (JSON keys alike) are
 *   kept as text under `+<name>` (lower case, other characters `_`), which the
 *   load adds to the table (schema evolution, `@pipeline/datasets/extras.ts`).
 * - `record` names each record's place: `in.csv:2` (the header is line 1),
 *   `in.json[0]`, `in.ndjson:3`, `in.parquet[0]`. Blank CSV and NDJSON lines
 *   are skipped. A header-only file (or an empty JSON array) gives no rows and
 *   a warning through `options.onWarning`.
 *
 * Only the columns the schema asks for are read by {@link recordFileLayout},
 * which checks a file's header without its rows (the CLI calls it before
 * opening the database).
 *
 * @example A daily file with its own column names
 * ```ts
 * import { readRecordFile } from "@pipeline/extract/record_file.ts";
 * import { BAR_FILE_SCHEMA } from "@pipeline/extract/file.ts";
 * const raw = await readRecordFile("sp500-2000.csv", BAR_FILE_SCHEMA, {
 *   map: { close: "adjclose" }, symbol: "SPX",
 * });
 * ```
 * @module
 */
import pl from "nodejs-polars";
import { errorMessage, EtlError, excerpt } from "@pipeline/errors.ts";

/** The file formats the reader knows. */
export const RECORD_FILE_FORMATS = [
  "csv",
  "json",
  "ndjson",
  "parquet",
] as const;
/** One of {@link RECORD_FILE_FORMATS}. */
export type RecordFileFormat = typeof RECORD_FILE_FORMATS[number];

/** Formats by file extension (lower case, without the dot). */
const FORMAT_BY_EXTENSION: Readonly<Record<string, RecordFileFormat>> = {
  csv: "csv",
  json: "json",
  ndjson: "ndjson",
  jsonl: "ndjson",
  parquet: "parquet",
  pq: "parquet",
};

/** The units `tsUnit` (`--ts-unit`) accepts. */
export const TS_UNITS = ["s", "ms", "us", "ns"] as const;
/** One of {@link TS_UNITS}. */
export type TsUnit = typeof TS_UNITS[number];

/** What a field holds, as the dataset reads it (the file keeps text). */
export type FieldType = "text" | "number" | "time";

/** One field of a dataset's records. */
export interface RecordField {
  /** The RAW frame's column (`symbol`, `ts`). */
  readonly name: string;
  readonly type: FieldType;
  /** Whether a file must have a column for it. */
  readonly required: boolean;
  /** Other column names taken for it when none is named like it. */
  readonly aliases?: readonly string[];
}

/** A dataset's field list: what {@link readRecordFile} reads. */
export interface RecordFileSchema {
  /** What a record is, in messages (`bar`, `reference`). */
  readonly what: string;
  /** The fields, in RAW column order. */
  readonly fields: readonly RecordField[];
  /** The field of the entity (partition) column; `options.symbol` fills it. */
  readonly entity?: string;
  /** The field of the time column; `options.tsUnit` reads it. */
  readonly time?: string;
  /** Keep other columns as `+<name>` text (schema evolution). Default false. */
  readonly extras?: boolean;
}

/** Options of {@link readRecordFile} and {@link recordFileLayout}. */
export interface ReadRecordFileOptions {
  /** The file format. Default: from the extension ({@link recordFileFormat}). */
  format?: RecordFileFormat | undefined;
  /** Field → file column, overriding the names (`{ ts: "date" }`). Default none. */
  map?: Readonly<Record<string, string>> | undefined;
  /** A constant entity for a file without an entity column. Default none. */
  symbol?: string | undefined;
  /** The unit of epoch numbers in the time field. Default: by magnitude. */
  tsUnit?: TsUnit | undefined;
  /** Gets warnings (a file with a header but no records). Default none. */
  onWarning?: ((message: string) => void) | undefined;
}

/** How a file's columns fill a schema's fields. */
export interface RecordFileLayout {
  /** The file's columns, as found. */
  columns: string[];
  /** Each field's source: a file column, or the constant entity. */
  fields: Map<string, { column: string } | { constant: string }>;
  /** Extra columns kept: `+<name>` → file column. */
  extras: Map<string, string>;
}

/**
 * A file that does not fit the dataset: empty, an unknown format, required
 * columns missing, a `map` or `symbol` that does not fit. Stage `config`
 * (the input given is wrong, a retry cannot help): the CLI exits 2.
 */
export class FileLayoutError extends EtlError {
  constructor(path: string, message: string) {
    super(`${baseName(path)}: ${message}`, {
      stage: "config",
      partition: path,
      transient: false,
    });
    this.name = "FileLayoutError";
  }
}

/** The last path segment of `path` (`data/in.csv` → `in.csv`). */
export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** The format of `path` from its extension, or undefined if unknown. */
export function recordFileFormat(path: string): RecordFileFormat | undefined {
  const name = baseName(path);
  const dot = name.lastIndexOf(".");
  return dot < 0
    ? undefined
    : FORMAT_BY_EXTENSION[name.slice(dot + 1).toLowerCase()];
}

/** A JSON value as text: strings as is, numbers as JS text, else JSON. */
export function jsonText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return JSON.stringify(value) ?? null;
}

/** An extract error about reading the file at `path` (never transient). */
function readError(
  schema: RecordFileSchema,
  path: string,
  message: string,
  cause?: unknown,
): EtlError {
  return new EtlError(
    `cannot read ${schema.what} file ${path}: ${excerpt(message)}`,
    { stage: "extract", partition: path, transient: false, cause },
  );
}

/** A column name as compared: trimmed, lower case. */
function norm(name: string): string {
  return name.trim().toLowerCase();
}

/** `a, b, c` of names, at most 30, for messages. */
function names(list: readonly string[]): string {
  const shown = list.slice(0, 30).map((n) => JSON.stringify(n)).join(", ");
  return excerpt(
    list.length > 30 ? `${shown}, … (${list.length} in all)` : shown || "none",
  );
}

/**
 * Matches a file's columns to the schema's fields (see the module doc);
 * throws a {@link FileLayoutError} when they do not fit.
 */
export function layoutOf(
  path: string,
  columns: readonly string[],
  schema: RecordFileSchema,
  options: Pick<ReadRecordFileOptions, "map" | "symbol"> = {},
): RecordFileLayout {
  const { map = {}, symbol } = options;
  const fieldNames = schema.fields.map((f) => f.name);
  const unknown = Object.keys(map).filter((k) => !fieldNames.includes(k));
  if (unknown.length > 0) {
    throw new FileLayoutError(
      path,
      `--map names ${names(unknown)}, not ${schema.what} fields (${
        fieldNames.join(", ")
      })`,
    );
  }
  const used = new Set<string>();
  const fields: RecordFileLayout["fields"] = new Map();
  const find = (name: string) =>
    columns.find((c) => c === name && !used.has(c)) ??
      columns.find((c) => norm(c) === norm(name) && !used.has(c));
  for (const [field, column] of Object.entries(map)) {
    const found = find(column);
    if (found === undefined) {
      throw new FileLayoutError(
        path,
        `--map ${field}=${column}: no column ${JSON.stringify(column)} (found ${
          names(columns)
        })`,
      );
    }
    used.add(found);
    fields.set(field, { column: found });
  }
  if (symbol !== undefined && schema.entity !== undefined) {
    if (fields.has(schema.entity)) {
      throw new FileLayoutError(
        path,
        `give --symbol or --map ${schema.entity}=COLUMN, not both`,
      );
    }
    const own = columns.find((c) => norm(c) === schema.entity);
    if (own !== undefined) {
      throw new FileLayoutError(
        path,
        `--symbol ${symbol} is for a file without a ${schema.entity} column, and this one has ${
          JSON.stringify(own)
        }`,
      );
    }
    fields.set(schema.entity, { constant: symbol });
  }
  for (const field of schema.fields) {
    if (fields.has(field.name)) continue;
    for (const name of [field.name, ...(field.aliases ?? [])]) {
      const found = columns.find((c) => norm(c) === name && !used.has(c));
      if (found !== undefined) {
        used.add(found);
        fields.set(field.name, { column: found });
        break;
      }
    }
  }
  const missing = schema.fields.filter((f) => f.required && !fields.has(f.name))
    .map((f) => f.name);
  if (missing.length > 0) {
    const entity = schema.entity !== undefined &&
      missing.includes(schema.entity);
    const others = missing.filter((f) => f !== schema.entity);
    const hints = [
      ...(others.length
        ? [
          `name the file's columns with --map ${
            others.map((f) => `${f}=COLUMN`).join(",")
          }`,
        ]
        : []),
      ...(entity
        ? [
          `give a file of one ${schema.entity} its ${schema.entity} with --symbol NAME (or --map ${schema.entity}=COLUMN)`,
        ]
        : []),
    ];
    throw new FileLayoutError(
      path,
      `missing required ${schema.what} column${missing.length > 1 ? "s" : ""} ${
        missing.join(", ")
      } (found ${names(columns)}); ${hints.join("; ")}`,
    );
  }
  const extras = new Map<string, string>();
  if (schema.extras) {
    const taken = new Set(
      schema.fields.flatMap((f) => [f.name, ...(f.aliases ?? [])]),
    );
    for (const column of columns) {
      const name = norm(column).replace(/[^a-z0-9_]/g, "_");
      if (used.has(column) || taken.has(norm(column)) || !name) continue;
      if (!extras.has(`+${name}`)) extras.set(`+${name}`, column);
    }
  }
  return { columns: [...columns], fields, extras };
}

/** A frame of text columns read from a file, with `record` and its columns. */
interface TextTable {
  /** Every file column (text), `record`; no rows for a header-only file. */
  frame: pl.DataFrame;
  /** The file's columns, in order. */
  columns: string[];
}

/** The reserved name of the record column while reading. */
const RECORD = "\u0000record";

/** A frame of Utf8 columns from JS arrays. */
function textFrame(columns: Map<string, (string | null)[]>): pl.DataFrame {
  return pl.DataFrame(
    [...columns].map(([name, values]) => pl.Series(name, values, pl.Utf8)),
  );
}

/** The file's text, or an extract error naming it. */
async function readText(
  schema: RecordFileSchema,
  path: string,
): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    throw readError(schema, path, errorMessage(err), err);
  }
}

/** `0, 1, 2, …` over `height` rows. */
function rowIndex(height: number): pl.Expr {
  return pl.intRange(0, height, 1, pl.Int64, false);
}

/**
 * Reads a CSV file with every column as text (invalid UTF-8 as U+FFFD, so
 * one bad byte quarantines its record instead of failing the file).
 */
function readCsv(schema: RecordFileSchema, path: string): TextTable {
  let frame: pl.DataFrame;
  try {
    // scanCSV always takes a path (readCSV reads names without .csv as text).
    frame = pl.scanCSV(path, {
      inferSchemaLength: 0,
      truncateRaggedLines: true,
      raiseIfEmpty: false,
      encoding: "utf8-lossy",
    }).collectSync();
  } catch (err) {
    throw readError(
      schema,
      path,
      `not a readable CSV file (${errorMessage(err)})`,
      err,
    );
  }
  const columns = frame.columns;
  if (columns.length === 0) return { frame, columns };
  const blank = pl.allHorizontal(columns.map((c) => pl.col(c).isNull()));
  const name = baseName(path);
  return {
    columns,
    frame: frame
      .withColumns(rowIndex(frame.height).alias(RECORD))
      .filter(blank.not())
      .withColumns(
        pl.concatString([
          pl.lit(`${name}:`),
          pl.col(RECORD).add(2).cast(pl.Int64).cast(pl.Utf8),
        ], "").alias(RECORD),
      ),
  };
}

/**
 * The columns of parsed JSON records: the union of the objects' keys, keys
 * differing only in case (or surrounding space) one column under the first
 * spelling seen; within an object the first of such keys wins.
 */
function recordsTable(records: unknown[], names: string[]): TextTable {
  const columns = new Map<string, (string | null)[]>();
  const spelling = new Map<string, string>();
  records.forEach((record, i) => {
    if (
      record === null || typeof record !== "object" || Array.isArray(record)
    ) {
      return;
    }
    for (const [key, value] of Object.entries(record)) {
      const name = spelling.get(norm(key)) ?? key;
      spelling.set(norm(key), name);
      let column = columns.get(name);
      if (column === undefined) {
        column = new Array<string | null>(records.length).fill(null);
        columns.set(name, column);
      }
      if (column[i] === null) column[i] = jsonText(value);
    }
  });
  const keys = [...columns.keys()];
  columns.set(RECORD, names);
  return { frame: textFrame(columns), columns: keys };
}

/** Reads a JSON array of objects; `record` is `<basename>[<index>]`. */
async function readJson(
  schema: RecordFileSchema,
  path: string,
): Promise<TextTable> {
  const text = await readText(schema, path);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw readError(schema, path, `not valid JSON (${errorMessage(err)})`, err);
  }
  if (!Array.isArray(data)) {
    const got = data === null ? "null" : typeof data;
    throw readError(
      schema,
      path,
      `expected a JSON array of ${schema.what} objects, got ${got}`,
    );
  }
  const name = baseName(path);
  return recordsTable(data, data.map((_, i) => `${name}[${i}]`));
}

/**
 * Reads newline-delimited JSON, one object per line; `record` is
 * `<basename>:<line>`. A line that is not JSON is a record of nulls.
 */
async function readNdjson(
  schema: RecordFileSchema,
  path: string,
): Promise<TextTable> {
  const name = baseName(path);
  const records: unknown[] = [];
  const names: string[] = [];
  (await readText(schema, path)).split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      records.push(JSON.parse(line));
    } catch {
      records.push(null);
    }
    names.push(`${name}:${i + 1}`);
  });
  return recordsTable(records, names);
}

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

/** Reads a Parquet file as text; `record` is `<basename>[<index>]`. */
function readParquet(schema: RecordFileSchema, path: string): TextTable {
  let frame: pl.DataFrame;
  try {
    frame = pl.scanParquet(path).collectSync();
  } catch (err) {
    throw readError(
      schema,
      path,
      `not a readable Parquet file (${errorMessage(err)})`,
      err,
    );
  }
  const name = baseName(path);
  return {
    columns: frame.columns,
    frame: frame.select(
      ...frame.columns.map((c) => parquetText(frame, c).alias(c)),
      pl.concatString([
        pl.lit(`${name}[`),
        rowIndex(frame.height).cast(pl.Utf8),
        pl.lit("]"),
      ], "").alias(RECORD),
    ),
  };
}

/** The format of `path`, or a {@link FileLayoutError} for an unknown one. */
function formatOf(
  path: string,
  format: RecordFileFormat | undefined,
): RecordFileFormat {
  const found = format ?? recordFileFormat(path);
  if (found === undefined) {
    throw new FileLayoutError(
      path,
      "unknown format: name the file .csv, .json (an array of objects), .ndjson (or .jsonl) or .parquet (or .pq)",
    );
  }
  return found;
}

/** Checks that `path` is a non-empty file; returns its size. */
async function checkFile(
  schema: RecordFileSchema,
  path: string,
): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (err) {
    throw readError(schema, path, errorMessage(err), err);
  }
  if (!info.isFile) throw readError(schema, path, "not a file");
  if (info.size === 0) {
    throw new FileLayoutError(
      path,
      `the file is empty (0 bytes): nothing to load; a ${schema.what} file needs at least its header (CSV) or records`,
    );
  }
}

/** Reads the whole file as a {@link TextTable}. */
async function readTable(
  schema: RecordFileSchema,
  path: string,
  format: RecordFileFormat,
): Promise<TextTable> {
  switch (format) {
    case "csv":
      return readCsv(schema, path);
    case "json":
      return await readJson(schema, path);
    case "ndjson":
      return await readNdjson(schema, path);
    case "parquet":
      return readParquet(schema, path);
  }
}

/** The columns of a file without reading its rows (CSV, Parquet). */
function headerOnly(
  schema: RecordFileSchema,
  path: string,
  format: "csv" | "parquet",
): string[] {
  try {
    return format === "csv"
      ? pl.scanCSV(path, {
        inferSchemaLength: 0,
        raiseIfEmpty: false,
        encoding: "utf8-lossy",
      }).columns
      : pl.scanParquet(path).columns;
  } catch (err) {
    throw readError(
      schema,
      path,
      `not a readable ${format === "csv" ? "CSV" : "Parquet"} file (${
        errorMessage(err)
      })`,
      err,
    );
  }
}

/** The error of a file that holds no columns (blank lines, `{}` objects). */
function noColumns(schema: RecordFileSchema, path: string): FileLayoutError {
  return new FileLayoutError(
    path,
    `the file has no columns: nothing to load (expected ${
      schema.fields.filter((f) => f.required).map((f) => f.name).join(", ")
    })`,
  );
}

/**
 * Checks the header of the file at `path` against `schema` (CSV and Parquet
 * without reading a row; JSON and NDJSON are parsed whole) and returns how
 * its columns fill the fields.
 *
 * @throws {FileLayoutError} stage `config`: an empty file, an unknown format,
 *   a required column missing, a `map` or `symbol` that does not fit.
 * @throws {EtlError} stage `extract`: the file is missing or unreadable.
 */
export async function recordFileLayout(
  path: string,
  schema: RecordFileSchema,
  options: ReadRecordFileOptions = {},
): Promise<RecordFileLayout> {
  const format = formatOf(path, options.format);
  await checkFile(schema, path);
  const table = format === "csv" || format === "parquet"
    ? { columns: headerOnly(schema, path, format), height: 1 }
    : await readTable(schema, path, format).then((t) => ({
      columns: t.columns,
      height: t.frame.height,
    }));
  const { columns } = table;
  if (columns.length === 0 && (format === "csv" || format === "ndjson")) {
    throw noColumns(schema, path);
  }
  if (columns.length === 0 && table.height === 0) {
    return { columns, fields: new Map(), extras: new Map() };
  }
  return layoutOf(path, columns, schema, options);
}

/** Seconds, ms, µs per unit, as the factor to the unit polars keeps. */
const UNIT_OF: Record<TsUnit, { factor: number; unit: "ms" | "us" | "ns" }> = {
  s: { factor: 1000, unit: "ms" },
  ms: { factor: 1, unit: "ms" },
  us: { factor: 1, unit: "us" },
  ns: { factor: 1, unit: "ns" },
};

/**
 * The text of a time column with epoch numbers read in `unit`: all-digit
 * values become ISO-8601 UTC (`2000-01-03T00:00:00.000Z`), others stay.
 */
export function epochInUnit(text: pl.Expr, unit: TsUnit): pl.Expr {
  const { factor, unit: dtUnit } = UNIT_OF[unit];
  const digits = text.str.strip();
  const instant = digits.cast(pl.Int64, false).mul(factor)
    .cast(pl.Datetime(dtUnit, "UTC"));
  const format = dtUnit === "ms" ? "%.3f" : dtUnit === "us" ? "%.6f" : "%.9f";
  return pl.when(digits.str.contains("^[0-9]{1,18}$"))
    .then(instant.dt.strftime(`%Y-%m-%dT%H:%M:%S${format}Z`))
    .otherwise(text);
}

/**
 * Reads records from a CSV, JSON (array of objects), NDJSON or Parquet file
 * into a RAW frame shaped by `schema`: one Utf8 column per field (null
 * where an optional field has no column), `record`, then the extras
 * (`+<name>`) when `schema.extras`. See the module doc.
 *
 * @throws {FileLayoutError} stage `config` (the CLI exits 2): an empty file,
 *   an unknown format, a required column missing, a `map` or `symbol` that
 *   does not fit the file.
 * @throws {EtlError} stage `extract`, partition = `path`, not transient: the
 *   file is missing or unreadable, not valid JSON or not a JSON array.
 */
export async function readRecordFile(
  path: string,
  schema: RecordFileSchema,
  options: ReadRecordFileOptions = {},
): Promise<pl.DataFrame> {
  const format = formatOf(path, options.format);
  await checkFile(schema, path);
  const table = await readTable(schema, path, format);
  if (table.columns.length === 0 && table.frame.height === 0) {
    // Blank lines only (CSV, NDJSON), or an empty JSON array.
    if (format === "csv" || format === "ndjson") throw noColumns(schema, path);
    options.onWarning?.(`${baseName(path)} holds no records: nothing to load`);
    return pl.DataFrame(
      [...schema.fields.map((f) => f.name), "record"].map((c) =>
        pl.Series(c, [], pl.Utf8)
      ),
    );
  }
  const layout = layoutOf(path, table.columns, schema, options);
  if (table.frame.height === 0) {
    options.onWarning?.(
      `${baseName(path)} has a header but no records: nothing to load`,
    );
  }
  const frame = table.frame;
  return frame.select(
    ...schema.fields.map((field) => {
      const source = layout.fields.get(field.name);
      let expr = source === undefined
        ? pl.lit(null).cast(pl.Utf8)
        : "constant" in source
        ? pl.lit(source.constant).cast(pl.Utf8)
        : pl.col(source.column).cast(pl.Utf8);
      if (
        options.tsUnit !== undefined && field.name === schema.time &&
        source !== undefined && "column" in source
      ) {
        expr = epochInUnit(expr, options.tsUnit);
      }
      return expr.alias(field.name);
    }),
    pl.col(RECORD).alias("record"),
    ...[...layout.extras].map(([name, column]) =>
      pl.col(column).cast(pl.Utf8).alias(name)
    ),
  );
}
