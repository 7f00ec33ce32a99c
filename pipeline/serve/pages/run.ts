/**
 * One run's page: its record, stages, partitions, checks that did not
 * pass, and its quarantined records (with a link to the quality page's
 * browser filtered on the run).
 * @module
 */
import { runTimelineChart } from "@pipeline/charts/mod.ts";
import { requireRelation, withCatalog } from "@pipeline/serve/catalog.ts";
import {
  chartHtml,
  escapeHtml,
  htmlTable,
  layout,
} from "@pipeline/serve/html.ts";
import { PageError } from "@pipeline/serve/page_error.ts";
import type { PageRequest } from "@pipeline/serve/request.ts";

/** What a run id looks like (a UUID). */
export const RUN_ID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The page of the run `runId` (from the path `/runs/<id>`). */
export async function runPage(
  request: PageRequest,
  runId: string,
): Promise<string> {
  if (!RUN_ID.test(runId)) {
    throw new PageError(404, "No such run: a run id is a UUID.");
  }
  return await withCatalog(request.dataDir, async (reader) => {
    await requireRelation(reader, "etl_runs", "runs");
    const [run] = await reader.rows(
      `SELECT run_id, strftime(started_at, '%Y-%m-%d %H:%M:%S') AS started,
              strftime(finished_at, '%Y-%m-%d %H:%M:%S') AS finished, status,
              pipeline, source, trigger, attempt, error_stage, error_partition, error
       FROM etl_runs WHERE run_id = $1`,
      [runId],
    );
    if (!run) {
      throw new PageError(404, `No run ${runId} in the catalogue.`);
    }
    const stages = await reader.rows(
      `SELECT ordinal, stage, rows_in::DOUBLE AS rows_in, rows_out::DOUBLE AS rows_out,
              round(seconds, 3) AS seconds
       FROM etl_run_stages WHERE run_id = $1 ORDER BY ordinal`,
      [runId],
    );
    const partitions = await reader.rows(
      `SELECT partition, status, rows::DOUBLE AS rows, error
       FROM etl_run_partitions WHERE run_id = $1 ORDER BY partition`,
      [runId],
    );
    const checks = await reader.has("etl_checks")
      ? await reader.rows(
        `SELECT dataset, partition, check_name, severity, status, message
         FROM etl_checks WHERE run_id = $1 AND status <> 'pass'
         ORDER BY dataset, partition, check_name`,
        [runId],
      )
      : [];
    const quarantined = await reader.has("etl_run_quarantine")
      ? await reader.rows(
        `SELECT record, field, reason FROM etl_run_quarantine
         WHERE run_id = $1 ORDER BY quarantine_id LIMIT 50`,
        [runId],
      )
      : [];
    const [count] = await reader.has("etl_run_quarantine")
      ? await reader.rows(
        `SELECT count(*)::INTEGER AS n FROM etl_run_quarantine WHERE run_id = $1`,
        [runId],
      )
      : [{ n: 0 }];
    const chart = stages.length > 0
      ? chartHtml(runTimelineChart(
        stages.map((s) => ({
          run: String(run.started),
          stage: s.stage as string,
          seconds: s.seconds as number,
          rowsOut: s.rows_out as number,
        })),
        { document: request.document },
      ))
      : "";
    const record = htmlTable([run], [
      ["started", "started (UTC)"],
      ["finished", "finished"],
      ["status", "status"],
      ["pipeline", "pipeline"],
      ["source", "source"],
      ["trigger", "trigger"],
      ["attempt", "attempt"],
      ["error_stage", "failed stage"],
      ["error_partition", "failed partition"],
      ["error", "error"],
    ]);
    const body = `<section id="run" data-live-part>
<p class="summary">Run <code>${escapeHtml(runId)}</code>: ${
      escapeHtml(run.status)
    }.</p>
${record}${chart}
<h2>Stages</h2>${
      htmlTable(stages, [["stage", "stage"], ["rows_in", "rows in"], [
        "rows_out",
        "rows out",
      ], ["seconds", "seconds"]])
    }
<h2>Partitions</h2>${
      htmlTable(partitions, [["partition", "partition"], ["status", "status"], [
        "rows",
        "rows",
      ], ["error", "error"]])
    }
<h2>Checks not passed</h2>${
      htmlTable(checks, [
        ["dataset", "dataset"],
        ["partition", "partition"],
        [
          "check_name",
          "check",
        ],
        ["status", "status"],
        ["message", "message"],
      ])
    }
<h2>Quarantined records (${count?.n ?? 0})</h2>
<p><a href="/quality?run=${
      escapeHtml(runId)
    }#quarantine">Browse them by reason, with the raw records</a></p>
${
      htmlTable(quarantined, [["record", "record"], ["field", "field"], [
        "reason",
        "reason",
      ]])
    }
</section>`;
    return layout({ title: "Run", active: "/runs", body });
  });
}
