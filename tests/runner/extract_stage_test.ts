import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { extractStage, Interrupted } from "@pipeline/runner/mod.ts";
import { runPipeline } from "@pipeline/run.ts";
import { sourceFor } from "@pipeline/sources.ts";
import { parseRunConfig } from "@pipeline/config.ts";
import { fixedClock } from "@pipeline/clock.ts";
import type { Source } from "@pipeline/extract/source.ts";
import { dbTest } from "../_db.ts";

/** A source of named partitions; `bad` ones fail; counts every read. */
function countingSource(names: string[], bad: string[] = []) {
  const reads: string[] = [];
  const windows: (ReadonlyMap<string, Date> | undefined)[] = [];
  const source: Source = {
    name: "test",
    dataset: "bars",
    partitions: (options) => {
      windows.push(options?.since);
      return names.map((name) => ({
        name,
        extract: () => {
          reads.push(name);
          if (bad.includes(name)) {
            return Promise.reject(new Error(`host down for ${name}`));
          }
          return Promise.resolve(pl.DataFrame({ symbol: [name, name] }));
        },
      }));
    },
  };
  return { source, reads, windows };
}

Deno.test("extractStage() reads every partition, records each, and tells a cause once", async () => {
  const { source, reads, windows } = countingSource(["A", "B", "C", "D"], [
    "B",
    "C",
  ]);
  const lines: string[] = [];
  const since = new Map([["A", new Date("2026-11-20T14:00:00Z")]]);
  const e = await extractStage(source, {
    runId: "r1",
    since,
    log: (l) => lines.push(l),
  });
  assert.deepEqual(reads, ["A", "B", "C", "D"]);
  assert.equal(windows[0], since);
  assert.equal(e.since, since);
  assert.equal(e.raw?.height, 4);
  assert.deepEqual(e.partitions.map((p) => [p.partition, p.status, p.rows]), [
    ["A", "succeeded", 2],
    ["B", "failed", 0],
    ["C", "failed", 0],
    ["D", "succeeded", 2],
  ]);
  assert.deepEqual(lines.slice(0, 2), [
    "extract: partition B failed: host down for B",
    "extract: partition C failed: the same error as B",
  ]);
  assert.deepEqual([e.stage.stage, e.stage.rows_out], ["extract", 4]);
  assert.ok(Date.parse(e.startedAt) <= Date.now());
  assert.ok(e.startupSeconds >= 0);
});

Deno.test("extractStage() stops before reading when the signal has aborted", async () => {
  const { source, reads } = countingSource(["A"]);
  const stop = new AbortController();
  stop.abort(new Error("SIGTERM"));
  await assert.rejects(
    extractStage(source, { runId: "r1", signal: stop.signal }),
    Interrupted,
  );
  assert.deepEqual(reads, []);
});

const clock = fixedClock("2026-11-20T21:30:00Z");

dbTest(
  "runPipeline() takes a begun extract when its windows are the watermarks' and reads again when not",
  async (db) => {
    const dataDir = await Deno.makeTempDir();
    try {
      const config = parseRunConfig({
        dataDir,
        symbols: ["AAPL", "MSFT"],
        sessions: 1,
        snapshot: false,
      });
      const incremental = { lagMs: config.lagMs };
      const synthetic = await sourceFor(config, { clock });
      let reads = 0;
      const source: Source = {
        ...synthetic,
        partitions: (options) =>
          synthetic.partitions(options).map((p) => ({
            ...p,
            extract: (signal) => {
              reads++;
              return p.extract(signal);
            },
          })),
      };
      const run = (extraction?: ReturnType<typeof extractStage>) =>
        runPipeline(source, { dataDir, snapshot: false, incremental }, {
          client: db.client,
          clock,
          extraction,
        });
      // No watermarks yet: an extract begun without windows is the run's.
      const begun = extractStage(source, { runId: "early" });
      const first = await run(begun);
      assert.equal(first.status, "succeeded", first.error ?? "");
      assert.equal(reads, 2);
      assert.equal(first.first_stage_at, (await begun).startedAt);
      assert.deepEqual(first.partitions.map((p) => p.partition), [
        "AAPL",
        "MSFT",
      ]);
      assert.ok(first.counts.loaded > 0);
      // Now the watermarks give windows: the same begun extract is read
      // again for them, and only the lookback is extracted.
      reads = 0;
      const second = await run(extractStage(source, { runId: "early" }));
      assert.equal(second.status, "succeeded", second.error ?? "");
      assert.equal(reads, 4, "read early, then again for the windows");
      assert.ok(second.counts.extracted < first.counts.extracted / 4);
      assert.equal(second.partitions.length, 2);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
);
