/**
 * The two sides of the price and volume join: the subjects they come on
 * (`<prefix>.raw.prices`, `<prefix>.raw.volumes`) and how a producer splits
 * a bar into them.
 * @module
 */
import type { StreamSide } from "@pipeline/datasets/dataset.ts";

/** The sides, by the subject token each comes on. */
export const PRICE_VOLUME_SIDES = ["prices", "volumes"] as const;

/** One of {@link PRICE_VOLUME_SIDES}. */
export type PriceVolumeSide = typeof PRICE_VOLUME_SIDES[number];

/**
 * A bar split into its two sides: the close as the minute's price, the
 * volume on its own subject.
 */
export const PRICE_VOLUME_STREAM_SIDES: readonly StreamSide[] = Object.freeze([
  Object.freeze({
    subject: "prices",
    from: "bars",
    fields: Object.freeze({ symbol: "symbol", ts: "ts", price: "close" }),
  }),
  Object.freeze({
    subject: "volumes",
    from: "bars",
    fields: Object.freeze({ symbol: "symbol", ts: "ts", volume: "volume" }),
  }),
]);
