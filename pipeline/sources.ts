/**
 * Builds the configured source. Each source is a list of partitions that are
 * extracted independently, so one failing partition does not stop the others.
 * @module
 */
import type { Source } from "@pipeline/extract/source.ts";
import { syntheticBars } from "@pipeline/extract/synthetic.ts";
import { readBarFile } from "@pipeline/extract/file.ts";
import type { RunConfig } from "@pipeline/config.ts";
import type { Clock } from "@pipeline/clock.ts";

/** What a source may need from outside. */
export interface SourceDeps {
  clock: Clock;
}

/** The source `config` names. */
export function sourceFor(config: RunConfig, deps: SourceDeps): Source {
  switch (config.source) {
    case "synthetic":
      return {
        name: "synthetic",
        dataset: "bars",
        partitions: () =>
          config.symbols.map((symbol) => ({
            name: symbol,
            extract: () =>
              Promise.resolve(syntheticBars({
                clock: deps.clock,
                symbols: [symbol],
                sessions: config.sessions,
                seed: config.seed,
                defectRate: config.defectRate,
              })),
          })),
      };
    case "file": {
      const path = config.input!;
      return {
        name: "file",
        dataset: "bars",
        partitions: () => [{ name: path, extract: () => readBarFile(path) }],
      };
    }
  }
}
