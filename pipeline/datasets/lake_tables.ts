/**
 * The tables the lake holds: every dataset's declared tables (with their
 * date column, partition granularity and key) and the quarantine, which
 * every load writes. Paying the lake's debt, retention and snapshot diffs
 * look tables up here.
 * @module
 */
import type { Dataset, LakeTable } from "@pipeline/datasets/dataset.ts";

/** A lake table with its key and diff settings resolved. */
export interface ResolvedLakeTable extends LakeTable {
  readonly key: readonly string[];
  readonly diffIgnore: readonly string[];
}

/** The quarantine's lake table: by the UTC date of `quarantined_at`. */
export const QUARANTINE_LAKE_TABLE: ResolvedLakeTable = Object.freeze({
  name: "quarantine",
  dateColumn: "quarantined_at",
  key: ["fingerprint"],
  diffIgnore: [],
});

/**
 * Every lake table of `datasets` plus the quarantine, each once (the first
 * declaration wins), in declaration order; a table without a declared key
 * takes its dataset's resource primary key.
 */
export function lakeTables(
  // deno-lint-ignore no-explicit-any
  datasets: Readonly<Record<string, Dataset<any>>>,
): ResolvedLakeTable[] {
  const seen = new Map<string, ResolvedLakeTable>();
  for (const dataset of Object.values(datasets)) {
    for (const t of dataset.tables) {
      if (seen.has(t.name)) continue;
      seen.set(t.name, {
        ...t,
        key: t.key ?? dataset.resource.primaryKey,
        diffIgnore: t.diffIgnore ?? [],
      });
    }
  }
  if (!seen.has(QUARANTINE_LAKE_TABLE.name)) {
    seen.set(QUARANTINE_LAKE_TABLE.name, QUARANTINE_LAKE_TABLE);
  }
  return [...seen.values()];
}
