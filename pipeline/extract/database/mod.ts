/**
 * The database source engine: declared tables of an operational database
 * (MySQL/MariaDB through mysql2, Postgres through pg) read in one
 * consistent snapshot by keyset pages, landed in the lake and loaded.
 * @module
 */
export * from "@pipeline/extract/database/reader.ts";
export * from "@pipeline/extract/database/csv.ts";
export * from "@pipeline/extract/database/keyset.ts";
export * from "@pipeline/extract/database/land.ts";
export * from "@pipeline/extract/database/run.ts";
