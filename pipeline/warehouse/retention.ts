/**
 * Retention: range partitions whose whole range is older than now minus the
 * table's retention age move to the Parquet lake. Per partition, in order:
 *
 * 1. **export and detach** (one transaction holding the table's load lock,
 *    so no load can add rows meanwhile): the partition's UTC dates are
 *    snapshotted into `<dataDir>/lake/<table>/date=YYYY-MM-DD/` with
 *    `snapshotTables` (registered in `analytics.duckdb`), the Parquet files
 *    are read back and their row count must equal the partition's, then
 *    `ALTER TABLE ... DETACH PARTITION` and a row in `etl_retention`;
 * 2. **drop**: `DROP TABLE` of the detached partition, `dropped_at` set.
 *
 * A crash inside step 1 rolls it back (the partition stays attached; files
 * already in the lake hold the same rows and are rewritten by the rerun); a
 * crash between the steps leaves an `etl_retention` row without
 * `dropped_at`, which the next run finishes after checking the lake files
 * again. The DEFAULT partition is never touched.
 * @module
 */
import { DuckDBInstance } from "@duckdb/node-api";
import type { SqlClient } from "@pipeline/load/client.ts";
import { type Clock, systemClock } from "@pipeline/clock.ts";
import { errorMessage, EtlError } from "@pipeline/errors.ts";
import { snapshotTables } from "@pipeline/snapshot/lake.ts";
import { withLakeLock } from "@pipeline/snapshot/lake_lock.ts";
import { periodsOf } from "@pipeline/snapshot/granularity.ts";
import { DATASETS, lakeTables } from "@pipeline/datasets/mod.ts";
import { sqlString } from "@pipeline/snapshot/catalog.ts";
import { readPartitioning } from "@pipeline/warehouse/config.ts";
import {
  listPartitions,
  type PartitionKey,
  partitionKey,
} from "@pipeline/warehouse/partitions.ts";
import { ident } from "@pipeline/warehouse/_sql.ts";

/** The durable steps of archiving one partition. */
export type RetentionStep = "exported" | "detached" | "dropped";

/** Reported to {@link RetentionOptions.onStep} after each step. */
export interface RetentionStepEvent {
  table: string;
  partition: string;
  step: RetentionStep;
}

/** Options of {@link applyRetention}. */
export interface RetentionOptions {
  /** The warehouse. */
  client: SqlClient;
  /** Holds `lake/` and `analytics.duckdb`. */
  dataDir: string;
  /**
   * Archive partitions older than this many milliseconds, instead of each
   * table's configured `etl_partitioning.retention`. Default: configured.
   */
  olderThanMs?: number | undefined;
  /** Only these tables (each configured in `etl_partitioning`). Default all. */
  tables?: readonly string[] | undefined;
  /** Report what would be done; change nothing. Default false. */
  dryRun?: boolean | undefined;
  /** "Now", for the age of partitions and the timestamps. Default the system clock. */
  clock?: Clock | undefined;
  /** Recorded in `etl_retention.run_id`. Default a new UUID. */
  runId?: string | undefined;
  /**
   * Called after each step of a partition (`exported` still inside the
   * step-1 transaction). An error it throws stops the run at that point, as
   * a crash would: tests use it. Default none.
   */
  onStep?:
    | ((event: RetentionStepEvent) => void | Promise<void>)
    | undefined;
}

/** What happened (or, in a dry run, would happen) to one partition. */
export interface RetentionPartitionResult {
  table: string;
  partition: string;
  /** The partition's range, `[from, to)`. */
  from: Date;
  to: Date;
  /** Rows of the partition (exported, or to be exported). */
  rows: number;
  /** The lake files holding its rows (empty in a dry run). */
  files: string[];
  /**
   * `archived`: exported, detached and dropped by this run; `finished`:
   * detached by an earlier, interrupted run and dropped by this one;
   * `would-archive` and `would-finish`: the same, in a dry run.
   */
  action: "archived" | "finished" | "would-archive" | "would-finish";
}

/** One table's retention. */
export interface RetentionTableResult {
  table: string;
  /** The retention age applied (Postgres interval text); null: none configured. */
  retention: string | null;
  /** Partitions ending at or before this instant were archived; null with no retention. */
  horizon: Date | null;
  /** Partitions handled, oldest first. */
  partitions: RetentionPartitionResult[];
}

/** What {@link applyRetention} did. */
export interface RetentionResult {
  runId: string;
  dryRun: boolean;
  /** "Now" of the run. */
  at: Date;
  tables: RetentionTableResult[];
  /**
   * Failures (stage `retention`, partition `<table> <partition>`), at most
   * one per table: a table's later partitions are not tried after one fails.
   */
  errors: EtlError[];
}

/**
 * Applies the retention of every configured table (or `options.tables`).
 * Failures of a partition are reported in `errors`, not thrown; it throws
 * only when the configuration cannot be read or names an unknown table.
 *
 * @example Archive bars older than 90 days
 * ```ts ignore
 * const result = await applyRetention({ client, dataDir: "data", olderThanMs: 90 * 86_400_000, tables: ["bars_1m"] });
 * ```
 */
export async function applyRetention(
  options: RetentionOptions,
): Promise<RetentionResult> {
  const {
    client,
    dataDir,
    olderThanMs,
    dryRun = false,
    clock = systemClock,
    runId = crypto.randomUUID(),
    onStep = () => {},
  } = options;
  const at = clock.now();
  const configs = await readPartitioning(client);
  const wanted = options.tables ?? configs.map((c) => c.table);
  for (const table of wanted) {
    if (!configs.some((c) => c.table === table)) {
      throw new EtlError(
        `table ${JSON.stringify(table)} is not partitioned by Sluice ` +
          `(etl_partitioning has ${configs.map((c) => c.table).join(", ")})`,
        { stage: "retention", partition: String(table) },
      );
    }
  }
  const result: RetentionResult = {
    runId,
    dryRun,
    at,
    tables: [],
    errors: [],
  };
  const ctx = { client, dataDir, clock, runId, onStep, dryRun };
  for (const config of configs.filter((c) => wanted.includes(c.table))) {
    const { table } = config;
    const retention = olderThanMs !== undefined
      ? intervalOf(olderThanMs)
      : config.retention;
    const entry: RetentionTableResult = {
      table,
      retention,
      horizon: null,
      partitions: [],
    };
    result.tables.push(entry);
    let current = "";
    try {
      const key = await partitionKey(client, table);
      if (!key) {
        throw new EtlError(`table ${table} is not partitioned by range`, {
          stage: "retention",
          partition: table,
        });
      }
      for (const pending of await pendingArchives(client, table)) {
        current = pending.partition;
        entry.partitions.push(await finishPending(ctx, pending));
      }
      if (retention === null) continue;
      entry.horizon = await horizonOf(client, at, retention);
      const old = (await listPartitions(client, table)).filter((p) =>
        !p.isDefault && p.from !== null && p.to !== null &&
        p.to.getTime() <= entry.horizon!.getTime()
      );
      for (const p of old) {
        current = p.name;
        entry.partitions.push(
          await archivePartition(ctx, {
            table,
            key,
            partition: p.name,
            from: p.from!,
            to: p.to!,
          }),
        );
      }
    } catch (err) {
      result.errors.push(
        err instanceof EtlError && err.stage === "retention"
          ? err
          : new EtlError(
            `cannot apply the retention of ${table}${
              current ? ` to partition ${current}` : ""
            }: ${errorMessage(err)}`,
            {
              stage: "retention",
              partition: current ? `${table} ${current}` : table,
              runId,
              transient: isTransient(err),
              cause: err,
            },
          ),
      );
    }
  }
  return result;
}

/** What the steps share. */
interface StepContext {
  client: SqlClient;
  dataDir: string;
  clock: Clock;
  runId: string;
  dryRun: boolean;
  onStep: (event: RetentionStepEvent) => void | Promise<void>;
}

/** An `etl_retention` row whose partition was detached but not dropped. */
interface PendingArchive {
  id: string;
  table: string;
  partition: string;
  from: Date;
  to: Date;
  rows: number;
  files: string[];
}

async function pendingArchives(
  client: SqlClient,
  table: string,
): Promise<PendingArchive[]> {
  const { rows } = await client.query<{
    id: string;
    partition_name: string;
    range_from: Date;
    range_to: Date;
    rows: string | number;
    exported_files: string[] | string;
  }>(
    `SELECT id::text AS id, partition_name, range_from, range_to, rows,
            exported_files
       FROM etl_retention
      WHERE table_name = $1 AND dropped_at IS NULL
      ORDER BY range_from`,
    [table],
  );
  return rows.map((r) => ({
    id: r.id,
    table,
    partition: r.partition_name,
    from: new Date(r.range_from),
    to: new Date(r.range_to),
    rows: Number(r.rows),
    files: typeof r.exported_files === "string"
      ? JSON.parse(r.exported_files)
      : r.exported_files,
  }));
}

/** Milliseconds as Postgres interval text in the largest whole unit: `45 days`. */
function intervalOf(ms: number): string {
  const units: [string, number][] = [
    ["days", 86_400_000],
    ["hours", 3_600_000],
    ["minutes", 60_000],
    ["seconds", 1000],
  ];
  const n = Math.round(ms);
  for (const [unit, size] of units) {
    if (n !== 0 && n % size === 0) return `${n / size} ${unit}`;
  }
  return `${n} milliseconds`;
}

/** `at - retention`, with Postgres' interval arithmetic (months, days). */
async function horizonOf(
  client: SqlClient,
  at: Date,
  retention: string,
): Promise<Date> {
  const { rows } = await client.query<{ horizon: Date }>(
    "SELECT $1::timestamptz - $2::interval AS horizon",
    [at.toISOString(), retention],
  );
  return new Date(rows[0]!.horizon);
}

/** The UTC day after a `YYYY-MM-DD` date. */
function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString()
    .slice(0, 10);
}

/** The UTC dates `[from, to)` covers; throws unless both fall on midnight. */
function datesOf(table: string, partition: string, from: Date, to: Date) {
  const day = 86_400_000;
  if (from.getTime() % day !== 0 || to.getTime() % day !== 0) {
    throw new EtlError(
      `partition ${partition} of ${table} covers [${from.toISOString()}, ${to.toISOString()}), ` +
        `which does not fall on UTC day boundaries; the lake is partitioned by UTC date`,
      { stage: "retention", partition: `${table} ${partition}` },
    );
  }
  const dates: string[] = [];
  for (let t = from.getTime(); t < to.getTime(); t += day) {
    dates.push(new Date(t).toISOString().slice(0, 10));
  }
  return dates;
}

/** Rows in Parquet `files`, read back with DuckDB (0 for no files). */
async function parquetRows(files: readonly string[]): Promise<number> {
  if (files.length === 0) return 0;
  const instance = await DuckDBInstance.create(":memory:");
  try {
    const conn = await instance.connect();
    try {
      const list = files.map(sqlString).join(", ");
      const [row] = (await conn.runAndReadAll(
        `SELECT count(*)::BIGINT AS n FROM read_parquet([${list}])`,
      )).getRowsJS();
      return Number(row?.[0] ?? 0);
    } finally {
      conn.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

async function countRows(client: SqlClient, table: string): Promise<number> {
  const { rows } = await client.query<{ n: string | number }>(
    `SELECT count(*) AS n FROM ${ident(table, "table name")}`,
  );
  return Number(rows[0]?.n ?? 0);
}

const lockTable = (tx: SqlClient, table: string) =>
  tx.query(
    "SELECT pg_advisory_xact_lock(hashtext($1)), pg_advisory_xact_lock(hashtext($2))",
    [`sluice.load.${table}`, `sluice.partitions.${table}`],
  );

/** Step 1 (export, verify, detach) and step 2 (drop) of one partition. */
async function archivePartition(
  ctx: StepContext,
  p: {
    table: string;
    key: PartitionKey;
    partition: string;
    from: Date;
    to: Date;
  },
): Promise<RetentionPartitionResult> {
  const { client, dataDir, clock, runId, onStep } = ctx;
  const { table, partition, from, to } = p;
  const where = `${table} ${partition}`;
  const dates = datesOf(table, partition, from, to);
  const base = { table, partition, from, to };
  if (ctx.dryRun) {
    const rows = await countRows(client, partition);
    return { ...base, rows, files: [], action: "would-archive" };
  }
  const { rows, files } = await client.transaction(async (tx) => {
    await lockTable(tx, table);
    const still = (await listPartitions(tx, table)).some((q) =>
      q.name === partition && q.from?.getTime() === from.getTime() &&
      q.to?.getTime() === to.getTime()
    );
    if (!still) {
      throw new EtlError(
        `partition ${partition} of ${table} changed while the retention ran`,
        { stage: "retention", partition: where, runId, transient: true },
      );
    }
    const rows = await countRows(tx, partition);
    let files: string[] = [];
    if (rows > 0) {
      // The table's declared lake granularity; its lake partitions must lie
      // within the archived range, or writing them from the warehouse would
      // drop the rows of neighbouring ranges archived before.
      const granularity = lakeTables(DATASETS).find((t) => t.name === table)
        ?.granularity ?? "day";
      const periods = periodsOf(dates, granularity);
      const [first, last] = [periods[0], periods.at(-1)];
      if (
        !first || !last || first.start < dates[0]! ||
        last.end > nextDay(dates.at(-1)!)
      ) {
        throw new EtlError(
          `the lake cuts ${table} by ${granularity}, coarser than its partition ${partition}; ` +
            `archiving it would rewrite lake files holding other ranges (use a finer lake granularity)`,
          { stage: "retention", partition: where, runId },
        );
      }
      const snap = await withLakeLock(tx, () =>
        snapshotTables({
          client: tx,
          dataDir,
          dates,
          tables: [{ name: table, dateColumn: p.key.column, granularity }],
          clock,
        }));
      files = snap.tables[0]?.files ?? [];
      const exported = snap.tables[0]?.rows ?? 0;
      const readBack = await parquetRows(files);
      if (exported !== rows || readBack !== rows) {
        throw new EtlError(
          `exported ${exported} rows of ${partition} and read back ${readBack} ` +
            `from ${files.length} Parquet files, but the partition holds ${rows}; ` +
            `nothing was detached`,
          { stage: "retention", partition: where, runId },
        );
      }
    }
    await onStep({ table, partition, step: "exported" });
    await tx.exec(
      `ALTER TABLE ${ident(table, "table name")} DETACH PARTITION ${
        ident(partition, "partition name")
      }`,
    );
    await tx.query(
      `INSERT INTO etl_retention (table_name, partition_name, range_from,
         range_to, rows, exported_files, detached_at, run_id)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)`,
      [
        table,
        partition,
        from.toISOString(),
        to.toISOString(),
        rows,
        JSON.stringify(files),
        clock.now().toISOString(),
        runId,
      ],
    );
    return { rows, files };
  });
  await onStep({ table, partition, step: "detached" });
  await dropDetached(ctx, { table, partition });
  return { ...base, rows, files, action: "archived" };
}

/** Step 2 for a partition an earlier run detached, after checking its files. */
async function finishPending(
  ctx: StepContext,
  pending: PendingArchive,
): Promise<RetentionPartitionResult> {
  const { client, runId } = ctx;
  const { table, partition, from, to, rows, files } = pending;
  const base = { table, partition, from, to, rows, files };
  const where = `${table} ${partition}`;
  const { rows: state } = await client.query<{ attached: boolean | null }>(
    `SELECT (SELECT relispartition FROM pg_class
              WHERE oid = to_regclass($1)) AS attached`,
    [ident(partition, "partition name")],
  );
  const attached = state[0]?.attached ?? null;
  if (attached === true) {
    throw new EtlError(
      `partition ${partition} of ${table} was detached by the retention ` +
        `and is attached again; delete etl_retention row ${pending.id} to ` +
        `archive it afresh`,
      { stage: "retention", partition: where, runId },
    );
  }
  if (ctx.dryRun) return { ...base, action: "would-finish" };
  if (attached === null) {
    // Dropped by hand since: only the record is left to finish.
    await client.query(
      "UPDATE etl_retention SET dropped_at = $2 WHERE id = $1::bigint",
      [pending.id, ctx.clock.now().toISOString()],
    );
    return { ...base, action: "finished" };
  }
  const [held, inLake] = [
    await countRows(client, partition),
    await parquetRows(files).catch((err) => {
      throw new EtlError(
        `cannot read the lake files of detached partition ${partition}: ${
          errorMessage(err)
        }; it was not dropped`,
        { stage: "retention", partition: where, runId, cause: err },
      );
    }),
  ];
  if (held !== rows || inLake !== rows) {
    throw new EtlError(
      `detached partition ${partition} holds ${held} rows, the lake files ` +
        `recorded for it ${inLake}, ${rows} were exported; it was not ` +
        `dropped (re-attach it with ALTER TABLE ${table} ATTACH PARTITION ` +
        `${partition} FOR VALUES FROM ('${from.toISOString()}') TO ` +
        `('${to.toISOString()}') and delete etl_retention row ${pending.id})`,
      { stage: "retention", partition: where, runId },
    );
  }
  await dropDetached(ctx, { table, partition });
  return { ...base, action: "finished" };
}

/** Step 2: drops the detached partition and marks its record dropped. */
async function dropDetached(
  ctx: StepContext,
  p: { table: string; partition: string },
): Promise<void> {
  const { client, clock, onStep } = ctx;
  await client.transaction(async (tx) => {
    await lockTable(tx, p.table);
    await tx.exec(`DROP TABLE ${ident(p.partition, "partition name")}`);
    await tx.query(
      `UPDATE etl_retention SET dropped_at = $3
        WHERE table_name = $1 AND partition_name = $2 AND dropped_at IS NULL`,
      [p.table, p.partition, clock.now().toISOString()],
    );
  });
  await onStep({ ...p, step: "dropped" });
}

/** Lock waits, lost connections and a DuckDB file in use may heal. */
function isTransient(err: unknown): boolean {
  if (err instanceof EtlError) return err.transient;
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" &&
    (code.startsWith("08") || code === "40001" || code === "40P01" ||
      code === "55P03");
}
