/**
 * Which dataset a stream subject feeds: its own name (`bars`), or a side of
 * a dataset fed by several subjects (`prices` and `volumes` feed
 * `price_volume`), from the datasets' declarations.
 * @module
 */
import type { Dataset, StreamSide } from "@pipeline/datasets/dataset.ts";

/** The dataset of a subject token, and the side it carries (if a side). */
export interface SubjectTarget {
  // deno-lint-ignore no-explicit-any
  dataset: Dataset<any>;
  side: string | null;
}

/**
 * Per subject token, the dataset it feeds: every dataset by its name, and
 * each declared side by its subject. Throws on a subject declared twice.
 */
export function subjectTargets(
  // deno-lint-ignore no-explicit-any
  datasets: Readonly<Record<string, Dataset<any>>>,
): ReadonlyMap<string, SubjectTarget> {
  const out = new Map<string, SubjectTarget>();
  for (const dataset of Object.values(datasets)) {
    out.set(dataset.name, { dataset, side: null });
  }
  for (const dataset of Object.values(datasets)) {
    for (const side of dataset.streamSides ?? []) {
      if (out.has(side.subject)) {
        throw new Error(
          `stream subject ${side.subject} of ${dataset.name} is taken`,
        );
      }
      out.set(side.subject, { dataset, side: side.subject });
    }
  }
  return out;
}

/**
 * The sides a producer publishes for records of dataset `from` when split
 * for `dataset`; throws an Error naming both when `dataset` has no side
 * fed from `from`.
 */
export function splitSides(
  // deno-lint-ignore no-explicit-any
  dataset: Dataset<any>,
  from: string,
): readonly StreamSide[] {
  const sides = (dataset.streamSides ?? []).filter((s) => s.from === from);
  if (sides.length === 0) {
    throw new Error(
      `${dataset.name} has no stream sides made from ${from} records`,
    );
  }
  return sides;
}
