/**
 * Every migration, in order. Names carry a sortable date prefix; a released
 * migration is frozen: change the schema with a new one.
 * @module
 */
import type { Migration } from "kysely/migration";
import * as initial from "@pipeline/load/migrations/2026_11_22_0001_initial.ts";
import * as weather from "@pipeline/load/migrations/2026_11_22_0002_weather.ts";
import * as operations from "@pipeline/load/migrations/2026_11_22_0003_operations.ts";
import * as partitionedFacts from "@pipeline/load/migrations/2026_12_01_0004_partitioned_facts.ts";
import * as incremental from "@pipeline/load/migrations/2026_12_01_0005_incremental.ts";
import * as quality from "@pipeline/load/migrations/2026_12_01_0007_quality.ts";
import * as symbols from "@pipeline/load/migrations/2026_12_01_0006_symbols.ts";
import * as bars1d from "@pipeline/load/migrations/2026_12_03_0008_bars_1d.ts";
import * as lakeDebt from "@pipeline/load/migrations/2026_12_03_0009_lake_debt.ts";
import * as streamOffsets from "@pipeline/load/migrations/2026_12_03_0010_stream_offsets.ts";

/** The migrations by name, for Kysely's Migrator. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  "2026_11_22_0001_initial": initial,
  "2026_11_22_0002_weather": weather,
  "2026_11_22_0003_operations": operations,
  "2026_12_01_0004_partitioned_facts": partitionedFacts,
  "2026_12_01_0005_incremental": incremental,
  "2026_12_01_0006_symbols": symbols,
  "2026_12_01_0007_quality": quality,
  "2026_12_03_0008_bars_1d": bars1d,
  "2026_12_03_0009_lake_debt": lakeDebt,
  "2026_12_03_0010_stream_offsets": streamOffsets,
};
