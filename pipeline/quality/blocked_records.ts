/**
 * The records of blocked partitions as quarantine rows, so a partition a
 * blocking check stopped is kept, not lost.
 * @module
 */
import pl from "nodejs-polars";
import type { CheckOutcome } from "@pipeline/quality/check.ts";

/** Options of {@link blockedRecords}. */
export interface BlockedRecordsOptions {
  /** The partition column of the valid frame (`symbol`, `location`). */
  entity: string;
  /** The blocked partitions with their failing outcomes. */
  blocked: ReadonlyMap<string, readonly CheckOutcome[]>;
}

const ISO_MS = "%Y-%m-%dT%H:%M:%S%.3fZ";

/**
 * Quarantine rows (columns record, <entity>, ts, field, reason, raw; all
 * Utf8) for the valid records of the blocked partitions, one per (entity,
 * ts) key: the first to arrive, as the transform keeps it (later copies
 * are exact duplicates and counted as such). `field` is the first failing
 * check's name; `reason` names the partition and quotes every failing
 * check's message (observed vs expected); `raw` is the valid record as
 * JSON (ts in UTC).
 */
export function blockedRecords(
  valid: pl.DataFrame,
  options: BlockedRecordsOptions,
): pl.DataFrame {
  const { entity, blocked } = options;
  const names = [...blocked.keys()];
  const why = pl.DataFrame([
    pl.Series(entity, names, pl.Utf8),
    pl.Series("field", names.map((p) => blocked.get(p)![0]!.check), pl.Utf8),
    pl.Series(
      "reason",
      names.map((p) =>
        `partition ${p} blocked by quality check ` +
        blocked.get(p)!.map((o) => o.message).join("; ")
      ),
      pl.Utf8,
    ),
  ]);
  const fields = valid.columns.filter((c) => c !== "record");
  const text = (c: string) =>
    valid.getColumn(c).dtype.variant === "Datetime"
      ? pl.col(c).dt.strftime(ISO_MS).alias(c)
      : pl.col(c);
  const rows = valid
    .filter(pl.col(entity).isIn(pl.lit(pl.Series("blocked", names, pl.Utf8))))
    .filter(pl.struct([pl.col(entity), pl.col("ts")]).isFirstDistinct());
  const record = valid.columns.includes("record")
    ? pl.col("record").cast(pl.Utf8)
    : pl.concatString([pl.col(entity), pl.col("ts").dt.strftime(ISO_MS)], ":");
  return rows
    .select(
      record.alias("record"),
      pl.col(entity).cast(pl.Utf8),
      pl.col("ts").dt.strftime(ISO_MS).alias("ts"),
      pl.struct(fields.map(text)).struct.jsonEncode().alias("raw"),
    )
    .join(why, { on: entity, how: "left" })
    .select("record", entity, "ts", "field", "reason", "raw");
}
