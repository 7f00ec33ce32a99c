/**
 * Assertions shared by the tests of the HTTP sources.
 * @module
 */
import assert from "node:assert/strict";
import type pl from "nodejs-polars";
import { ExtractError } from "@pipeline/extract/http/extract_error.ts";
import type { Source, SourcePartition } from "@pipeline/extract/source.ts";

/** The one partition of `src` (fails when it has none or more). */
export function only(src: Source): SourcePartition {
  const [p, ...rest] = src.partitions();
  assert.ok(p);
  assert.equal(rest.length, 0);
  return p;
}

/** The `ExtractError` `promise` rejects with (fails when it resolves). */
export async function extractError(
  promise: Promise<unknown>,
): Promise<ExtractError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ExtractError, `expected ExtractError, got ${err}`);
    return err;
  }
  assert.fail("expected extract() to reject (and return no frame)");
}

/** The values of column `name` of `df`. */
export const col = (df: pl.DataFrame, name: string): unknown[] =>
  df.getColumn(name).toArray();
