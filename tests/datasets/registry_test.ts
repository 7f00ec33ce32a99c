/**
 * The registry's invariants: a dataset is declared once, in its folder, and
 * everything else derives from the registry (no switch over dataset names
 * outside `pipeline/datasets/`).
 */
import assert from "node:assert/strict";
import {
  DATASET_LIST,
  DATASETS,
  TABLE_DATASET_LIST,
} from "@pipeline/datasets/registry.ts";
import { SOURCE_DATASETS } from "@pipeline/datasets/source_datasets.ts";
import { lakeTables } from "@pipeline/datasets/lake_tables.ts";
import { SOURCE_NAMES } from "@pipeline/config.ts";
import { LAKE_GRANULARITIES } from "@pipeline/snapshot/granularity.ts";

const PIPELINE = new URL("../../pipeline/", import.meta.url);
const DATASETS_DIR = new URL("datasets/", PIPELINE);

/**
 * Modules outside `pipeline/datasets/` allowed to name a dataset, and why.
 * The HTTP provider modules declare the one dataset their parser produces
 * (`dataset: "bars"` on their `Source` and `RawFormat`).
 */
const ALLOWED: Readonly<Record<string, string>> = {
  "extract/alphavantage.ts": "provider: its parser produces bars",
  "extract/finnhub.ts": "provider: its parser produces bars",
  "extract/finnhub_trades.ts": "provider: its trade roll-up produces bars",
  "extract/openmeteo.ts": "provider: its parser produces weather",
};

/**
 * The places in `source` where `name` is used as a dataset switch: a
 * comparison, a `case`, a union type member, an array of names, a
 * `dataset:` value, an index or a conditional's value. Returns the offending lines.
 */
export function datasetSwitches(source: string, name: string): string[] {
  const q = `["'\`]${name}["'\`]`;
  const patterns = [
    new RegExp(`[=!]==?\\s*${q}`),
    new RegExp(`${q}\\s*[=!]==?`),
    new RegExp(`\\bcase\\s+${q}`),
    new RegExp(`\\|\\s*${q}`),
    new RegExp(`${q}\\s*\\|`),
    new RegExp(`[\\[,]\\s*${q}\\s*[,\\]]`),
    new RegExp(`\\bdataset:\\s*${q}`),
    new RegExp(`\\[${q}\\]`),
    new RegExp(`\\?\\s*${q}\\s*:`),
  ];
  return source.split("\n").filter((line) =>
    !line.trim().startsWith("*") && !line.trim().startsWith("//") &&
    patterns.some((p) => p.test(line))
  );
}

/** Every `.ts` file under `dir`, as paths relative to `base`. */
async function tsFiles(dir: URL, base = dir.href): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) out.push(...await tsFiles(url, base));
    else if (entry.name.endsWith(".ts")) out.push(url.href.slice(base.length));
  }
  return out.sort();
}

Deno.test("every registered dataset has its folder, whose mod.ts exports it", async () => {
  for (const dataset of DATASET_LIST) {
    const mod = await import(
      new URL(`${dataset.name}/mod.ts`, DATASETS_DIR).href
    );
    assert.ok(
      Object.values(mod).includes(dataset),
      `pipeline/datasets/${dataset.name}/mod.ts does not export ${dataset.name}`,
    );
  }
});

Deno.test("every dataset folder is registered", async () => {
  for await (const entry of Deno.readDir(DATASETS_DIR)) {
    if (!entry.isDirectory) continue;
    assert.ok(
      entry.name in DATASETS ||
        TABLE_DATASET_LIST.some((d) => d.name === entry.name),
      `pipeline/datasets/${entry.name}/ is not in the registry`,
    );
  }
});

Deno.test("table datasets: unique names apart from the datasets, keys and cursors declared", () => {
  const names = TABLE_DATASET_LIST.map((d) => d.name);
  assert.deepEqual(names, [...new Set(names)]);
  for (const d of TABLE_DATASET_LIST) {
    assert.ok(!(d.name in DATASETS), `${d.name} is also a dataset`);
    const columns = d.columns.map((c) => c.name);
    assert.ok(columns.includes(d.key), `${d.name}: key ${d.key}`);
    if (d.capture.mode === "incremental") {
      assert.ok(columns.includes(d.capture.cursor), `${d.name}: cursor`);
    }
  }
});

Deno.test("dataset names and table names are unique", () => {
  const names = DATASET_LIST.map((d) => d.name);
  assert.deepEqual(names, [...new Set(names)]);
  assert.deepEqual(Object.keys(DATASETS), names);
  const tables = DATASET_LIST.flatMap((d) => d.tables.map((t) => t.name));
  assert.deepEqual(tables, [...new Set(tables)], "a table in two datasets");
  assert.ok(!tables.includes("quarantine"), "quarantine is shared");
  const resources = DATASET_LIST.map((d) => d.resource.name);
  assert.deepEqual(resources, [...new Set(resources)]);
});

Deno.test("every lake table has a key and a known granularity", () => {
  for (const table of lakeTables(DATASETS)) {
    assert.ok(table.key.length > 0, `${table.name} has no key`);
    assert.ok(
      LAKE_GRANULARITIES.includes(table.granularity ?? "day"),
      `${table.name}: granularity ${table.granularity}`,
    );
  }
});

Deno.test("every source engine delivers datasets, exactly one its own", () => {
  for (const engine of SOURCE_NAMES) {
    const own = DATASET_LIST.filter((d) => d.ownOf?.includes(engine));
    assert.equal(
      own.length,
      1,
      `${engine} is the own source of ${own.length} datasets`,
    );
    assert.equal(SOURCE_DATASETS[engine]?.[0], own[0]!.name);
  }
  assert.deepEqual(
    Object.keys(SOURCE_DATASETS).sort(),
    [...SOURCE_NAMES].sort(),
    "a dataset names an unknown source engine",
  );
  for (const dataset of DATASET_LIST) {
    for (const engine of dataset.ownOf ?? []) {
      assert.ok(
        engine in dataset.sources,
        `${dataset.name} is ${engine}'s own but has no source for it`,
      );
    }
    for (const engine of Object.keys(dataset.backfillSources ?? {})) {
      assert.ok(
        engine in dataset.sources,
        `${dataset.name} backfills from ${engine} but cannot run from it`,
      );
    }
  }
});

Deno.test("datasetSwitches() finds a switch over dataset names", async (t) => {
  const cases: [string, string, boolean][] = [
    ['if (config.dataset === "symbols") return x;', "symbols", true],
    ['const d = source === "openmeteo" ? "weather" : "bars";', "weather", true],
    ['  case "bars":', "bars", true],
    ['readonly dataset: "bars" | "weather";', "weather", true],
    ['  synthetic: ["bars", "symbols"],', "symbols", true],
    ['  choices: ["bars", "symbols"],', "bars", true],
    ['    dataset: "bars",', "bars", true],
    ['const x = DATASETS["bars"];', "bars", true],
    ['      name: "symbols",', "symbols", false],
    ['      key: "symbols",', "symbols", false],
    [
      ' * `--dataset symbols`: "symbols" === x in a doc comment',
      "symbols",
      false,
    ],
    ["  symbols: config.symbols,", "symbols", false],
  ];
  for (const [line, name, found] of cases) {
    await t.step(line, () => {
      assert.equal(datasetSwitches(line, name).length > 0, found);
    });
  }
});

Deno.test("no module outside pipeline/datasets/ switches over dataset names", async () => {
  const offences: string[] = [];
  for (const path of await tsFiles(PIPELINE)) {
    if (path.startsWith("datasets/") || path in ALLOWED) continue;
    const source = await Deno.readTextFile(new URL(path, PIPELINE));
    for (const name of Object.keys(DATASETS)) {
      for (const line of datasetSwitches(source, name)) {
        offences.push(`pipeline/${path}: ${line.trim()}`);
      }
    }
  }
  assert.deepEqual(offences, []);
});
