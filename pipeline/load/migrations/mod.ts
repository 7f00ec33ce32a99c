/**
 * Every migration, in order: each file of this folder named
 * `YYYY_MM_DD_NNNN_<what>.ts` (a sortable date prefix) is one, found by
 * reading the folder, so adding a table is one new file here and no edit
 * of a list. A released migration is frozen: change the schema with a new
 * one.
 * @module
 */
import type { Migration } from "kysely/migration";
import { EtlError } from "@pipeline/errors.ts";

/** The file name of a migration; its name is the file name without `.ts`. */
export const MIGRATION_FILE = /^(\d{4}_\d{2}_\d{2}_\d{4}_[a-z0-9_]+)\.ts$/;

let found: Promise<Readonly<Record<string, Migration>>> | undefined;

/**
 * The migrations by name, for Kysely's Migrator: every migration file of
 * `pipeline/load/migrations/`, imported once per process. Throws an
 * `EtlError` (stage load, not retryable) naming a file that does not export
 * an `up` function.
 */
export function loadMigrations(): Promise<Readonly<Record<string, Migration>>> {
  found ??= discover().catch((e) => {
    found = undefined;
    throw e;
  });
  return found;
}

/**
 * The names of every migration, sorted, read from the folder without
 * importing any of them (what {@link loadMigrations} would return the keys
 * of).
 */
export async function migrationNames(): Promise<string[]> {
  const folder = new URL("./", import.meta.url);
  const names: string[] = [];
  for await (const entry of Deno.readDir(folder)) {
    const match = entry.isFile ? MIGRATION_FILE.exec(entry.name) : null;
    if (match) names.push(match[1]!);
  }
  return names.sort();
}

/**
 * A name for the schema the migrations make: 16 hex digits of the SHA-256
 * of every migration's name and text. Another migration, or an edited one,
 * gives another.
 */
export async function migrationsFingerprint(): Promise<string> {
  const folder = new URL("./", import.meta.url);
  const parts: string[] = [];
  for (const name of await migrationNames()) {
    parts.push(name, await Deno.readTextFile(new URL(`${name}.ts`, folder)));
  }
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(parts.join("\0")),
  );
  return [...new Uint8Array(digest).slice(0, 8)]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function discover(): Promise<Readonly<Record<string, Migration>>> {
  const folder = new URL("./", import.meta.url);
  const names = await migrationNames();
  const migrations: Record<string, Migration> = {};
  for (const name of names) {
    const module = await import(new URL(`${name}.ts`, folder).href);
    if (typeof module.up !== "function") {
      throw new EtlError(
        `migration ${name} exports no up() function (a retry will not help: fix the file)`,
        { stage: "load" },
      );
    }
    migrations[name] = module as Migration;
  }
  return Object.freeze(migrations);
}
