// AUTO-GENERATED from notebooks/08_dataset_eod.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/08_dataset_eod.ipynb#load
/**
 * The load of eod: merge into `eod_bars`.
 * @module
 */
import type pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import type { UpsertResult } from "@pipeline/load/upsert.ts";
import { writeResource } from "@pipeline/load/write.ts";
import * as resource from "@pipeline/datasets/eod/resource.ts";

/** The frames of one run's daily bars. */
export interface EodBatch {
  /** The `eod_bars` rows (`EOD_BARS`'s columns), unique by key. */
  bars: pl.DataFrame;
}

/**
 * Merges `batch.bars` into `eod_bars` inside `tx` (the caller's
 * transaction). `ret` is not compared: the generic load
 * (`loadDataset()`) recomputes it afterwards from the warehouse
 * (`EOD_RET`, the dataset's `derived`).
 */
export async function loadEod(
  tx: SqlClient,
  batch: EodBatch,
  options: { loadId: string; source?: string | undefined },
): Promise<UpsertResult[]> {
  return [await writeResource(tx, resource.EOD_BARS, batch.bars, options)];
}
