import assert from "node:assert/strict";
import { dbTest } from "../_db.ts";
import { runPipeline } from "@pipeline/run.ts";
import { sourceFor } from "@pipeline/sources.ts";
import { parseRunConfig } from "@pipeline/config.ts";
import { fixedClock } from "@pipeline/clock.ts";
import type { Source } from "@pipeline/extract/source.ts";
import { formatStatus, formatTable, readStatus } from "@pipeline/ops/status.ts";
import { barsDataset } from "@pipeline/datasets/bars/mod.ts";
import { barChecks } from "@pipeline/datasets/bars/checks.ts";

const clock = fixedClock("2026-11-20T21:30:00Z");

dbTest(
  "readStatus() lists recent runs, last success and lag per source, quarantine counts",
  async (db, t) => {
    await t.step("an empty warehouse says so", async () => {
      const report = await readStatus(db.client, { now: new Date(0) });
      assert.deepEqual(
        [report.runs, report.sources, report.quarantine, report.schedule],
        [[], [], [], []],
      );
      assert.match(formatStatus(report), /\(no runs yet\)[\s\S]*\(empty\)/);
    });
    const dataDir = await Deno.makeTempDir();
    const cfg = parseRunConfig({ dataDir, symbols: ["AAPL"], sessions: 1 });
    const good = await sourceFor(cfg, { clock });
    const ok = await runPipeline(good, { dataDir, snapshot: false }, {
      client: db.client,
      clock,
    });
    const broken: Source = {
      ...good,
      partitions: () => [{
        name: "MSFT",
        extract: () => Promise.reject(new Error("HTTP 500 from provider")),
      }],
    };
    const bad = await runPipeline(broken, {
      dataDir,
      snapshot: false,
      trigger: "schedule",
      attempt: 2,
    }, { client: db.client, clock: fixedClock("2026-11-20T22:00:00Z") });
    const report = await readStatus(db.client, {
      now: new Date("2026-11-21T00:59:00Z"),
    });
    assert.deepEqual(
      report.runs.map((r) => [r.run_id, r.trigger, r.attempt, r.status]),
      [[bad.run_id, "schedule", 2, "failed"], [
        ok.run_id,
        "manual",
        1,
        "succeeded",
      ]],
    );
    const [last, first] = report.runs;
    assert.equal(last!.error_stage, "extract");
    assert.equal(last!.error_partition, "MSFT");
    assert.equal(first!.loaded, ok.counts.loaded);
    assert.equal(first!.quarantined, ok.counts.quarantined);
    assert.deepEqual(
      first!.stages.map((s) => s.stage),
      ["extract", "validate", "transform", "quality", "load"],
    );
    assert.deepEqual(report.sources, [{
      source: "synthetic",
      last_status: "failed",
      last_run_at: "2026-11-20T22:00:00.000Z",
      last_success_at: "2026-11-20T21:30:00.000Z",
      newest_ts: "2026-11-20T20:59:00.000Z",
      lag_seconds: 4 * 3600,
      since_success_seconds: 3 * 3600 + 29 * 60,
    }]);
    assert.deepEqual(report.quarantine, [{
      dataset: "bars",
      source: "synthetic",
      rows: ok.counts.quarantined,
      last_at: "2026-11-20T21:30:00.000Z",
    }]);
    const text = formatStatus(report);
    for (
      const part of [
        "Recent runs",
        "Sources",
        "Quarantine",
        ok.run_id.slice(0, 8),
        "4h",
      ]
    ) assert.ok(text.includes(part), part);
    JSON.parse(JSON.stringify(report));
    await Deno.remove(dataDir, { recursive: true });
  },
);

dbTest(
  "readStatus() lists the failed blocking checks, newest first",
  async (db) => {
    const dataDir = await Deno.makeTempDir();
    const cfg = parseRunConfig({
      dataDir,
      symbols: ["AAPL", "MSFT"],
      sessions: 1,
    });
    const real = await sourceFor(cfg, { clock });
    const source: Source = {
      ...real,
      partitions: () =>
        real.partitions().map((p) =>
          p.name !== "MSFT" ? p : {
            name: p.name,
            extract: async () => (await p.extract()).head(100),
          }
        ),
    };
    const bars = {
      ...barsDataset,
      checks: barChecks({ rowCount: { severity: "blocking" } }),
    };
    const run = await runPipeline(source, { dataDir, snapshot: false }, {
      client: db.client,
      clock,
      wallClock: fixedClock("2026-11-20T21:31:00Z"),
      datasets: { bars },
    });
    assert.equal(run.error_stage, "quality");
    const report = await readStatus(db.client, {
      now: new Date("2026-11-21T00:00:00Z"),
    });
    assert.deepEqual(
      report.failed_checks.map((c) => ({
        ...c,
        message: c.message.slice(0, 29),
      })),
      [{
        run_id: run.run_id,
        dataset: "bars",
        partition: "MSFT",
        check: "row_count",
        message: "row_count: MSFT has 100 rows ",
        checked_at: "2026-11-20T21:31:00.000Z",
      }],
    );
    assert.match(
      formatStatus(report),
      /Failed checks \(partitions not loaded\)\n.*\n.*\n\S+\s+2026-11-20 21:31:00Z\s+bars\s+MSFT\s+row_count/,
    );
    await Deno.remove(dataDir, { recursive: true });
  },
);

Deno.test("formatTable() aligns text left and numbers right", () => {
  assert.equal(
    formatTable([["name", "rows"], ["bars_1m", "390"], ["q", "7"]]),
    ["name     rows", "-------  ----", "bars_1m   390", "q           7"].join(
      "\n",
    ),
  );
});
