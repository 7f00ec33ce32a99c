/**
 * The sources of symbols: one partition holding the full reference, of the
 * synthetic source's symbols or of an input file.
 * @module
 */
import type { SourceFactory } from "@pipeline/datasets/dataset.ts";
import {
  readSymbolFile,
  SYMBOL_FILE_SCHEMA,
} from "@pipeline/extract/symbol_file.ts";
import { recordFileSource } from "@pipeline/extract/file_source.ts";
import { syntheticSymbols } from "@pipeline/datasets/symbols/synthetic.ts";

/** The run's sources of symbols. */
export const SYMBOLS_SOURCES: Readonly<Record<string, SourceFactory>> = {
  synthetic: (config) => ({
    name: "synthetic",
    dataset: "symbols",
    partitions: () => [{
      name: "symbols",
      extract: () =>
        Promise.resolve(
          syntheticSymbols({ symbols: config.symbols, seed: config.seed }),
        ),
    }],
  }),
  file: (config, deps) =>
    recordFileSource(config, deps, {
      dataset: "symbols",
      schema: SYMBOL_FILE_SCHEMA,
      read: readSymbolFile,
    }),
};
