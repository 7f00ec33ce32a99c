/**
 * Which datasets each source engine delivers, derived from the datasets'
 * declarations (`sources`, `ownOf`) in the registry.
 * @module
 */
import type { Dataset } from "@pipeline/datasets/dataset.ts";
import { DATASETS } from "@pipeline/datasets/registry.ts";

/**
 * Per source engine, the names of the datasets it delivers: its own first
 * (the dataset whose `ownOf` names it), then the others in registry order.
 * An engine without an own dataset lists its first in registry order
 * first (the registry test refuses that).
 */
export function sourceDatasets(
  // deno-lint-ignore no-explicit-any
  datasets: Readonly<Record<string, Dataset<any>>>,
): Record<string, readonly [string, ...string[]]> {
  const out: Record<string, [string, ...string[]]> = {};
  for (const dataset of Object.values(datasets)) {
    for (const engine of Object.keys(dataset.sources)) {
      const list = out[engine];
      if (!list) out[engine] = [dataset.name];
      else if (dataset.ownOf?.includes(engine)) list.unshift(dataset.name);
      else list.push(dataset.name);
    }
  }
  return out;
}

/**
 * The datasets each source engine can deliver (`--dataset`), its own
 * first: the one a run loads when no `--dataset` is given.
 */
export const SOURCE_DATASETS: Readonly<
  Record<string, readonly [string, ...string[]]>
> = Object.freeze(sourceDatasets(DATASETS));
