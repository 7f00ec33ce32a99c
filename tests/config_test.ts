/**
 * parseRunConfig(): the dataset a run loads, defaulted from its source and
 * refused when the source cannot deliver it.
 */
import assert from "node:assert/strict";
import {
  parseRunConfig,
  SOURCE_DATASETS,
  SOURCE_NAMES,
} from "@pipeline/config.ts";
import { DATASETS } from "@pipeline/datasets/mod.ts";

const input = (source: string) => source === "file" ? { input: "x.csv" } : {};

Deno.test("SOURCE_DATASETS names a registered dataset for every source", () => {
  assert.deepEqual(
    Object.keys(SOURCE_DATASETS).sort(),
    [...SOURCE_NAMES].sort(),
  );
  for (const [source, datasets] of Object.entries(SOURCE_DATASETS)) {
    for (const d of datasets) {
      assert.ok(d in DATASETS, `${source} delivers unregistered ${d}`);
    }
  }
});

Deno.test("parseRunConfig() defaults the dataset to the source's own", async (t) => {
  const own: Record<string, string> = {
    synthetic: "bars",
    file: "bars",
    alphavantage: "bars",
    finnhub: "bars",
    openmeteo: "weather",
  };
  for (const source of SOURCE_NAMES) {
    await t.step(source, () => {
      assert.equal(
        parseRunConfig({ source, ...input(source) }).dataset,
        own[source],
      );
    });
  }
  assert.equal(parseRunConfig({}).dataset, "bars");
});

Deno.test("parseRunConfig() refuses a dataset the source cannot deliver, naming what it delivers", async (t) => {
  for (const source of SOURCE_NAMES) {
    for (const dataset of Object.keys(DATASETS)) {
      const ok = SOURCE_DATASETS[source]!.includes(dataset);
      await t.step(`${source} ${dataset}: ${ok ? "ok" : "refused"}`, () => {
        const config = { source, dataset, ...input(source) };
        if (ok) {
          assert.equal(parseRunConfig(config).dataset, dataset);
          return;
        }
        const fromSomeSource = SOURCE_NAMES.some((s) =>
          SOURCE_DATASETS[s]!.includes(dataset)
        );
        assert.throws(() => parseRunConfig(config), {
          name: "ConfigError",
          message: new RegExp(
            `dataset: --source ${source} cannot deliver --dataset ${dataset}; it delivers ${
              SOURCE_DATASETS[source]!.join(" or ")
            } \\(${
              fromSomeSource
                ? `${dataset} comes from --source `
                : `no run source delivers ${dataset}: it is fed by etl stream\\)$`
            }`,
          ),
        });
      });
    }
  }
  assert.throws(() => parseRunConfig({ dataset: "trades" }), {
    message:
      /--source synthetic cannot deliver --dataset trades; it delivers bars or symbols$/,
  });
});
