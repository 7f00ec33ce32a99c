/**
 * Keeps rejected records of any dataset in the `quarantine` table.
 * @module
 */
import type pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import { frameToCsv } from "@pipeline/load/_copy.ts";

/** Options of {@link loadQuarantine}. */
export interface QuarantineOptions {
  /** The run id. */
  loadId: string;
  /** The source name (synthetic, file, alphavantage, ...). */
  source: string;
  /** The dataset of the records (bars, weather). */
  dataset: string;
  /** The frame column naming the record's entity (symbol, location). */
  entityColumn: string;
  /** When the records were rejected (the run's clock). */
  quarantinedAt: Date;
}

/**
 * Keeps the rejected records of `quarantine` (columns record, <entity>, ts,
 * field, reason, raw; all text). A record rejected again by a re-run (same
 * dataset, source, record, field and raw text) is kept once: its fingerprint
 * is unique. The reason is left out of the fingerprint because it may quote
 * the run's clock ("in the future (after <now>)"), which would make every
 * run keep the same record again. Returns the number of records not already
 * kept.
 */
export async function loadQuarantine(
  tx: SqlClient,
  quarantine: pl.DataFrame,
  options: QuarantineOptions,
): Promise<number> {
  if (quarantine.height === 0) return 0;
  await tx.exec(
    `CREATE TEMP TABLE stage_quarantine (
       record text, entity text, ts text, field text, reason text, raw text
     ) ON COMMIT DROP`,
  );
  await tx.copyFrom(
    `COPY stage_quarantine FROM STDIN (FORMAT csv)`,
    frameToCsv(quarantine, [
      "record",
      options.entityColumn,
      "ts",
      "field",
      "reason",
      "raw",
    ]),
  );
  const { rowCount } = await tx.query(
    `INSERT INTO quarantine (fingerprint, load_id, dataset, source, record,
       entity, ts, field, reason, raw, quarantined_at)
     SELECT md5(concat_ws(E'\\x1f', $3::text, $2::text, record, field, raw)),
            $1::uuid, $3::text, $2::text, record, entity, ts, field, reason, raw,
            $4::timestamptz
     FROM stage_quarantine
     ON CONFLICT (fingerprint) DO NOTHING`,
    [
      options.loadId,
      options.source,
      options.dataset,
      options.quarantinedAt.toISOString(),
    ],
  );
  await tx.exec(`DROP TABLE stage_quarantine`);
  return rowCount;
}
