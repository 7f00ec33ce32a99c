import assert from "node:assert/strict";
import { parseScheduleConfig } from "@pipeline/schedule/config.ts";
import { parseDuration } from "@pipeline/schedule/duration.ts";

Deno.test("parseScheduleConfig() defaults: ETL hourly at :05, retention daily, missed once", () => {
  assert.deepEqual(parseScheduleConfig({}), {
    etlCron: "5 * * * *",
    retentionCron: "30 3 * * *",
    missed: "once",
    missedCap: 24,
    retries: 3,
    retryBaseMs: 60_000,
    retryMaxMs: 900_000,
    staleAfterMs: 96 * 3_600_000,
    metricsPort: 9464,
  });
});

Deno.test("parseScheduleConfig() names each bad setting", async (t) => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ etlCron: "61 * * * *" }, /etlCron: invalid cron expression/],
    [{ missed: "some" }, /missed/],
    [{ retries: -1 }, /retries/],
    [
      { retryBaseMs: 10_000, retryMaxMs: 1000 },
      /--retry-max must not be below/,
    ],
    [{ metricsPort: 70_000 }, /metricsPort/],
    [{ executor: "thread" }, /executor/],
  ];
  for (const [input, message] of cases) {
    await t.step(JSON.stringify(input), () => {
      assert.throws(() => parseScheduleConfig(input), message);
    });
  }
});

Deno.test("parseDuration() reads operator durations", async (t) => {
  const cases: [string, number][] = [
    ["250ms", 250],
    ["30s", 30_000],
    ["5m", 300_000],
    ["2h", 7_200_000],
    ["1d", 86_400_000],
    ["1h30m", 5_400_000],
    ["1.5s", 1500],
    ["0s", 0],
  ];
  for (const [text, ms] of cases) {
    await t.step(text, () => assert.equal(parseDuration(text), ms));
  }
  for (const bad of ["", "5", "m", "1h 30m", "-1s", "1w"]) {
    assert.throws(() => parseDuration(bad), /expected a duration/, bad);
  }
});
