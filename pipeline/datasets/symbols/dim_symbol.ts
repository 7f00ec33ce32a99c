/**
 * The load of the symbol dimension: a reference batch into `dim_symbol`
 * through the SCD2 merge, fed by a snapshot diff when one can be trusted,
 * and logged in `dim_symbol_loads`.
 *
 * Two ways to find what changed, with the same outcome:
 *
 * - **compare**: every symbol of the batch against its current version (and,
 *   for a full load, every current version against the batch);
 * - **diff**: when the lake holds an earlier `symbols_ref` snapshot (the
 *   newest before the load's date) that equals the current versions (same
 *   symbols, same row hashes: no load ran since it was taken, or nothing
 *   else changed), the batch is written to a temporary Parquet file and
 *   diffed against that snapshot in DuckDB; only the inserted, updated and
 *   deleted symbols are merged, and the diff is recorded in
 *   `etl_snapshot_diffs` (from the snapshot's date to the load's). Held
 *   symbols (only quarantined records named them) are left out of the diff:
 *   the merge keeps them, and so will the next snapshot.
 *
 * A snapshot that does not match (a run with `--no-snapshot` or a crash
 * between the commit and the snapshot) or cannot be read falls back to
 * compare, which is always right. Partial loads always compare.
 * @module
 */
import pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import { errorMessage } from "@pipeline/errors.ts";
import { sqlString } from "@pipeline/snapshot/sql_string.ts";
import { SYMBOL_ATTRIBUTES, SYMBOL_REF_FIELDS } from "@pipeline/symbols.ts";
import {
  mergeScd2,
  type Scd2Changes,
  type Scd2Result,
  type Scd2TableSpec,
} from "@pipeline/warehouse/scd2.ts";
import type { SnapshotDiff } from "@pipeline/warehouse/diff.ts";
import { recordSnapshotDiff } from "@pipeline/warehouse/diff_record.ts";

/** The symbol dimension: a version per change of a symbol's attributes. */
export const DIM_SYMBOL: Scd2TableSpec = Object.freeze({
  name: "dim_symbol",
  key: "symbol",
  attributes: SYMBOL_ATTRIBUTES,
});

/** The lake table (and Postgres view) of the reference as loaded. */
export const SYMBOLS_REF = "symbols_ref";

/** One run's reference, as the transform made it. */
export interface SymbolBatch {
  /** `SYMBOL_REF_FIELDS`, unique by symbol, sorted. */
  reference: pl.DataFrame;
  /** Symbols a full load must not close (see `transformSymbols`). */
  held: readonly string[];
  /** The run's clock: versions open and close at this instant. */
  asOf: Date;
  /** Whether the reference is complete (absent symbols close). */
  full: boolean;
}

/** Options of {@link loadDimSymbol}. */
export interface LoadDimSymbolOptions {
  /** The run id, stored on the versions it opens and closes. */
  loadId: string;
  /**
   * Holds `lake/` with earlier `symbols_ref` snapshots to diff against.
   * Default: none, so the load compares.
   */
  dataDir?: string | undefined;
}

/** What {@link loadDimSymbol} did. */
export interface DimSymbolLoad {
  merge: Scd2Result;
  /** How the changes were found. */
  method: "compare" | "diff";
  /** The snapshot diffed against (method `diff`). */
  diff: SnapshotDiff | null;
  /** Why an earlier snapshot was not used, when there was one. */
  fallback: string | null;
}

/** Count and fingerprint of (symbol, row_hash) pairs. */
interface Fingerprint {
  n: number;
  fp: string;
}

/** The fingerprint of the current versions. */
async function currentFingerprint(tx: SqlClient): Promise<Fingerprint> {
  const { rows: [row] } = await tx.query<Fingerprint>(
    `SELECT count(*)::int AS n,
            md5(coalesce(string_agg(symbol || ':' || row_hash, ','
                                    ORDER BY symbol COLLATE "C"), '')) AS fp
     FROM dim_symbol WHERE is_current`,
  );
  return row ?? { n: 0, fp: "" };
}

/** The fingerprint of a `symbols_ref` snapshot, computed in DuckDB. */
async function snapshotFingerprint(
  files: readonly string[],
): Promise<Fingerprint> {
  // Loaded here: runs of other datasets do not load DuckDB for this.
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  try {
    const conn = await instance.connect();
    try {
      const [row] = (await conn.runAndReadAll(
        `SELECT count(*)::INTEGER AS n,
                md5(coalesce(string_agg(symbol || ':' || row_hash, ','
                                        ORDER BY symbol), '')) AS fp
         FROM read_parquet([${
          files.map(sqlString).join(", ")
        }], hive_partitioning = false)`,
      )).getRowObjectsJson();
      return { n: Number(row?.n ?? -1), fp: String(row?.fp ?? "") };
    } finally {
      conn.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/**
 * The diff of `batch` against the newest earlier snapshot, or why there is
 * none to trust.
 */
async function diffAgainstSnapshot(
  tx: SqlClient,
  batch: SymbolBatch,
  lakeDir: string,
): Promise<{ diff: SnapshotDiff | null; fallback: string | null }> {
  // Loaded here (DuckDB and the lake): runs of other datasets do not.
  const { diffParquet, latestSnapshotBefore } = await import(
    "@pipeline/warehouse/diff.ts"
  );
  const to = batch.asOf.toISOString().slice(0, 10);
  const base = await latestSnapshotBefore(lakeDir, SYMBOLS_REF, to);
  if (!base) return { diff: null, fallback: null };
  const [current, snapshot] = [
    await currentFingerprint(tx),
    await snapshotFingerprint(base.files),
  ];
  if (current.n !== snapshot.n || current.fp !== snapshot.fp) {
    return {
      diff: null,
      fallback:
        `the ${SYMBOLS_REF} snapshot of ${base.date} (${snapshot.n} symbols) differs from the ${current.n} current versions`,
    };
  }
  const dir = await Deno.makeTempDir({ prefix: "sluice_symbols_" });
  try {
    const incoming = `${dir}/reference.parquet`;
    batch.reference.select(...SYMBOL_REF_FIELDS).writeParquet(incoming);
    const keys = await diffParquet({
      from: base.files,
      to: [incoming],
      key: ["symbol"],
      columns: SYMBOL_ATTRIBUTES,
      label: `${SYMBOLS_REF} ${base.date}..${to}`,
    });
    const held = new Set(batch.held);
    return {
      diff: {
        table: SYMBOLS_REF,
        key: ["symbol"],
        from: base.date,
        to,
        ...keys,
        deleted: keys.deleted.filter((k) => !held.has(String(k.symbol))),
      },
      fallback: null,
    };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/**
 * Loads `batch` into `dim_symbol` inside `tx` (the caller's transaction);
 * see the module doc.
 *
 * @throws EtlError (stage `load`) when the dimension has history after
 *   `batch.asOf`.
 */
export async function loadDimSymbol(
  tx: SqlClient,
  batch: SymbolBatch,
  options: LoadDimSymbolOptions,
): Promise<DimSymbolLoad> {
  const { loadId, dataDir } = options;
  // The same lock as the merge's, taken first so the snapshot check and the
  // merge see the same current versions.
  await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [
    `sluice.load.${DIM_SYMBOL.name}`,
  ]);
  let diff: SnapshotDiff | null = null;
  let fallback: string | null = null;
  if (dataDir !== undefined && batch.full && batch.reference.height > 0) {
    try {
      ({ diff, fallback } = await diffAgainstSnapshot(
        tx,
        batch,
        `${dataDir}/lake`,
      ));
    } catch (err) {
      fallback = `cannot diff against the ${SYMBOLS_REF} snapshot: ${
        errorMessage(err)
      }`;
    }
  }
  const changes: Scd2Changes | undefined = diff
    ? {
      changed: [...diff.inserted, ...diff.updated].map((k) => String(k.symbol)),
      deleted: diff.deleted.map((k) => String(k.symbol)),
    }
    : undefined;
  const merge = await mergeScd2(tx, DIM_SYMBOL, batch.reference, {
    loadId,
    asOf: batch.asOf,
    full: batch.full,
    held: batch.held,
    changes,
  });
  if (diff) await recordSnapshotDiff(tx, diff, { runId: loadId });
  await tx.query(
    `INSERT INTO dim_symbol_loads (load_id, as_of, full_load, method,
       base_date, rows, opened, closed, unchanged)
     VALUES ($1::uuid, $2::timestamptz, $3, $4, $5::date, $6, $7, $8, $9)
     ON CONFLICT (load_id) DO UPDATE SET as_of = excluded.as_of,
       full_load = excluded.full_load, method = excluded.method,
       base_date = excluded.base_date, rows = excluded.rows,
       opened = excluded.opened, closed = excluded.closed,
       unchanged = excluded.unchanged, recorded_at = now()`,
    [
      loadId,
      batch.asOf.toISOString(),
      batch.full,
      diff ? "diff" : "compare",
      diff?.from ?? null,
      merge.rows,
      merge.opened,
      merge.closed,
      merge.unchanged,
    ],
  );
  return { merge, method: diff ? "diff" : "compare", diff, fallback };
}
