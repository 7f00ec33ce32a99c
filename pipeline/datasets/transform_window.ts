/**
 * The transform of a dataset over incremental windows: for a dataset with
 * `context` (weather), the warehouse rows just before each entity's window
 * start feed the derived columns (24-hour sums), then the output is trimmed
 * back to the windows, so a window's rows come out exactly as one run over
 * all the data would make them and context rows are not written again. A
 * dataset whose derived data the load recomputes from the warehouse (bars)
 * is transformed as it is.
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
 * `dataset.transform(valid)`, or with windows (`since` per entity) and a
 * dataset with context, the transform of context plus `valid`, trimmed to
 * the windows.
 */
export async function transformWindow<B>(
  client: SqlClient,
  dataset: Dataset<B>,
  valid: pl.DataFrame,
  since: ReadonlyMap<string, Date>,
  options: TransformOptions = {},
): Promise<Transformed<B>> {
  const { context, trim } = dataset;
  if (since.size === 0 || !context || !trim) {
    return dataset.transform(valid, options);
  }
  const rows = await context.call(dataset, client, since, valid);
  const input = rows.height > 0
    ? pl.concat([rows, valid], { how: "vertical" })
    : valid;
  return trim.call(dataset, dataset.transform(input, options), since);
}
