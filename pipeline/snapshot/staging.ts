/**
 * Staging leftovers: a snapshot stages its CSV exports and Parquet files in
 * `<lake>/.staging-<uuid>/` and removes it when done; a killed process (or
 * a full disk that also failed the clean-up) leaves it behind. The next
 * lake writer, holding the lake lock (`@pipeline/snapshot/lake_lock.ts`),
 * removes every one before it starts.
 * @module
 */
import { EtlError } from "@pipeline/errors.ts";

/** The name prefix of a snapshot's staging directory inside the lake. */
export const STAGING_PREFIX = ".staging-";

/**
 * Removes every `.staging-*` entry directly under `lakeDir`. Call only while
 * holding the lake lock: a live writer's staging would go too.
 *
 * @returns The paths removed; empty when the lake does not exist yet.
 * @throws EtlError (stage `snapshot`, transient) when one cannot be removed.
 */
export async function removeStagingLeftovers(
  lakeDir: string,
): Promise<string[]> {
  const removed: string[] = [];
  try {
    for await (const entry of Deno.readDir(lakeDir)) {
      if (!entry.name.startsWith(STAGING_PREFIX)) continue;
      const path = `${lakeDir}/${entry.name}`;
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
