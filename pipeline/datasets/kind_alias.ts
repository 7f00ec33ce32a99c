/**
 * The deprecated `--kind` spellings (before `--dataset`): `--kind bars`
 * meant the source's own dataset (weather for openmeteo), `--kind symbols`
 * the symbols dataset. Kept for one release so scheduled jobs keep working.
 * @module
 */

/** Each `--kind` value and the dataset it names (undefined: the source's own). */
export const KIND_ALIASES: Readonly<Record<string, string | undefined>> = Object
  .freeze({ bars: undefined, symbols: "symbols" });
