/**
 * A new PGlite data directory from a cached template. Creating a PGlite
 * database runs initdb inside WebAssembly (seconds, and a memory peak of
 * its own), and a new warehouse then applies every migration; both give the
 * same files every time. So the first directory made builds a template in
 * the cache (`$XDG_CACHE_HOME/sluice`, else `~/.cache/sluice`) and every
 * later new directory is a copy of it.
 *
 * A template is named by PGlite's version and a key from the caller (the
 * migrations it holds), so another PGlite or another schema builds its own.
 * It holds only the database PGlite opens (`postgres`): initdb's
 * `template0` and `template1` are dropped, as Sluice never creates a
 * database in PGlite. They were 600 of its 1,160 files, and a new
 * directory's copy is paid file by file.
 * It is built under a temporary name and renamed into place, so processes
 * building one at the same time never see half of one.
 * @module
 */
import { join } from "node:path";
import { processAlive } from "@pipeline/ops/dir_lock.ts";
import { connectPglite, type SqlClient } from "@pipeline/load/client.ts";

/**
 * What a template holds besides the caller's key, in its name: `one-db`,
 * initdb's template databases dropped (templates without the mark hold
 * them and are no longer used).
 */
const TEMPLATE_LAYOUT = "one-db";

/** The environment variable that turns templates off (`off`). */
export const PGLITE_TEMPLATE_ENV = "SLUICE_PGLITE_TEMPLATE";

/** Options of {@link seedPglite}. */
export interface PgliteTemplateOptions {
  /** Folder of the templates. Default {@link defaultCacheDir}. */
  cacheDir?: string | undefined;
  /** What `prepare` makes of a new database (part of the template's name). */
  key: string;
  /** Run on the template's new database before it is kept. Default nothing. */
  prepare?: ((client: SqlClient) => Promise<void>) | undefined;
}

/** How {@link seedPglite} found the directory. */
export type SeedOutcome =
  /** It already held a database: left as it is. */
  | "existing"
  /** A copy of the cached template. */
  | "copied"
  /** The template was built first, then copied. */
  | "built";

/** `$XDG_CACHE_HOME/sluice`, else `$HOME/.cache/sluice`; null without either. */
export function defaultCacheDir(): string | null {
  const xdg = Deno.env.get("XDG_CACHE_HOME");
  if (xdg) return join(xdg, "sluice");
  const home = Deno.env.get("HOME");
  return home ? join(home, ".cache", "sluice") : null;
}

/** Whether `dataDir` holds a PGlite database (its `PG_VERSION`). */
export function holdsDatabase(dataDir: string): boolean {
  try {
    Deno.lstatSync(join(dataDir, "PG_VERSION"));
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/**
 * Makes `dataDir` a PGlite database from the cached template when it holds
 * none yet ({@link holdsDatabase}), building the template first if missing.
 */
export async function seedPglite(
  dataDir: string,
  options: PgliteTemplateOptions,
): Promise<SeedOutcome> {
  if (holdsDatabase(dataDir)) return "existing";
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  if (!cacheDir) throw new Error("no cache folder (HOME is unset)");
  const template = join(
    cacheDir,
    `pglite-${await pgliteVersion()}-${options.key}-${TEMPLATE_LAYOUT}`,
  );
  let outcome: SeedOutcome = "copied";
  if (!await exists(join(template, "PG_VERSION"))) {
    await removeAbandonedBuilds(cacheDir);
    await buildTemplate(template, options.prepare);
    outcome = "built";
  }
  // Copied beside, then renamed: a copy cut short leaves no directory that
  // looks like a database.
  const copying = `${dataDir}.seeding-${crypto.randomUUID()}`;
  try {
    copyTree(template, copying);
    await Deno.remove(dataDir).catch(() => {}); // empty, if there
    await Deno.rename(copying, dataDir);
  } finally {
    await Deno.remove(copying, { recursive: true }).catch(() => {});
  }
  return outcome;
}

async function buildTemplate(
  template: string,
  prepare: PgliteTemplateOptions["prepare"],
): Promise<void> {
  const building = `${template}.building-${Deno.pid}-${crypto.randomUUID()}`;
  try {
    const client = await connectPglite(building);
    try {
      await prepare?.(client);
      await dropTemplateDatabases(client);
    } finally {
      await client.close();
    }
    try {
      await Deno.rename(building, template);
    } catch (err) {
      // Another process renamed its own into place first: use that one.
      if (!await exists(join(template, "PG_VERSION"))) throw err;
    }
  } finally {
    await Deno.remove(building, { recursive: true }).catch(() => {});
  }
}

/**
 * Removes the builds (`<template>.building-<pid>-<uuid>`) of processes that
 * no longer run: a build killed midway left its folder (about 26 MB) behind
 * for good. Another live process's build is left alone.
 */
async function removeAbandonedBuilds(cacheDir: string): Promise<void> {
  let names: string[];
  try {
    names = [...Deno.readDirSync(cacheDir)].map((e) => e.name);
  } catch {
    return; // no cache folder yet
  }
  for (const name of names) {
    const pid = Number(/\.building-(\d+)-/.exec(name)?.[1]);
    if (!Number.isSafeInteger(pid) || pid <= 0) continue;
    if (pid === Deno.pid || processAlive(pid)) continue;
    await Deno.remove(join(cacheDir, name), { recursive: true })
      .catch(() => {}); // gone already, or not ours to remove
  }
}

/**
 * Drops initdb's `template1` and `template0` (they must stop being
 * templates first) and checkpoints, so their files leave the directory.
 */
async function dropTemplateDatabases(client: SqlClient): Promise<void> {
  for (const name of ["template1", "template0"]) {
    await client.exec(
      `UPDATE pg_database SET datistemplate = false WHERE datname = '${name}'`,
    );
    await client.exec(`DROP DATABASE IF EXISTS ${name}`);
  }
  await client.exec("CHECKPOINT");
}

/** PGlite's version from its package.json, else its resolved location. */
async function pgliteVersion(): Promise<string> {
  const entry = import.meta.resolve("@electric-sql/pglite");
  try {
    const pkg = JSON.parse(
      await Deno.readTextFile(new URL("../package.json", entry)),
    );
    if (typeof pkg.version === "string") return pkg.version;
  } catch {
    // not a file: URL next to its package.json; below
  }
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(entry),
  );
  return [...new Uint8Array(digest).slice(0, 6)]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Copies the tree `from` to `to`. Synchronous calls: a template is about a
 * thousand small files, and nothing else runs while a command opens its
 * database (async copies of one at a time took three times as long).
 */
function copyTree(from: string, to: string): void {
  Deno.mkdirSync(to, { recursive: true });
  for (const entry of Deno.readDirSync(from)) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory) copyTree(source, target);
    else Deno.copyFileSync(source, target);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}
