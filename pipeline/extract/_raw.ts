/**
 * Helpers shared by the extract sources (private to this folder).
 * @module
 */
import pl from "nodejs-polars";
import { BAR_FIELDS } from "@pipeline/bars.ts";

/** The columns of a raw frame, in order: the bar fields, then `record`. */
export const RAW_COLUMNS = [...BAR_FIELDS, "record"] as const;

/** A raw frame with no rows: {@link RAW_COLUMNS}, all Utf8. */
export function emptyRawFrame(): pl.DataFrame {
  return pl.DataFrame(
    RAW_COLUMNS.map((name) => pl.Series(name, [], pl.Utf8)),
  );
}
