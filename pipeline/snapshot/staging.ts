/**
 * Staging leftovers: a snapshot stages its CSV exports and Parquet files in
 * `<lake>/.staging-<uuid>/` and removes it when done; a killed process (or
 * a full disk that also failed the clean-up) leaves it behind. The next
 * lake writer, holding the lake lock (`@pipeline/snapshot/lake_lock.ts`),
 * removes every one before it starts.
 * @module
 */
import { dirname } from "node:path";
import { EtlError } from "@pipeline/errors.ts";

/** The name prefix of a snapshot's staging directory inside the lake. */
export const STAGING_PREFIX = ".staging-";

/**
 * The name prefix of the catalogue's staging files, next to the lake in the
 * data directory (`@pipeline/snapshot/catalog_file.ts`).
 */
export const CATALOG_STAGING_PREFIX = ".staging-catalog-";

/**
 * Removes every `.staging-*` entry directly under `lakeDir`, and the
 * catalogue's `.staging-catalog-*` files in its parent, the data directory.
 * Call only while holding the lake lock: a live writer's staging would go
 * too.
 *
 * @returns The paths removed; empty when the lake does not exist yet.
 * @throws EtlError (stage `snapshot`, transient) when one cannot be removed.
 */
export async function removeStagingLeftovers(
  lakeDir: string,
): Promise<string[]> {
  const removed = await removeEntries(lakeDir, STAGING_PREFIX);
  removed.push(
    ...await removeEntries(dirname(lakeDir), CATALOG_STAGING_PREFIX),
  );
  return removed;
}

/** Removes the entries of `dir` whose name starts with `prefix`. */
async function removeEntries(dir: string, prefix: string): Promise<string[]> {
  const removed: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.name.startsWith(prefix)) continue;
      const path = `${dir}/${entry.name}`;
      try {
        await Deno.remove(path, { recursive: true });
        removed.push(path);
      } catch (cause) {
        if (cause instanceof Deno.errors.NotFound) continue;
        throw new EtlError(`cannot remove the staging leftover ${path}`, {
          stage: "snapshot",
          partition: "lake",
          transient: true,
          cause,
        });
      }
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return removed;
    throw err;
  }
  return removed;
}
