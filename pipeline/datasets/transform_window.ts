/**
 * The transform of a dataset over incremental windows: the warehouse rows
 * just before each entity's window start feed the derived columns (returns,
 * moving averages, session VWAP, 24-hour sums), then the output is trimmed
 * back to the windows, so a window's rows come out exactly as one run over
 * all the data would make them and context rows are not written again.
 * @module
 */
import pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import type {
  Dataset,
  Transformed,
  TransformOptions,
} from "@pipeline/datasets/dataset.ts";

/**
 * `dataset.transform(valid)`, or with windows (`since` per entity) the
 * transform of context plus `valid`, trimmed to the windows.
 */
export async function transformWindow<B>(
  client: SqlClient,
  dataset: Dataset<B>,
  valid: pl.DataFrame,
  since: ReadonlyMap<string, Date>,
  options: TransformOptions = {},
): Promise<Transformed<B>> {
  if (since.size === 0) return dataset.transform(valid, options);
  const context = await dataset.context(client, since, valid);
  const input = context.height > 0
    ? pl.concat([context, valid], { how: "vertical" })
    : valid;
  return dataset.trim(dataset.transform(input, options), since);
}
