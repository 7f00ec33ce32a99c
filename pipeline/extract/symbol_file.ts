/**
 * The file source of symbol reference data (`--source file --dataset
 * symbols`): records from a CSV, JSON (an array of objects), NDJSON or
 * Parquet file, as the RAW reference frame of `@pipeline/symbols.ts`.
 *
 * As for bar files (`@pipeline/extract/file.ts`, whose format detection and
 * JSON text rules it shares), values keep their text so bad ones reach
 * validation intact, column names match case-insensitively after trimming,
 * extra columns are ignored and a missing one becomes all null. A file with
 * none of the reference columns is an error: it is not a reference file,
 * and loading it as an empty full reference would be wrong.
 * @module
 */
import pl from "nodejs-polars";
import { z } from "zod";
import { errorMessage, EtlError } from "@pipeline/errors.ts";
import {
  type BarFileFormat,
  barFileFormat,
  baseName,
  jsonText,
} from "@pipeline/extract/file.ts";
import { SYMBOL_REF_FIELDS, type SymbolRefField } from "@pipeline/symbols.ts";

/** An extract error about the file at `path` (never transient). */
function fileError(
  path: string,
  message: string,
  cause?: unknown,
): EtlError {
  return new EtlError(`cannot read symbol file ${path}: ${message}`, {
    stage: "extract",
    partition: path,
    transient: false,
    cause,
  });
}

/** The reference field a column name stands for (` Name ` → `name`), if any. */
function fieldOf(column: string): SymbolRefField | undefined {
  const key = column.trim().toLowerCase();
  return (SYMBOL_REF_FIELDS as readonly string[]).includes(key)
    ? key as SymbolRefField
    : undefined;
}

/** The error for a file whose columns or keys name no reference field. */
function notReference(path: string, found: readonly string[]): EtlError {
  return fileError(
    path,
    `no reference columns (${SYMBOL_REF_FIELDS.join(", ")}) in ${
      JSON.stringify(found.slice(0, 20))
    }`,
  );
}

/** An empty raw reference frame. */
function emptyFrame(): pl.DataFrame {
  return pl.DataFrame(
    [...SYMBOL_REF_FIELDS, "record"].map((c) => pl.Series(c, [], pl.Utf8)),
  );
}

/**
 * The raw frame of a frame read from a CSV or Parquet file: each field from
 * the first column naming it, as text (`toText`), and `record`.
 */
function rawFromColumns(options: {
  path: string;
  frame: pl.DataFrame;
  toText: (column: string) => pl.Expr;
  record: (index: pl.Expr) => pl.Expr;
}): pl.DataFrame {
  const { path, frame, toText, record } = options;
  if (frame.width === 0) return emptyFrame();
  const found = new Map<SymbolRefField, string>();
  for (const column of frame.columns) {
    const field = fieldOf(column);
    if (field !== undefined && !found.has(field)) found.set(field, column);
  }
  if (found.size === 0) throw notReference(path, frame.columns);
  const index = pl.intRange(0, frame.height, 1, pl.Int64, false);
  return frame.select(
    ...SYMBOL_REF_FIELDS.map((field) => {
      const column = found.get(field);
      return (column === undefined
        ? pl.lit(null).cast(pl.Utf8)
        : toText(column)).alias(field);
    }),
    record(index).alias("record"),
  );
}

/** Reads a CSV file as text; `record` is `<basename>:<line>`. */
function readCsv(path: string): pl.DataFrame {
  let frame: pl.DataFrame;
  try {
    frame = pl.scanCSV(path, {
      inferSchemaLength: 0,
      truncateRaggedLines: true,
      raiseIfEmpty: false,
    }).collectSync();
  } catch (err) {
    throw fileError(
      path,
      `not a readable CSV file (${errorMessage(err)})`,
      err,
    );
  }
  const name = baseName(path);
  const raw = rawFromColumns({
    path,
    frame,
    toText: (c) => pl.col(c).cast(pl.Utf8),
    record: (i) =>
      pl.concatString([
        pl.lit(`${name}:`),
        i.add(2).cast(pl.Int64).cast(pl.Utf8),
      ], ""),
  });
  // Blank lines: every field null.
  return raw.filter(
    pl.allHorizontal(SYMBOL_REF_FIELDS.map((f) => pl.col(f).isNull())).not(),
  );
}

/** Reads a Parquet file; `record` is `<basename>[<index>]`. */
function readParquetFile(path: string): pl.DataFrame {
  let frame: pl.DataFrame;
  try {
    frame = pl.scanParquet(path).collectSync();
  } catch (err) {
    throw fileError(
      path,
      `not a readable Parquet file (${errorMessage(err)})`,
      err,
    );
  }
  const name = baseName(path);
  return rawFromColumns({
    path,
    frame,
    toText: (c) => pl.col(c).cast(pl.Utf8),
    record: (i) =>
      pl.concatString([pl.lit(`${name}[`), i.cast(pl.Utf8), pl.lit("]")], ""),
  });
}

/** A plain JSON object (not null, not an array). */
const JsonObjectSchema = z.record(z.string(), z.unknown());

/**
 * The raw frame of parsed JSON records: objects give their fields (keys
 * matched case-insensitively), anything else a record with every field null.
 */
function rawFromRecords(options: {
  path: string;
  records: unknown[];
  names: string[];
}): pl.DataFrame {
  const { path, records, names } = options;
  const columns = new Map<SymbolRefField, (string | null)[]>(
    SYMBOL_REF_FIELDS.map((f) => [f, new Array(records.length).fill(null)]),
  );
  let objects = 0, matched = 0;
  const keys = new Set<string>();
  records.forEach((record, i) => {
    const parsed = JsonObjectSchema.safeParse(record);
    if (!parsed.success || Array.isArray(record)) return;
    objects++;
    for (const [key, value] of Object.entries(parsed.data)) {
      keys.add(key);
      const field = fieldOf(key);
      const column = field === undefined ? undefined : columns.get(field);
      if (column === undefined || column[i] !== null) continue;
      column[i] = jsonText(value);
      matched++;
    }
  });
  if (objects > 0 && matched === 0) throw notReference(path, [...keys]);
  return pl.DataFrame([
    ...SYMBOL_REF_FIELDS.map((f) =>
      pl.Series(f, columns.get(f) ?? [], pl.Utf8)
    ),
    pl.Series("record", names, pl.Utf8),
  ]);
}

/** The text of the file at `path`, or an extract error naming it. */
async function readText(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    throw fileError(path, errorMessage(err), err);
  }
}

/** Reads a JSON array of objects; `record` is `<basename>[<index>]`. */
async function readJson(path: string): Promise<pl.DataFrame> {
  let data: unknown;
  try {
    data = JSON.parse(await readText(path));
  } catch (err) {
    if (err instanceof EtlError) throw err;
    throw fileError(path, `not valid JSON (${errorMessage(err)})`, err);
  }
  if (!Array.isArray(data)) {
    throw fileError(
      path,
      `expected a JSON array of objects, got ${
        data === null ? "null" : typeof data
      }`,
    );
  }
  const name = baseName(path);
  return rawFromRecords({
    path,
    records: data,
    names: data.map((_, i) => `${name}[${i}]`),
  });
}

/** Reads NDJSON, one object per line; `record` is `<basename>:<line>`. */
async function readNdjson(path: string): Promise<pl.DataFrame> {
  const name = baseName(path);
  const records: unknown[] = [];
  const names: string[] = [];
  (await readText(path)).split(/\r?\n/).forEach((line, i) => {
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

/** Options of {@link readSymbolFile}. */
export interface ReadSymbolFileOptions {
  /** The file format. Default: from the extension (`barFileFormat`). */
  format?: BarFileFormat | undefined;
}

/**
 * Reads reference records from a CSV, JSON (array of objects), NDJSON or
 * Parquet file into a RAW reference frame: columns symbol, name, exchange,
 * currency, sector (Utf8, null where missing) and `record` (`refs.csv:2`,
 * `refs.json[0]`).
 *
 * @throws {EtlError} stage `extract`, partition = `path`, not transient: the
 * file is missing or unreadable, its format is unknown, it is not a JSON
 * array, or it has none of the reference columns.
 *
 * @example
 * ```ts
 * import { readSymbolFile } from "@pipeline/extract/symbol_file.ts";
 * const raw = await readSymbolFile("data/samples/symbols.csv");
 * raw.getColumn("record").get(0); // "symbols.csv:2"
 * ```
 */
export async function readSymbolFile(
  path: string,
  options: ReadSymbolFileOptions = {},
): Promise<pl.DataFrame> {
  const { format = barFileFormat(path) } = options;
  if (format === undefined) {
    throw fileError(
      path,
      "unknown format; use one of .csv, .json, .ndjson, .jsonl, .parquet",
    );
  }
  try {
    if (!(await Deno.stat(path)).isFile) throw fileError(path, "not a file");
  } catch (err) {
    if (err instanceof EtlError) throw err;
    throw fileError(path, errorMessage(err), err);
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
