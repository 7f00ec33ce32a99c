/**
 * The warehouse table of weather as a Kysely type, merged into `Database`.
 * @module
 */
import type { Timestamp } from "@pipeline/load/database.ts";

/** An hour of weather at a location; measurements are NULL when not sent. */
export interface WeatherHourlyTable {
  location: string;
  ts: Timestamp;
  temperature_2m: number | null;
  relative_humidity_2m: number | null;
  precipitation: number | null;
  wind_speed_10m: number | null;
  temperature_2m_ma_24h: number | null;
  precipitation_24h: number | null;
  load_id: string;
}

declare module "@pipeline/load/database.ts" {
  interface Database {
    weather_hourly: WeatherHourlyTable;
  }
}
