/**
 * The load stage: migrations, the SQL clients, the bulk upsert and the
 * recompute of derived assets.
 * @module
 */
export * from "@pipeline/load/client.ts";
export * from "@pipeline/load/migrate.ts";
export * from "@pipeline/load/upsert.ts";
export * from "@pipeline/load/bars.ts";
export * from "@pipeline/load/derived_asset.ts";
export * from "@pipeline/load/derive.ts";
export * from "@pipeline/load/derive_fresh.ts";
export * from "@pipeline/load/derive_aggregate.ts";
export * from "@pipeline/load/derive_window.ts";
export * from "@pipeline/load/weather.ts";
export type * from "@pipeline/load/database.ts";
export * from "@pipeline/load/quarantine.ts";
export * from "@pipeline/load/copy_frame.ts";
