import assert from "node:assert/strict";
import { runEtl } from "../../_cli.ts";

/** The summary of a `--json` run, with its status and timing fields. */
interface Summary {
  status: string;
  started_at: string;
  first_stage_at: string;
  counts: { extracted: number; loaded: number };
}

Deno.test("etl run extracts while a new PGlite directory opens, after the watermarks in an existing one", async (t) => {
  const dataDir = await Deno.makeTempDir({ prefix: "sluice-run-" });
  const run = async (...extra: string[]) => {
    const r = await runEtl([
      "run",
      "--symbols",
      "AAPL,MSFT",
      "--sessions",
      "2",
      "--no-snapshot",
      "--as-of",
      "2026-11-20T21:30:00Z",
      "--data-dir",
      dataDir,
      "--json",
      ...extra,
    ]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Summary;
  };
  // started_at is written when the run's record is, once the database is
  // open: a first stage before it ran while the database opened.
  const early = (s: Summary) =>
    Date.parse(s.first_stage_at) < Date.parse(s.started_at);
  let whole = 0;
  try {
    await t.step(
      "a new directory: no watermarks, the extract begins at once",
      async () => {
        const s = await run();
        assert.equal(s.status, "succeeded");
        assert.ok(
          early(s),
          `${s.first_stage_at} is not before ${s.started_at}`,
        );
        // Two sessions of two symbols, with the synthetic defects.
        assert.ok(s.counts.extracted >= 2 * 2 * 390, `${s.counts.extracted}`);
        assert.ok(s.counts.loaded > 0);
        whole = s.counts.extracted;
      },
    );
    await t.step(
      "an existing one: the windows come from the watermarks",
      async () => {
        const s = await run();
        assert.equal(s.status, "succeeded");
        assert.ok(!early(s), `${s.first_stage_at} is before ${s.started_at}`);
        // The 30-minute lookback below each watermark, rounded to the hour.
        assert.ok(s.counts.extracted < whole / 4, String(s.counts.extracted));
      },
    );
    await t.step(
      "--no-incremental reads the whole window, so at once",
      async () => {
        const s = await run("--no-incremental");
        assert.equal(s.status, "succeeded");
        assert.ok(
          early(s),
          `${s.first_stage_at} is not before ${s.started_at}`,
        );
        assert.equal(s.counts.extracted, whole);
      },
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
