/**
 * The runs page: the timeline of the latest runs with their stage
 * durations, and their list (status, rows, error) linking to each run's
 * page.
 * @module
 */
import { runTimelineChart } from "@pipeline/charts/mod.ts";
import { requireRelation, withCatalog } from "@pipeline/serve/catalog.ts";
import { chartHtml, htmlTable, layout } from "@pipeline/serve/html.ts";
import type { PageRequest } from "@pipeline/serve/request.ts";

/** How many runs the page shows. */
export const RUNS_SHOWN = 40;

/** The runs page. */
export async function runsPage(request: PageRequest): Promise<string> {
  return await withCatalog(request.dataDir, async (reader) => {
    await requireRelation(reader, "etl_runs", "runs");
    const runs = await reader.rows(
      `SELECT run_id, strftime(started_at, '%Y-%m-%d %H:%M:%S') AS started,
              round(epoch(finished_at - started_at), 2) AS seconds,
              status, pipeline, source, trigger, error_stage, error
       FROM etl_runs ORDER BY started_at DESC LIMIT $1`,
      [RUNS_SHOWN],
    );
    const stages = await reader.rows(
      `SELECT strftime(r.started_at, '%Y-%m-%d %H:%M:%S') || ' ' || left(r.run_id, 4) AS run,
              s.stage, s.seconds, s.rows_out::DOUBLE AS rows_out
       FROM (SELECT * FROM etl_runs ORDER BY started_at DESC LIMIT $1) r
       JOIN etl_run_stages s USING (run_id)
       ORDER BY r.started_at DESC, s.ordinal`,
      [RUNS_SHOWN],
    );
    const chart = stages.length > 0
      ? chartHtml(runTimelineChart(
        stages.map((s) => ({
          run: s.run as string,
          stage: s.stage as string,
          seconds: s.seconds as number,
          rowsOut: s.rows_out as number,
        })),
        { document: request.document },
      ))
      : `<p class="message">No stage timings recorded yet.</p>`;
    const table = htmlTable(runs, [
      ["started", "started (UTC)"],
      ["status", "status"],
      ["seconds", "seconds"],
      ["pipeline", "pipeline"],
      ["source", "source"],
      ["trigger", "trigger"],
      ["error_stage", "failed stage"],
      ["error", "error"],
    ], { link: (r) => `/runs/${r.run_id}` });
    return layout({
      title: "Runs",
      active: "/runs",
      body:
        `<section id="runs" data-live-part><p class="summary">${runs.length} latest run(s).</p>${chart}${table}</section>`,
    });
  });
}
