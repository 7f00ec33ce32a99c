/**
 * One capture of an operational database: every declared table read in one
 * consistent snapshot, landed in the lake, and loaded in one warehouse
 * transaction.
 *
 * 1. **Extract** (source transaction `WITH CONSISTENT SNAPSHOT`): each
 *    table by keyset pages into a CSV file under a temporary directory;
 *    incremental tables only from their watermark minus the lag.
 * 2. **Land**: each CSV as `<lake>/<table>/date=<as-of date>/<run id>.parquet`
 *    (the whole table for full and snapshot-diff captures, the rows read
 *    for incremental ones).
 * 3. **Diff** (snapshot_diff tables): the new snapshot against the last one
 *    a committed run landed (recorded in `etl_db_extracts`), in DuckDB
 *    (`@pipeline/warehouse/diff.ts`); without one (first run, file gone,
 *    `compare`), every key is compared.
 * 4. **Load** (one Postgres transaction): each table staged by COPY into a
 *    temporary table and handed to its dataset's `load`; the extract log
 *    and the watermarks advance in the same transaction.
 * 5. Lake files of runs that never committed are removed.
 *
 * A kill at any point before the commit leaves the warehouse as it was;
 * the re-run reads again from the same watermarks: exact.
 * @module
 */
import { join } from "node:path";
import type { SqlClient } from "@pipeline/load/client.ts";
import type {
  KeyChanges,
  TableColumn,
  TableDataset,
} from "@pipeline/datasets/table_dataset.ts";
import type { UpsertResult } from "@pipeline/load/upsert.ts";
import type { SourceReader } from "@pipeline/extract/database/reader.ts";
import {
  type ExtractedTable,
  extractTable,
  sourceTime,
} from "@pipeline/extract/database/keyset.ts";
import { csvToParquet } from "@pipeline/extract/database/land.ts";
import { diffParquet } from "@pipeline/warehouse/diff.ts";
import { migrateToLatest } from "@pipeline/load/migrate.ts";
import { errorMessage, EtlError } from "@pipeline/errors.ts";

/** Options of {@link captureDatabase}. */
export interface CaptureOptions {
  /** Where the lake is (`<dataDir>/lake`). */
  dataDir: string;
  /** The run's clock: snapshot date, SCD2 instants. */
  asOf: Date;
  /** The run's id (lake file names, `load_id`). */
  runId?: string | undefined;
  /** Compare every key of snapshot_diff tables instead of diffing. */
  compare?: boolean | undefined;
  /** Override every incremental table's lag. */
  lagMs?: number | undefined;
  /** Ignore watermarks: read incremental tables whole. */
  noIncremental?: boolean | undefined;
  pageSize?: number | undefined;
  log?: ((line: string) => void) | undefined;
  signal?: AbortSignal | undefined;
  /** Called after the extract, before the load (tests kill here). */
  afterExtract?: (() => Promise<void>) | undefined;
}

/** What one table's capture did. */
export interface TableCapture {
  dataset: string;
  mode: TableDataset["capture"]["mode"];
  /** How changes were found: rows read, a snapshot diff, or a full compare. */
  method: "incremental" | "full" | "diff" | "compare";
  extracted: number;
  since: string | null;
  diff:
    | { base: string; inserted: number; updated: number; deleted: number }
    | null;
  lakeFile: string;
  results: UpsertResult[];
}

/** What {@link captureDatabase} did. */
export interface CaptureReport {
  runId: string;
  source: string;
  asOf: string;
  tables: TableCapture[];
}

interface Prepared {
  dataset: TableDataset;
  extracted: ExtractedTable;
  since: string | null;
  lakeFile: string;
  changes: KeyChanges | null;
  diff: TableCapture["diff"];
  method: TableCapture["method"];
}

const PG_TYPES: Record<TableColumn["type"], string> = {
  bigint: "bigint",
  int: "integer",
  text: "text",
  numeric: "numeric",
  timestamp: "timestamptz",
};

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;
function ident(name: string): string {
  if (!IDENT.test(name)) throw new TypeError(`invalid identifier ${name}`);
  return `"${name}"`;
}

/** The chunks of a file, read synchronously (for COPY's iterable). */
function* fileChunks(path: string, size = 1 << 20): Generator<Uint8Array> {
  const file = Deno.openSync(path, { read: true });
  try {
    for (;;) {
      const buf = new Uint8Array(size);
      const n = file.readSync(buf);
      if (n === null || n === 0) return;
      yield buf.subarray(0, n);
    }
  } finally {
    file.close();
  }
}

/** The watermarks and last snapshots of `datasets` for `source`. */
async function readState(
  client: SqlClient,
  source: string,
): Promise<{
  watermarks: Map<string, Date>;
  snapshots: Map<string, { path: string; date: string }>;
}> {
  const { rows: marks } = await client.query<
    { dataset: string; watermark: Date | string }
  >(
    "SELECT dataset, watermark FROM etl_db_watermarks WHERE source = $1",
    [source],
  );
  const { rows: snaps } = await client.query<
    { dataset: string; lake_path: string; snapshot_date: string }
  >(
    `SELECT DISTINCT ON (dataset) dataset, lake_path,
            to_char(snapshot_date, 'YYYY-MM-DD') AS snapshot_date
     FROM etl_db_extracts
     WHERE source = $1 AND capture = 'snapshot_diff'
     ORDER BY dataset, as_of DESC, recorded_at DESC`,
    [source],
  );
  return {
    watermarks: new Map(marks.map((m) => [m.dataset, new Date(m.watermark)])),
    snapshots: new Map(
      snaps.map((
        s,
      ) => [s.dataset, { path: s.lake_path, date: s.snapshot_date }]),
    ),
  };
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** Captures `datasets` from `reader` into `client`; see the module doc. */
export async function captureDatabase(
  reader: SourceReader,
  client: SqlClient,
  datasets: readonly TableDataset[],
  options: CaptureOptions,
): Promise<CaptureReport> {
  const { dataDir, asOf, log = () => {}, signal } = options;
  const runId = options.runId ?? crypto.randomUUID();
  const date = asOf.toISOString().slice(0, 10);
  const lakeDir = join(dataDir, "lake");
  await migrateToLatest(client);
  const state = await readState(client, reader.name);
  const work = await Deno.makeTempDir({ prefix: "sluice_db_" });
  try {
    // 1. Extract, all tables in one snapshot.
    const prepared: Prepared[] = [];
    await reader.beginSnapshot();
    try {
      for (const dataset of datasets) {
        let since: string | null = null;
        if (dataset.capture.mode === "incremental" && !options.noIncremental) {
          const mark = state.watermarks.get(dataset.name);
          if (mark) {
            const lag = options.lagMs ?? dataset.capture.lagMs;
            since = sourceTime(new Date(mark.getTime() - lag));
          }
        }
        const extracted = await extractTable(reader, dataset, {
          path: join(work, `${dataset.name}.csv`),
          since: since ?? undefined,
          pageSize: options.pageSize,
          signal,
        });
        log(
          `extract: ${dataset.name}: ${extracted.rows} rows in ${extracted.pages} pages${
            since
              ? ` (${
                dataset.capture.mode === "incremental"
                  ? dataset.capture.cursor
                  : ""
              } >= ${since})`
              : ""
          }`,
        );
        prepared.push({
          dataset,
          extracted,
          since,
          lakeFile: join(
            lakeDir,
            dataset.name,
            `date=${date}`,
            `${runId}.parquet`,
          ),
          changes: null,
          diff: null,
          method: dataset.capture.mode === "incremental"
            ? (since ? "incremental" : "full")
            : dataset.capture.mode === "full"
            ? "full"
            : "compare",
        });
      }
    } finally {
      await reader.endSnapshot().catch(() => {});
    }
    await options.afterExtract?.();
    // 2. Land, 3. diff.
    for (const p of prepared) {
      signal?.throwIfAborted();
      await Deno.mkdir(join(p.lakeFile, ".."), { recursive: true });
      await csvToParquet(p.extracted.path, p.lakeFile, p.dataset.columns, {
        rows: p.extracted.rows,
        label: `${p.dataset.name} date=${date}`,
      });
      if (p.dataset.capture.mode !== "snapshot_diff" || options.compare) {
        continue;
      }
      const base = state.snapshots.get(p.dataset.name);
      if (!base || !await exists(base.path)) {
        if (base) {
          log(
            `diff: ${p.dataset.name}: the snapshot of ${base.date} is gone; comparing every key`,
          );
        }
        continue;
      }
      const keys = await diffParquet({
        from: [base.path],
        to: [p.lakeFile],
        key: [p.dataset.key],
        label: `${p.dataset.name} ${base.date}..${date}`,
      });
      const text = (ks: typeof keys.inserted) =>
        ks.map((k) => String(k[p.dataset.key]));
      p.changes = {
        changed: [...text(keys.inserted), ...text(keys.updated)],
        deleted: text(keys.deleted),
      };
      p.diff = {
        base: base.date,
        inserted: keys.inserted.length,
        updated: keys.updated.length,
        deleted: keys.deleted.length,
      };
      p.method = "diff";
      log(
        `diff: ${p.dataset.name} ${base.date}..${date}: ${keys.inserted.length} inserted, ${keys.updated.length} updated, ${keys.deleted.length} deleted`,
      );
    }
    signal?.throwIfAborted();
    // 4. Load, one transaction.
    const tables = await client.transaction(async (tx) => {
      await tx.exec("SET LOCAL TIME ZONE 'UTC'");
      await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [
        `sluice.db.${reader.name}`,
      ]);
      const out: TableCapture[] = [];
      for (const p of prepared) {
        const stage = `stage_db_${p.dataset.name}`;
        await tx.exec(
          `CREATE TEMP TABLE ${ident(stage)} (${
            p.dataset.columns.map((c) => `${ident(c.name)} ${PG_TYPES[c.type]}`)
              .join(", ")
          }, PRIMARY KEY (${ident(p.dataset.key)})) ON COMMIT DROP`,
        );
        if (p.extracted.rows > 0) {
          await tx.copyFrom(
            `COPY ${ident(stage)} (${
              p.dataset.columns.map((c) => ident(c.name)).join(", ")
            }) FROM STDIN (FORMAT csv)`,
            fileChunks(p.extracted.path),
          );
        }
        const results = await p.dataset.load(tx, {
          table: stage,
          rows: p.extracted.rows,
          whole: p.dataset.capture.mode !== "incremental",
          changes: p.changes,
        }, { loadId: runId, asOf });
        await tx.exec(`DROP TABLE ${ident(stage)}`);
        let watermark: string | null = null;
        if (p.extracted.maxCursor !== null) {
          watermark = `${p.extracted.maxCursor.replace(" ", "T")}Z`;
          await tx.query(
            `INSERT INTO etl_db_watermarks (source, dataset, watermark)
             VALUES ($1, $2, $3::timestamptz)
             ON CONFLICT (source, dataset) DO UPDATE
             SET watermark = GREATEST(etl_db_watermarks.watermark, excluded.watermark),
                 updated_at = now()`,
            [reader.name, p.dataset.name, watermark],
          );
        }
        await tx.query(
          `INSERT INTO etl_db_extracts (source, dataset, run_id, as_of,
             snapshot_date, capture, method, rows, since, watermark, lake_path,
             diff_base, inserted, updated, deleted)
           VALUES ($1, $2, $3::uuid, $4::timestamptz, $5::date, $6, $7, $8,
             $9::timestamptz, $10::timestamptz, $11, $12::date, $13, $14, $15)`,
          [
            reader.name,
            p.dataset.name,
            runId,
            asOf.toISOString(),
            date,
            p.dataset.capture.mode,
            p.method,
            p.extracted.rows,
            p.since === null ? null : `${p.since.replace(" ", "T")}Z`,
            watermark,
            p.lakeFile,
            p.diff?.base ?? null,
            p.diff?.inserted ?? null,
            p.diff?.updated ?? null,
            p.diff?.deleted ?? null,
          ],
        );
        out.push({
          dataset: p.dataset.name,
          mode: p.dataset.capture.mode,
          method: p.method,
          extracted: p.extracted.rows,
          since: p.since,
          diff: p.diff,
          lakeFile: p.lakeFile,
          results,
        });
      }
      return out;
    });
    // 5. Lake files of runs that never committed.
    await removeOrphans(client, lakeDir, reader.name, datasets).catch((err) =>
      log(
        `snapshot: cannot remove uncommitted lake files: ${errorMessage(err)}`,
      )
    );
    return { runId, source: reader.name, asOf: asOf.toISOString(), tables };
  } catch (err) {
    if (err instanceof EtlError) throw err;
    if (signal?.aborted) throw err;
    throw new EtlError(
      `capture of ${reader.name} failed: ${errorMessage(err)}`,
      {
        stage: "load",
        partition: reader.name,
        cause: err,
      },
    );
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

/** Removes the lake files of `datasets` no committed extract recorded. */
async function removeOrphans(
  client: SqlClient,
  lakeDir: string,
  source: string,
  datasets: readonly TableDataset[],
): Promise<void> {
  const { rows } = await client.query<{ lake_path: string }>(
    "SELECT lake_path FROM etl_db_extracts WHERE source = $1",
    [source],
  );
  const kept = new Set(rows.map((r) => r.lake_path));
  for (const dataset of datasets) {
    const dir = join(lakeDir, dataset.name);
    if (!await exists(dir)) continue;
    for await (const part of Deno.readDir(dir)) {
      if (!part.isDirectory) continue;
      for await (const f of Deno.readDir(join(dir, part.name))) {
        const path = join(dir, part.name, f.name);
        if (f.isFile && f.name.endsWith(".parquet") && !kept.has(path)) {
          await Deno.remove(path);
        }
      }
    }
  }
}
