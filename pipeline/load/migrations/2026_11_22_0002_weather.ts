/**
 * Hourly weather per location (Open-Meteo): the four measurements as
 * delivered (NULL where the source has no value for the hour) and the
 * 24-hour mean temperature and precipitation sum derived by the transform.
 *
 * Frozen once released: change the schema with a new migration.
 * @module
 */
import { type Kysely, sql } from "kysely";

// deno-lint-ignore no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE weather_hourly (
      location text NOT NULL,
      ts timestamptz NOT NULL,
      temperature_2m double precision,
      relative_humidity_2m double precision,
      precipitation double precision,
      wind_speed_10m double precision,
      temperature_2m_ma_24h double precision,
      precipitation_24h double precision,
      load_id uuid NOT NULL,
      PRIMARY KEY (location, ts)
    )`.execute(db);
}

// deno-lint-ignore no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS weather_hourly`.execute(db);
}
