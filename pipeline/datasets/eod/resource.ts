// AUTO-GENERATED from notebooks/08_dataset_eod.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/08_dataset_eod.ipynb#resource
/**
 * `eod_bars`: how the load writes daily bars.
 * @module
 */
import { defineResource, type ResourceSpec } from "@pipeline/load/resource.ts";
import * as contract from "@pipeline/datasets/eod/contract.ts";

/**
 * Daily bars keyed by (symbol, ts), merged keeping the newest by ts;
 * `ret` is recomputed from the warehouse after the merge.
 */
export const EOD_BARS: ResourceSpec = defineResource({
  name: "eod_bars",
  primaryKey: ["symbol", "ts"],
  cursor: "ts",
  writeMode: "merge",
  derivedColumns: ["ret"],
  schema: contract.EodBarSchema,
});
