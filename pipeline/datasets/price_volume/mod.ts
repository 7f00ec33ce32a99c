/**
 * The price and volume join: prices and volumes published on separate
 * subjects (`<prefix>.raw.prices`, `<prefix>.raw.volumes`) joined on
 * (symbol, minute) into `price_volume` with the price-volume ratio, waiting
 * a bounded time for the late side; a side still unmatched after the wait
 * is recorded in `price_volume_unmatched` with the reason, not dropped.
 * The join's state (the sides, pending ones included) is in the warehouse,
 * written in the load's transaction with the stream's offsets.
 *
 * Fed by the stream only (no run source); `etl produce --split
 * price_volume` splits bars into the two sides.
 * @module
 */
import type {} from "@pipeline/datasets/price_volume/tables.ts";
import { z } from "zod";
import type { Dataset, Transformed } from "@pipeline/datasets/dataset.ts";
import { withoutValues } from "@pipeline/datasets/dataset.ts";
import { defineResource } from "@pipeline/load/resource.ts";
import { validateSides } from "./validate.ts";
import { loadJoin, type PriceVolumeBatch, settleJoin } from "./join.ts";
import { PRICE_VOLUME_STREAM_SIDES } from "./sides.ts";

export { PRICE_VOLUME_SIDES, PRICE_VOLUME_STREAM_SIDES } from "./sides.ts";
export type { PriceVolumeSide } from "./sides.ts";
export { loadJoin, type PriceVolumeBatch, settleJoin } from "./join.ts";
export { validateSides } from "./validate.ts";

/** How long a side waits for its partner by default: one minute. */
export const PRICE_VOLUME_WAIT_MS = 60_000;

/** The joined pairs, keyed by (symbol, minute). */
export const PRICE_VOLUME = defineResource({
  name: "price_volume",
  primaryKey: ["symbol", "ts"],
  cursor: "ts",
  writeMode: "merge",
  schema: z.object({
    symbol: z.string(),
    ts: z.date(),
    price: z.number(),
    volume: z.number(),
    ratio: z.number().nullable(),
  }),
});

/**
 * The dataset with its wait for the late side (`waitMs`, default
 * {@link PRICE_VOLUME_WAIT_MS}).
 */
export function priceVolumeJoin(
  options: { waitMs?: number } = {},
): Dataset<PriceVolumeBatch> {
  const waitMs = options.waitMs ?? PRICE_VOLUME_WAIT_MS;
  return {
    name: "price_volume",
    entityColumn: "symbol",
    // Whole tables in the catalogue, not lake tables (see OPS_TABLES).
    tables: [],
    sources: {},
    streamSides: PRICE_VOLUME_STREAM_SIDES,
    stateTables: ["price_volume_sides", "price_volume_unmatched"],
    resource: PRICE_VOLUME,
    primary: () => null,
    validate: (raw, { now }) => validateSides(raw, { now }),
    transform(valid) {
      // The last message of a (symbol, minute, side) wins, as a correction.
      const sides = valid.select("symbol", "ts", "side", "value").unique({
        subset: ["symbol", "ts", "side"],
        keep: "last",
        maintainOrder: true,
      });
      return {
        batch: { sides },
        rows: sides.height,
        duplicates: valid.height - sides.height,
        dates: [],
      };
    },
    checks: [],
    withoutEntities: (t, entities) => mapSides(t, entities),
    load: (tx, batch, { loadId }) => loadJoin(tx, batch, { loadId, waitMs }),
    settle: (tx, { loadId }) => settleJoin(tx, { loadId, waitMs }),
    withJoinWait: (ms) => priceVolumeJoin({ waitMs: ms }),
  };
}

/** The dataset at the default wait. */
export const priceVolumeDataset: Dataset<PriceVolumeBatch> = priceVolumeJoin();

function mapSides(
  transformed: Transformed<PriceVolumeBatch>,
  entities: readonly string[],
): Transformed<PriceVolumeBatch> {
  const sides = withoutValues(transformed.batch.sides, "symbol", entities);
  return { ...transformed, batch: { sides }, rows: sides.height };
}
