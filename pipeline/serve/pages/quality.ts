/**
 * The quality page: the checks over the latest runs per dataset and check
 * (optionally one partition), each dataset's freshness against the lag its
 * freshness check allows, and the quarantine grouped by reason with the raw
 * records (optionally of one run).
 * @module
 */
import {
  type CheckCell,
  checksChart,
  quarantineChart,
} from "@pipeline/charts/mod.ts";
import { requireRelation, withCatalog } from "@pipeline/serve/catalog.ts";
import {
  chartHtml,
  escapeHtml,
  htmlTable,
  layout,
} from "@pipeline/serve/html.ts";
import { PageError } from "@pipeline/serve/page_error.ts";
import { RUN_ID } from "@pipeline/serve/pages/run.ts";
import type { PageRequest } from "@pipeline/serve/request.ts";

/** How many runs the checks chart spans. */
export const CHECK_RUNS = 30;

/** The reason of a quarantined record without its values: its group. */
export const REASON_GROUP_SQL =
  `dataset || '.' || field || ': ' || regexp_replace(reason, '(, got |; superseded by | \\().*$', '')`;

/** The quality page. */
export async function qualityPage(request: PageRequest): Promise<string> {
  const partition = request.url.searchParams.get("partition") || undefined;
  const run = request.url.searchParams.get("run") || undefined;
  if (run !== undefined && !RUN_ID.test(run)) {
    throw new PageError(404, "No such run: a run id is a UUID.");
  }
  const { document } = request;
  return await withCatalog(request.dataDir, async (reader) => {
    await requireRelation(reader, "etl_checks", "checks");
    const partitions = (await reader.rows(
      `SELECT DISTINCT partition FROM etl_checks ORDER BY 1`,
    )).map((r) => String(r.partition));
    if (partition !== undefined && !partitions.includes(partition)) {
      throw new PageError(
        404,
        `Unknown partition ${
          JSON.stringify(partition.slice(0, 40))
        }: checks cover ${partitions.join(", ")}.`,
      );
    }
    const cells = await reader.rows(
      `WITH runs AS (SELECT run_id, started_at FROM etl_runs ORDER BY started_at DESC LIMIT $1)
       SELECT strftime(r.started_at, '%m-%d %H:%M:%S') AS run,
              c.dataset || ' / ' || c.check_name AS "check",
              (count(*) FILTER (WHERE c.status = 'pass'))::INTEGER AS pass,
              (count(*) FILTER (WHERE c.status = 'warn'))::INTEGER AS warn,
              (count(*) FILTER (WHERE c.status = 'fail'))::INTEGER AS fail
       FROM runs r JOIN etl_checks c USING (run_id)
       WHERE ($2 = '' OR c.partition = $2)
       GROUP BY ALL ORDER BY min(r.started_at), 2`,
      [CHECK_RUNS, partition ?? ""],
    );
    const checkCells: CheckCell[] = cells.map((c) => ({
      run: c.run as string,
      check: c.check as string,
      pass: c.pass as number,
      warn: c.warn as number,
      fail: c.fail as number,
      status: (c.fail as number) > 0
        ? "fail"
        : (c.warn as number) > 0
        ? "warn"
        : "pass",
    }));
    const checks = checkCells.length > 0
      ? chartHtml(checksChart(checkCells, { document }))
      : `<p class="message">No checks recorded yet.</p>`;
    const freshness = await reader.rows(
      `WITH latest AS (
         SELECT dataset, partition, observed, threshold, status,
                row_number() OVER (PARTITION BY dataset, partition ORDER BY checked_at DESC) AS n
         FROM etl_checks WHERE check_name = 'freshness')
       SELECT w.dataset, w.partition,
              strftime(w.watermark, '%Y-%m-%d %H:%M') AS newest,
              l.observed AS lag_seconds, l.threshold AS allowed_seconds, l.status
       FROM etl_watermarks w
       LEFT JOIN latest l ON l.dataset = w.dataset AND l.partition = w.partition AND l.n = 1
       WHERE ($1 = '' OR w.partition = $1)
       ORDER BY w.dataset, w.partition`,
      [partition ?? ""],
    );
    const hasQuarantine = await reader.has("quarantine");
    const runFilter = run
      ? `load_id IN (SELECT load_id FROM etl_loads WHERE run_id = $1)`
      : `$1 = ''`;
    const groups = hasQuarantine
      ? await reader.rows(
        `SELECT ${REASON_GROUP_SQL} AS reason, count(*)::INTEGER AS records
         FROM quarantine WHERE ${runFilter}
         GROUP BY 1 ORDER BY records DESC, reason LIMIT 30`,
        [run ?? ""],
      )
      : [];
    const examples = hasQuarantine
      ? await reader.rows(
        `SELECT reason_group, record, reason, raw FROM (
           SELECT ${REASON_GROUP_SQL} AS reason_group, record, reason, raw,
                  row_number() OVER (PARTITION BY ${REASON_GROUP_SQL} ORDER BY id) AS n
           FROM quarantine WHERE ${runFilter}) WHERE n <= 10`,
        [run ?? ""],
      )
      : [];
    const browser = groups.map((g) => {
      const rows = examples.filter((e) => e.reason_group === g.reason);
      return `<details><summary>${
        escapeHtml(g.reason)
      } <b>${g.records}</b></summary>${
        htmlTable(rows, [["record", "record"], ["reason", "reason"], [
          "raw",
          "raw record",
        ]])
      }</details>`;
    }).join("\n");
    const partitionOptions = ["", ...partitions].map((p) =>
      `<option value="${escapeHtml(p)}"${
        p === (partition ?? "") ? " selected" : ""
      }>${p === "" ? "all partitions" : escapeHtml(p)}</option>`
    ).join("");
    const body =
      `<form id="pickers" class="pickers" method="get" action="/quality">
<label>Partition <select name="partition">${partitionOptions}</select></label>
${run ? `<input type="hidden" name="run" value="${escapeHtml(run)}">` : ""}
<button type="submit">Show</button></form>
<section id="quality" data-live-part>
${checks}
<h2>Freshness</h2>
<p class="hint">Newest timestamp per partition, and the lag the last freshness check measured against the lag it allows (seconds).</p>
${
        htmlTable(freshness, [
          ["dataset", "dataset"],
          ["partition", "partition"],
          ["newest", "newest (UTC)"],
          ["lag_seconds", "lag (s)"],
          ["allowed_seconds", "allowed (s)"],
          ["status", "status"],
        ])
      }
<h2 id="quarantine">Quarantine by reason${
        run ? ` of run ${escapeHtml(run)}` : ""
      }</h2>
${
        groups.length > 0
          ? chartHtml(
            quarantineChart(
              groups.map((g) => ({
                reason: g.reason as string,
                records: g.records as number,
              })),
              { document },
            ),
          )
          : ""
      }
${groups.length > 0 ? browser : `<p class="empty">No quarantined records.</p>`}
</section>`;
    return layout({ title: "Quality", active: "/quality", body });
  });
}
