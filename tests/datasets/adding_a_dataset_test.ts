/**
 * README's "Adding a dataset" checked against what adding eod took: the
 * paths its commit touched (the commit whose subject starts with `eod: `)
 * are exactly the section's listed paths, the registry gained two lines
 * (the import and the list entry), and the folder declares what the steps
 * say. A shallow clone without that commit skips the git part (CI clones
 * fully).
 */
import assert from "node:assert/strict";
import { DATASETS } from "@pipeline/datasets/registry.ts";
import { SOURCE_DATASETS } from "@pipeline/datasets/source_datasets.ts";
import { loadMigrations } from "@pipeline/load/migrations/mod.ts";

const ROOT = new URL("../../", import.meta.url);
const README = await Deno.readTextFile(new URL("README.md", ROOT));

/** The text of README's "Adding a dataset" section. */
function section(): string {
  const start = README.indexOf("\n## Adding a dataset\n");
  assert.ok(start >= 0, "README has a section ## Adding a dataset");
  const end = README.indexOf("\n## ", start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

/** The section's fenced list of the paths a dataset's commit touches. */
function listedPaths(): string[] {
  const fence = /```\n([\s\S]*?)```/.exec(section());
  assert.ok(fence, "the section lists the paths in a fenced block");
  return fence[1]!.split("\n").map((l) => l.trim()).filter(Boolean);
}

/** A listed path as a regular expression for the dataset `name`. */
function pathPattern(listed: string, name: string): RegExp {
  const escaped = listed.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(
    "^" + escaped
      .replaceAll("<name>", name)
      .replaceAll("YYYY_MM_DD_NNNN", "\\d{4}_\\d{2}_\\d{2}_\\d{4}")
      .replaceAll("NN", "\\d{2}")
      .replaceAll("<what>", "[a-z0-9_]+")
      .replaceAll("\\*\\*", ".+") +
      "$",
  );
}

/** `git args` in the checkout: its stdout, or null if git failed. */
function git(...args: string[]): string | null {
  try {
    const out = new Deno.Command("git", {
      args: ["-C", new URL(".", ROOT).pathname, ...args],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    return out.success ? new TextDecoder().decode(out.stdout) : null;
  } catch {
    return null;
  }
}

const eodCommit = git("log", "--format=%H", "--grep", "^eod: ")?.trim()
  .split("\n")[0] || undefined;
const shallow = git("rev-parse", "--is-shallow-repository")?.trim() !== "false";

Deno.test("README's path patterns read as the section means them", () => {
  assert.deepEqual(listedPaths().length, 4);
  const [folder, notebook, migration, registry] = listedPaths().map((p) =>
    pathPattern(p, "eod")
  );
  assert.match("pipeline/datasets/eod/sources.ts", folder!);
  assert.doesNotMatch("pipeline/datasets/bars/sources.ts", folder!);
  assert.match("notebooks/08_dataset_eod.ipynb", notebook!);
  assert.doesNotMatch("notebooks/08_dataset_bars.ipynb", notebook!);
  assert.match(
    "pipeline/load/migrations/2026_12_03_0011_eod_bars.ts",
    migration!,
  );
  assert.doesNotMatch("pipeline/load/migrations/mod.ts", migration!);
  assert.match("pipeline/datasets/registry.ts", registry!);
});

Deno.test({
  name:
    "the eod commit touched exactly README's listed paths, and the registry by two added lines",
  ignore: eodCommit === undefined && shallow,
  fn() {
    assert.ok(eodCommit, "a commit whose subject starts with `eod: `");
    const status = git("show", "--name-status", "--format=", eodCommit)!
      .trim().split("\n").map((l) => l.split("\t") as [string, string]);
    const patterns = listedPaths().map((p) => [p, pathPattern(p, "eod")]) as [
      string,
      RegExp,
    ][];
    for (const [, path] of status) {
      assert.ok(
        patterns.some(([, re]) => re.test(path)),
        `${path} is not among README's listed paths`,
      );
    }
    for (const [listed, re] of patterns) {
      assert.ok(
        status.some(([, path]) => re.test(path)),
        `README lists ${listed}, which the eod commit did not touch`,
      );
    }
    const registry = "pipeline/datasets/registry.ts";
    for (const [mode, path] of status) {
      assert.equal(mode, path === registry ? "M" : "A", path);
    }
    const diff = git(
      "show",
      "--format=",
      "--unified=0",
      eodCommit,
      "--",
      registry,
    )!;
    const added = diff.split("\n").filter((l) =>
      l.startsWith("+") && !l.startsWith("+++")
    );
    const removed = diff.split("\n").filter((l) =>
      l.startsWith("-") && !l.startsWith("---")
    );
    assert.deepEqual(removed, []);
    assert.deepEqual(added, [
      `+import { eodDataset } from "@pipeline/datasets/eod/mod.ts";`,
      "+  eodDataset,",
    ]);
  },
});

Deno.test("eod declares what the steps say: a registered Dataset, tables.ts merged into Database, a migration found by name", async () => {
  const eod = DATASETS.eod;
  assert.ok(eod, "eod is registered");
  assert.deepEqual(eod.tables.map((t) => [t.name, t.granularity, t.key]), [
    ["eod_bars", "year", ["symbol", "ts"]],
  ]);
  assert.deepEqual(Object.keys(eod.sources).sort(), ["alphavantage", "file"]);
  assert.deepEqual(eod.ownOf ?? [], []);
  assert.ok(SOURCE_DATASETS.file?.includes("eod"));
  assert.deepEqual(eod.derived?.map((d) => d.upstream.name), ["eod_bars"]);
  const folder = new URL("pipeline/datasets/eod/", ROOT);
  const tables = await Deno.readTextFile(new URL("tables.ts", folder));
  assert.match(
    tables,
    /declare module "@pipeline\/load\/database\.ts" \{\s*interface Database \{\s*eod_bars:/,
  );
  const mod = await Deno.readTextFile(new URL("mod.ts", folder));
  assert.match(
    mod,
    /import type \{\} from "@pipeline\/datasets\/eod\/tables\.ts";/,
  );
  assert.ok(
    Object.keys(await loadMigrations()).includes("2026_12_03_0011_eod_bars"),
  );
});
