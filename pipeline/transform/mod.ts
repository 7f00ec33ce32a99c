/**
 * The transform stage: derived columns and resampled bars from the valid
 * frame. See {@link transformBars}.
 * @module
 */
export {
  BARS_COLUMNS,
  BARS_MA_WINDOW,
  dedupeBars,
  type DedupeResult,
  EXCHANGE_TIME_ZONE,
  isSortedBars,
  type MovingAverageOptions,
  normaliseTimestamps,
  resampleBars,
  RESAMPLED_COLUMNS,
  type ResampleEvery,
  type ResampleOptions,
  sessionDay,
  sortBars,
  transformBars,
  type TransformResult,
  typicalPrice,
  withMovingAverages,
  withReturns,
  withSessionDay,
  withVwap,
} from "@pipeline/transform/bars.ts";
export {
  dedupeWeather,
  type DedupeWeatherResult,
  fullWindow,
  sortWeather,
  transformWeather,
  type TransformWeatherResult,
  WEATHER_COLUMNS,
  WEATHER_WINDOW_HOURS,
  withRolling24h,
} from "@pipeline/transform/weather.ts";
