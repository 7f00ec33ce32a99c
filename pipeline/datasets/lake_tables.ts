/**
 * The tables the lake holds: every dataset's declared tables (with their
 * date column and partition granularity) and the quarantine, which every
 * load writes. Paying the lake's debt looks tables up here.
 * @module
 */
import type { Dataset } from "@pipeline/datasets/dataset.ts";
import {
  type SnapshotTable,
  WAREHOUSE_TABLES,
} from "@pipeline/snapshot/lake.ts";

/** The quarantine's lake table: by the UTC date of `quarantined_at`. */
export const QUARANTINE_LAKE_TABLE: SnapshotTable =
  WAREHOUSE_TABLES.find((t) => t.name === "quarantine") ??
    { name: "quarantine", dateColumn: "quarantined_at" };

/**
 * Every lake table of `datasets` plus the quarantine, each once (the first
 * declaration wins), in declaration order.
 */
export function lakeTables(
  // deno-lint-ignore no-explicit-any
  datasets: Readonly<Record<string, Dataset<any>>>,
): SnapshotTable[] {
  const seen = new Map<string, SnapshotTable>();
  for (const dataset of Object.values(datasets)) {
    for (const t of dataset.tables) if (!seen.has(t.name)) seen.set(t.name, t);
  }
  if (!seen.has(QUARANTINE_LAKE_TABLE.name)) {
    seen.set(QUARANTINE_LAKE_TABLE.name, QUARANTINE_LAKE_TABLE);
  }
  return [...seen.values()];
}
