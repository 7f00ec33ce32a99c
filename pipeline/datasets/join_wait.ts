/**
 * The registry's datasets with another wait for the late side of every
 * join (`etl stream --join-wait`): a dataset without a join is itself.
 * @module
 */
import type { Dataset } from "@pipeline/datasets/dataset.ts";
import { DATASETS } from "@pipeline/datasets/registry.ts";

/** {@link DATASETS}, each join waiting `waitMs` for its late side. */
export function datasetsWithJoinWait(
  waitMs: number,
  // deno-lint-ignore no-explicit-any
  datasets: Readonly<Record<string, Dataset<any>>> = DATASETS,
  // deno-lint-ignore no-explicit-any
): Readonly<Record<string, Dataset<any>>> {
  return Object.freeze(
    Object.fromEntries(
      Object.entries(datasets).map((
        [name, d],
      ) => [name, d.withJoinWait?.(waitMs) ?? d]),
    ),
  );
}
