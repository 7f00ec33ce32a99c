import assert from "node:assert/strict";
import type { CheckOutcome, CheckStatus } from "@pipeline/quality/check.ts";
import {
  blockedError,
  formatChecks,
  summariseChecks,
} from "@pipeline/quality/check_summary.ts";
import { blockedPartitions } from "@pipeline/quality/evaluate.ts";

const outcome = (
  partition: string,
  check: string,
  status: CheckStatus,
): CheckOutcome => ({
  partition,
  check,
  severity: status === "warn" ? "warn" : "blocking",
  status,
  observed: 0,
  expected: 0,
  threshold: 0,
  message: `${check}: ${partition} ${status}`,
});

const OUTCOMES = [
  outcome("AAPL", "row_count", "pass"),
  outcome("MSFT", "row_count", "warn"),
  outcome("NVDA", "row_count", "pass"),
  outcome("AAPL", "unique_key.bars_1m", "pass"),
  outcome("MSFT", "unique_key.bars_1m", "fail"),
  outcome("NVDA", "unique_key.bars_1m", "fail"),
  outcome("MSFT", "ohlc.bars_5m", "fail"),
];

Deno.test("summariseChecks() counts by status and lists the blocked partitions", () => {
  const s = summariseChecks(OUTCOMES);
  assert.deepEqual(
    [s.pass, s.warn, s.fail, s.partitions, s.blocked],
    [3, 1, 3, 3, ["MSFT", "NVDA"]],
  );
  assert.deepEqual(s.failures.map((o) => o.check), [
    "unique_key.bars_1m",
    "unique_key.bars_1m",
    "ohlc.bars_5m",
  ]);
  assert.deepEqual(s.warnings.map((o) => o.partition), ["MSFT"]);
});

Deno.test("blockedPartitions() groups the failures by partition, sorted", () => {
  const blocked = blockedPartitions([...OUTCOMES].reverse());
  assert.deepEqual(
    [...blocked].map(([p, os]) => [p, os.map((o) => o.check)]),
    [["MSFT", ["ohlc.bars_5m", "unique_key.bars_1m"]], ["NVDA", [
      "unique_key.bars_1m",
    ]]],
  );
});

Deno.test("blockedError() and formatChecks() name the partitions and checks", async (t) => {
  const s = summariseChecks(OUTCOMES);
  await t.step("the run error", () => {
    assert.equal(
      blockedError(s),
      "quality checks blocked 2 of 3 partitions: " +
        "MSFT (unique_key.bars_1m, ohlc.bars_5m), NVDA (unique_key.bars_1m)",
    );
  });
  await t.step("the summary lines", () => {
    assert.deepEqual(formatChecks(s), [
      "checks: 3 pass, 1 warn, 3 fail over 3 partitions; blocked MSFT, NVDA",
      "FAILED check unique_key.bars_1m: MSFT fail",
      "FAILED check unique_key.bars_1m: NVDA fail",
      "FAILED check ohlc.bars_5m: MSFT fail",
      "WARN check row_count: MSFT warn",
    ]);
  });
  await t.step("many warnings are cut short", () => {
    const many = summariseChecks(
      ["A", "B", "C"].map((p) => outcome(p, "freshness", "warn")),
    );
    assert.deepEqual(formatChecks(many, { warnings: 1 }), [
      "checks: 0 pass, 3 warn, 0 fail over 3 partitions",
      "WARN check freshness: A warn",
      "(2 more warnings: see etl_checks)",
    ]);
  });
});
