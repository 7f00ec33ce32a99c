/**
 * The validate stage: RAW frame in, VALID and QUARANTINE frames out (see
 * `@pipeline/bars.ts`).
 * @module
 */
export * from "@pipeline/validate/bars.ts";
export * from "@pipeline/validate/weather.ts";
export * from "@pipeline/validate/records.ts";
