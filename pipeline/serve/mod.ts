/**
 * `deno task serve`: the dashboard. Server-rendered pages (prices, runs,
 * quality, warehouse) whose charts are the Plot charts of
 * `@pipeline/charts/`, read from the snapshot's catalogue opened read-only
 * per request, with live updates over server-sent events.
 * @module
 */
export * from "@pipeline/serve/page_error.ts";
export * from "@pipeline/serve/html.ts";
export * from "@pipeline/serve/catalog.ts";
export * from "@pipeline/serve/request.ts";
export * from "@pipeline/serve/prices_query.ts";
export * from "@pipeline/serve/session.ts";
export * from "@pipeline/serve/auth.ts";
export * from "@pipeline/serve/live.ts";
export * from "@pipeline/serve/nats_events.ts";
export * from "@pipeline/serve/options.ts";
export * from "@pipeline/serve/static.ts";
export * from "@pipeline/serve/page_cache.ts";
export * from "@pipeline/serve/server.ts";
export * from "@pipeline/serve/start.ts";
export { pricesPage } from "@pipeline/serve/pages/prices.ts";
export { runsPage } from "@pipeline/serve/pages/runs.ts";
export { RUN_ID, runPage } from "@pipeline/serve/pages/run.ts";
export { qualityPage } from "@pipeline/serve/pages/quality.ts";
export { warehousePage } from "@pipeline/serve/pages/warehouse.ts";
