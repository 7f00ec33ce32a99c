/**
 * The pipeline a command acts for (its lock, schedule and history).
 * @module
 */
import type { RunConfig } from "@pipeline/config.ts";
import { SOURCE_DATASETS } from "@pipeline/datasets/source_datasets.ts";

/**
 * `--pipeline` when given; else the source's name, or
 * `<source>-<dataset>` when the run loads a dataset that is not the
 * source's own (`file-symbols`), so the two never share a lock.
 */
export function pipelineName(config: RunConfig, given?: string): string {
  if (given !== undefined) return given;
  return config.dataset === SOURCE_DATASETS[config.source]?.[0]
    ? config.source
    : `${config.source}-${config.dataset}`;
}
