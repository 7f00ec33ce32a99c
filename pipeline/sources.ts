/**
 * Builds the configured source: the factory that the run's dataset
 * declares for the run's source engine (`Dataset.sources`,
 * `Dataset.backfillSources`). Each source is a list of partitions that are
 * extracted independently, so one failing partition does not stop the
 * others.
 * @module
 */
import type { Source } from "@pipeline/extract/source.ts";
import { EtlError } from "@pipeline/errors.ts";
import type { RunConfig } from "@pipeline/config.ts";
import type { SourceDeps } from "@pipeline/extract/source_deps.ts";
import type { EntitySource } from "@pipeline/incremental/backfill.ts";
import { DATASETS } from "@pipeline/datasets/registry.ts";

export type { SourceDeps } from "@pipeline/extract/source_deps.ts";
export { windowFor } from "@pipeline/extract/run_window.ts";

/** The registered dataset `config` loads. */
function datasetOf(config: RunConfig) {
  const dataset = DATASETS[config.dataset];
  if (!dataset) {
    throw new EtlError(
      `no dataset named ${config.dataset}: expected one of ${
        Object.keys(DATASETS).join(", ")
      }`,
      { stage: "config" },
    );
  }
  return dataset;
}

/** The source `config` names. Throws an `EtlError` (stage config) on bad setup. */
export async function sourceFor(
  config: RunConfig,
  deps: SourceDeps,
): Promise<Source> {
  const dataset = datasetOf(config);
  const make = dataset.sources[config.source];
  if (!make) {
    throw new EtlError(
      `--dataset ${dataset.name} is not offered by ${config.source} (it comes from --source ${
        Object.keys(dataset.sources).join(", ")
      })`,
      { stage: "config" },
    );
  }
  return await make(config, deps);
}

/**
 * The engines that can backfill the dataset `config` loads, by name.
 */
export function backfillEngines(config: RunConfig): string[] {
  return Object.keys(datasetOf(config).backfillSources ?? {});
}

/**
 * The configured source read one partition and window at a time, for a
 * backfill: the dataset's backfill factory for the source engine
 * (synthetic, an HTTP source, or its `--from-raw` replay).
 *
 * @throws EtlError (stage config) for an engine without partitions for the
 *   dataset (a file: load it with `run`).
 */
export async function entitySourceFor(
  config: RunConfig,
  deps: SourceDeps,
): Promise<EntitySource> {
  const dataset = datasetOf(config);
  const make = dataset.backfillSources?.[config.source];
  if (!make) throw new EtlError(noBackfillMessage(config), { stage: "config" });
  return await make(config, deps);
}

/** Why `config` cannot be backfilled: the engines that can. */
export function noBackfillMessage(config: RunConfig): string {
  const engines = backfillEngines(config);
  return `backfill needs a source with partitions (${
    engines.length ? engines.join(", ") : "none"
  } for --dataset ${config.dataset}); load --source ${config.source} with the run command`;
}
