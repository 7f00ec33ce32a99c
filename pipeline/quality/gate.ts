/**
 * The quality stage of a run, between the transform and the load: run the
 * dataset's checks per partition, record them, and take the partitions a
 * blocking check failed out of the batch, keeping their records in
 * quarantine and alerting.
 * @module
 */
import pl from "nodejs-polars";
import type { Dataset, Transformed } from "@pipeline/datasets/dataset.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import { type Alerter, checkFailedAlert } from "@pipeline/ops/alerts.ts";
import { errorMessage } from "@pipeline/errors.ts";
import type { CheckOutcome } from "@pipeline/quality/check.ts";
import {
  blockedPartitions,
  evaluateChecks,
} from "@pipeline/quality/evaluate.ts";
import { recordChecks } from "@pipeline/quality/record.ts";
import { blockedRecords } from "@pipeline/quality/blocked_records.ts";
import {
  type CheckSummary,
  summariseChecks,
} from "@pipeline/quality/check_summary.ts";

/** Options of {@link qualityGate}. */
export interface QualityGateOptions<B> {
  dataset: Dataset<B>;
  /** The valid frame, in arrival order. */
  valid: pl.DataFrame;
  /** The transform's output. */
  transformed: Transformed<B>;
  /** The records validation rejected (the quarantine frame). */
  quarantine: pl.DataFrame;
  /** The run's clock, for freshness. */
  now: Date;
  /** Where `etl_checks` is. */
  client: SqlClient;
  runId: string;
  /** The pipeline, for alerts. */
  pipeline: string;
  /** When the checks ran (the wall clock), for `etl_checks` and alerts. */
  checkedAt: Date;
  /** Receives one `check_failed` alert per failing blocking check. */
  alerter?: Alerter | undefined;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** What the load gets once the checks have run. */
export interface QualityGateResult<B> {
  /**
   * The batch without the blocked partitions: `rows` counts what loads,
   * `duplicates` also counts the exact copies of blocked records.
   */
  transformed: Transformed<B>;
  /** The valid rows of the partitions that load. */
  valid: pl.DataFrame;
  /** Validation's rejects plus one row per record of a blocked partition. */
  quarantine: pl.DataFrame;
  checks: CheckSummary;
}

/**
 * Runs `dataset.checks`, records every outcome in `etl_checks` (committed
 * before the load, so a blocked or failed load keeps them), and removes
 * each partition with a failing blocking check from the batch. Its records
 * go to the quarantine instead (field = the check, reason = its message),
 * so `loaded + quarantined + duplicates` still equals the records
 * extracted; one `check_failed` alert per failing check goes to `alerter`.
 */
export async function qualityGate<B>(
  options: QualityGateOptions<B>,
): Promise<QualityGateResult<B>> {
  const { dataset, valid, transformed, quarantine, log = () => {} } = options;
  const outcomes = evaluateChecks(dataset.checks, {
    valid,
    batch: transformed.batch,
    now: options.now,
  });
  await recordChecks(options.client, outcomes, {
    runId: options.runId,
    dataset: dataset.name,
    checkedAt: options.checkedAt,
  });
  const checks = summariseChecks(outcomes);
  const blocked = blockedPartitions(outcomes);
  if (blocked.size === 0) return { transformed, valid, quarantine, checks };

  const names = [...blocked.keys()];
  const kept = dataset.withoutEntities(transformed, names);
  const records = blockedRecords(valid, {
    entity: dataset.entityColumn,
    blocked,
  });
  log(`quality: blocked ${names.join(", ")}: ${records.height} records kept`);
  await sendAlerts(outcomes.filter((o) => o.status === "fail"), options);
  const removed = transformed.rows - kept.rows;
  return {
    transformed: {
      ...kept,
      duplicates: transformed.duplicates + removed - records.height,
    },
    valid: valid.filter(
      pl.col(dataset.entityColumn).isIn(
        pl.lit(pl.Series("blocked", names, pl.Utf8)),
      )
        .not(),
    ),
    quarantine: quarantine.height === 0
      ? records
      : pl.concat([quarantine, records], { how: "vertical" }),
    checks,
  };
}

/** Longest alert detail, in characters. */
const DETAIL_LIMIT = 1000;

/** One `check_failed` alert per check that failed, naming its partitions. */
async function sendAlerts<B>(
  failures: CheckOutcome[],
  options: QualityGateOptions<B>,
): Promise<void> {
  const { alerter, log = () => {} } = options;
  if (!alerter) return;
  const byCheck = Map.groupBy(failures, (o) => o.check);
  for (const [check, found] of byCheck) {
    const detail = found.map((o) => o.message).join("; ");
    const alert = {
      ...checkFailedAlert({
        pipeline: options.pipeline,
        runId: options.runId,
        check,
        dataset: options.dataset.name,
        detail: detail.length > DETAIL_LIMIT
          ? `${detail.slice(0, DETAIL_LIMIT - 1)}…`
          : detail,
        at: options.checkedAt,
      }),
      partition: found.map((o) => o.partition).join(", "),
    };
    try {
      const delivery = await alerter.send(alert);
      if (!delivery.delivered) {
        log(`quality: alert for ${check} not delivered: ${delivery.error}`);
      }
    } catch (err) {
      log(`quality: alert for ${check} failed: ${errorMessage(err)}`);
    }
  }
}
