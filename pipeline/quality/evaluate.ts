/**
 * Runs a dataset's checks over one batch.
 * @module
 */
import type {
  CheckOutcome,
  QualityCheck,
  QualityInput,
} from "@pipeline/quality/check.ts";
import { errorMessage, EtlError } from "@pipeline/errors.ts";

/**
 * Every outcome of `checks` over `input`, check by check (in the order
 * given), each check's partitions sorted.
 *
 * @throws {EtlError} (stage `quality`) naming the check when one cannot
 *   run at all (a bug, not bad data: checks report bad data as outcomes).
 */
export function evaluateChecks<B>(
  checks: readonly QualityCheck<B>[],
  input: QualityInput<B>,
): CheckOutcome[] {
  return checks.flatMap((check) => {
    try {
      return check.run(input);
    } catch (cause) {
      throw new EtlError(
        `check ${check.spec.name} could not run: ${errorMessage(cause)}`,
        { stage: "quality", cause },
      );
    }
  });
}

/**
 * The partitions a failing blocking check stops, each with its failing
 * outcomes, sorted by partition.
 */
export function blockedPartitions(
  outcomes: readonly CheckOutcome[],
): Map<string, CheckOutcome[]> {
  const blocked = new Map<string, CheckOutcome[]>();
  for (const o of outcomes) {
    if (o.status !== "fail") continue;
    blocked.set(o.partition, [...(blocked.get(o.partition) ?? []), o]);
  }
  return new Map([...blocked].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0));
}
