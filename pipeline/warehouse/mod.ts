/**
 * The warehouse: dimensions and the lake-side tools that maintain them.
 * @module
 */
export * from "@pipeline/warehouse/scd2.ts";
export * from "@pipeline/warehouse/dim_symbol.ts";
export * from "@pipeline/warehouse/diff.ts";
export * from "@pipeline/warehouse/diff_record.ts";
export * from "@pipeline/warehouse/diff_command.ts";
