/**
 * The symbols dataset: reference data of stocks (name, exchange, currency,
 * sector) into the type 2 dimension `dim_symbol`, snapshotted daily as
 * `symbols_ref`.
 * @module
 */
import type {} from "@pipeline/datasets/symbols/tables.ts";
import { z } from "zod";
import type { Dataset } from "@pipeline/datasets/dataset.ts";
import { withoutValues } from "@pipeline/datasets/dataset.ts";
import { defineResource } from "@pipeline/load/resource.ts";
import { EtlError } from "@pipeline/errors.ts";
import { validateSymbols } from "@pipeline/datasets/symbols/validate.ts";
import { transformSymbols } from "@pipeline/datasets/symbols/transform.ts";
import {
  loadDimSymbol,
  type SymbolBatch,
  SYMBOLS_REF,
} from "@pipeline/datasets/symbols/dim_symbol.ts";
import { scd2UpsertResult } from "@pipeline/warehouse/scd2.ts";
import { SYMBOLS_SOURCES } from "@pipeline/datasets/symbols/sources.ts";

/**
 * Symbols: validate, transform, SCD2 load and snapshot of a full reference.
 * Versions open and close at the run's clock (`--as-of`), which the
 * transform must be given (`options.now`).
 */
export const symbolsDataset: Dataset<SymbolBatch> = {
  name: "symbols",
  entityColumn: "symbol",
  // The daily snapshot of the current versions, diffed by symbol: `as_of`
  // changes with every load, `row_hash` is derived from the compared
  // attributes.
  tables: [{
    name: SYMBOLS_REF,
    dateColumn: "as_of",
    key: ["symbol"],
    diffIgnore: ["as_of", "row_hash"],
  }],
  sources: SYMBOLS_SOURCES,
  validate: (raw) => validateSymbols(raw),
  transform(valid, options = {}) {
    const asOf = options.now;
    if (!asOf) {
      throw new EtlError("the symbols transform needs the run's clock (now)", {
        stage: "transform",
      });
    }
    const { reference, held, duplicates } = transformSymbols(valid, {
      quarantine: options.quarantine,
    });
    return {
      batch: { reference, held, asOf, full: true },
      rows: reference.height,
      duplicates,
      dates: [asOf.toISOString().slice(0, 10)],
    };
  },
  // dim_symbol has versions, not a cursor stream: no watermarks, no
  // incremental windows (every reference load is compared whole or by its
  // snapshot diff).
  resource: defineResource({
    name: "dim_symbol",
    primaryKey: ["symbol", "valid_from"],
    cursor: "valid_from",
    writeMode: "scd2",
    schema: z.object({
      symbol: z.string(),
      name: z.string(),
      exchange: z.string(),
      currency: z.string(),
      sector: z.string().nullable(),
      row_hash: z.string(),
      valid_from: z.date(),
      valid_to: z.date().nullable(),
      is_current: z.boolean(),
    }),
  }),
  primary: () => null,
  checks: [],
  withoutEntities: (transformed, entities) => {
    const reference = withoutValues(
      transformed.batch.reference,
      "symbol",
      entities,
    );
    return {
      ...transformed,
      batch: { ...transformed.batch, reference },
      rows: reference.height,
    };
  },
  load: async (tx, batch, { loadId, dataDir }) => [
    scd2UpsertResult(
      (await loadDimSymbol(tx, batch, { loadId, dataDir })).merge,
    ),
  ],
};
