/**
 * `deno task etl --source mysql|postgres [--mysql-url URL] [--tables T,...]`:
 * one capture of an operational database's declared tables
 * (`TABLE_DATASET_LIST` in `@pipeline/datasets/registry.ts`) through the
 * database engine (`@pipeline/extract/database/mod.ts`) into the
 * configured warehouse, then refreshes `analytics.duckdb` (the operations
 * tables, which include the platform's facts and dimensions). `MYSQL_URL`
 * (or `SOURCE_URL`) also names the source.
 * @module
 */
import { parseArgs } from "node:util";
import { TABLE_DATASET_LIST } from "@pipeline/datasets/registry.ts";
import type { TableDataset } from "@pipeline/datasets/table_dataset.ts";
import { openReader } from "@pipeline/extract/database/reader.ts";
import { captureDatabase } from "@pipeline/extract/database/run.ts";
import { connect } from "@pipeline/load/client.ts";
import { redactUrl } from "@pipeline/config.ts";
import { parseDuration } from "@pipeline/schedule/duration.ts";
import { errorMessage, EtlError } from "@pipeline/errors.ts";
import { EXIT } from "@pipeline/cli/exit.ts";
import { migrateToLatest } from "@pipeline/load/migrate.ts";
import { recordRunEnd, recordRunStart } from "@pipeline/ops/history.ts";
import { newRunSummary } from "@pipeline/runner/run_record.ts";
import { peakRssMib } from "@pipeline/summary.ts";
import {
  lockedMessage,
  lockHolder,
  runLockKey,
  tryAdvisoryLock,
} from "@pipeline/ops/lock.ts";

export {
  DATABASE_SOURCES,
  isDatabaseSource,
} from "@pipeline/cli/is_database_source.ts";

/** The default platform database per source kind. */
const DEFAULT_URLS: Record<string, string> = {
  mysql: "mysql://root@127.0.0.1:3306/sluice_platform",
  postgres: "postgres://root@127.0.0.1:5432/sluice_platform",
};

export const DATABASE_SOURCE_USAGE =
  `usage: deno task etl --source mysql|postgres [--mysql-url URL | --source-url URL]
         [--tables T,...] [--as-of TIME] [--lag DURATION] [--no-incremental]
         [--compare] [--page-size N] [--data-dir DIR] [--database-url URL] [--json]

Captures the declared tables (${
    TABLE_DATASET_LIST.map((d) => d.sourceTable).join(", ")
  }) of an operational
database in one consistent snapshot: incremental tables from their watermark
minus the lag, snapshot-diff tables whole and diffed against the last loaded
snapshot (--compare: compare every key instead). Each table lands in
DATA_DIR/lake/<dataset>/date=<as-of date>/.
Source URL: --mysql-url / --source-url, else MYSQL_URL / SOURCE_URL, else
${DEFAULT_URLS.mysql}.`;

/** The declared tables named by `--tables` (source table or dataset names). */
export function selectTables(list: string | undefined): TableDataset[] {
  if (list === undefined) return [...TABLE_DATASET_LIST];
  const wanted = list.split(",").map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((w) =>
    !TABLE_DATASET_LIST.some((d) => d.sourceTable === w || d.name === w)
  );
  if (unknown.length > 0) {
    throw new Error(
      `unknown table ${unknown.join(", ")}; declared: ${
        TABLE_DATASET_LIST.map((d) => d.sourceTable).join(", ")
      }`,
    );
  }
  return TABLE_DATASET_LIST.filter((d) =>
    wanted.includes(d.sourceTable) || wanted.includes(d.name)
  );
}

/** Runs the capture; returns the exit status. */
export async function runDatabaseSource(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv.filter((a) => a !== "run"),
      options: {
        source: { type: "string" },
        "mysql-url": { type: "string" },
        "source-url": { type: "string" },
        tables: { type: "string" },
        "as-of": { type: "string" },
        lag: { type: "string" },
        "no-incremental": { type: "boolean", default: false },
        compare: { type: "boolean", default: false },
        "page-size": { type: "string" },
        "data-dir": { type: "string" },
        "database-url": { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (err) {
    console.error(`error: ${errorMessage(err)}\n${DATABASE_SOURCE_USAGE}`);
    return EXIT.usage;
  }
  if (values.help) {
    console.log(DATABASE_SOURCE_USAGE);
    return EXIT.ok;
  }
  const kind = values.source ?? "mysql";
  const env = (n: string) => Deno.env.get(n) || undefined;
  const url = values["mysql-url"] ?? values["source-url"] ??
    (kind === "mysql" ? env("MYSQL_URL") : undefined) ?? env("SOURCE_URL") ??
    DEFAULT_URLS[kind]!;
  let tables: TableDataset[], asOf: Date, lagMs: number | undefined;
  let pageSize: number | undefined;
  try {
    tables = selectTables(values.tables);
    asOf = values["as-of"] ? new Date(values["as-of"]) : new Date();
    if (Number.isNaN(asOf.getTime())) {
      throw new Error(`--as-of must be an ISO-8601 time: ${values["as-of"]}`);
    }
    lagMs = values.lag === undefined ? undefined : parseDuration(values.lag);
    pageSize = values["page-size"] === undefined
      ? undefined
      : Number(values["page-size"]);
    if (
      pageSize !== undefined && (!Number.isInteger(pageSize) || pageSize < 1)
    ) {
      throw new Error(`--page-size must be a positive integer`);
    }
  } catch (err) {
    console.error(`error: ${errorMessage(err)}\n${DATABASE_SOURCE_USAGE}`);
    return EXIT.usage;
  }
  const dataDir = values["data-dir"] ?? env("DATA_DIR") ?? "./data";
  const databaseUrl = values["database-url"] ?? env("DATABASE_URL");
  let reader;
  try {
    reader = await openReader(url);
  } catch (err) {
    console.error(`error: ${errorMessage(err)}`);
    return EXIT.failed;
  }
  let client;
  try {
    client = databaseUrl
      ? await connect({ kind: "postgres", url: databaseUrl })
      : await connect({ kind: "pglite", dataDir: `${dataDir}/pglite` });
  } catch (err) {
    await reader.close();
    console.error(
      `error: cannot open the warehouse ${
        databaseUrl ? redactUrl(databaseUrl) : `${dataDir}/pglite`
      }: ${errorMessage(err)}`,
    );
    return EXIT.failed;
  }
  const controller = new AbortController();
  const stop = () => controller.abort();
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  // The run's row in etl_runs (deno task etl status), pipeline = source kind.
  const runId = crypto.randomUUID();
  const summary = newRunSummary({
    runId,
    pipeline: kind,
    source: kind,
    trigger: "manual",
    startedAt: new Date(),
  });
  // One capture of a source kind at a time (the pipeline's run lock): a
  // second one would diff against the snapshot the first is replacing.
  let lock;
  try {
    lock = await tryAdvisoryLock(client, runLockKey(kind));
    if (!lock) {
      console.error(
        `error: ${lockedMessage(kind, await lockHolder(client, kind))}`
          .replace(" (pass --wait to wait for it)", ""),
      );
      Deno.removeSignalListener("SIGINT", stop);
      Deno.removeSignalListener("SIGTERM", stop);
      await reader.close().catch(() => {});
      await client.close().catch(() => {});
      return EXIT.locked;
    }
    await migrateToLatest(client);
    await recordRunStart(client, summary);
  } catch (err) {
    console.error(`error: cannot record the run: ${errorMessage(err)}`);
    await reader.close().catch(() => {});
    await client.close().catch(() => {});
    return EXIT.failed;
  }
  const finish = async (error: unknown) => {
    summary.finished_at = new Date().toISOString();
    summary.peak_rss_mib = peakRssMib();
    if (error === null) summary.status = "succeeded";
    else {
      summary.error = errorMessage(error);
      summary.interrupted = controller.signal.aborted;
      if (error instanceof EtlError) {
        summary.error_stage = error.stage;
        summary.error_partition = error.partition ?? null;
      }
    }
    await recordRunEnd(client, summary).catch((err) =>
      console.error(`error: cannot record the run's end: ${errorMessage(err)}`)
    );
  };
  try {
    const report = await captureDatabase(reader, client, tables, {
      runId,
      dataDir,
      asOf,
      lagMs,
      noIncremental: values["no-incremental"],
      compare: values.compare,
      pageSize,
      signal: controller.signal,
      log: (line) => console.error(line),
    });
    for (const t of report.tables) {
      summary.counts.extracted += t.extracted;
      summary.counts.loaded += t.extracted;
      summary.tables.push(...t.results);
      const r = t.results.map((x) =>
        `${x.table}: ${x.inserted} inserted, ${x.updated} updated, ${x.unchanged} unchanged`
      ).join("; ");
      console.error(
        `${t.dataset} (${t.method}): ${t.extracted} rows read; ${r}`,
      );
    }
    // The catalogue (analytics.duckdb) shows the new facts and dimensions.
    const { refreshCatalog } = await import("@pipeline/snapshot/refresh.ts");
    await refreshCatalog({ client, dataDir, signal: controller.signal })
      .catch((err) =>
        console.error(
          `snapshot: analytics.duckdb keeps its previous contents: ${
            errorMessage(err)
          }`,
        )
      );
    await finish(null);
    if (values.json) console.log(JSON.stringify(report));
    return EXIT.ok;
  } catch (err) {
    await finish(err);
    console.error(`error: ${errorMessage(err)}`);
    return controller.signal.aborted ? EXIT.interrupted : EXIT.failed;
  } finally {
    Deno.removeSignalListener("SIGINT", stop);
    Deno.removeSignalListener("SIGTERM", stop);
    await reader.close().catch(() => {});
    await lock.release().catch(() => {});
    await client.close().catch(() => {});
  }
}
