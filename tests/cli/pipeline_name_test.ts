import assert from "node:assert/strict";
import { pipelineName } from "@pipeline/cli/pipeline_name.ts";
import { parseRunConfig } from "@pipeline/config.ts";

Deno.test("pipelineName() is the source, or <source>-<dataset> for a dataset not the source's own", async (t) => {
  const cases: [Record<string, unknown>, string][] = [
    [{}, "synthetic"],
    [{ dataset: "symbols" }, "synthetic-symbols"],
    [{ source: "file", input: "x", dataset: "symbols" }, "file-symbols"],
    [{ source: "file", input: "x" }, "file"],
    [{ source: "openmeteo" }, "openmeteo"],
    [{ source: "openmeteo", dataset: "weather" }, "openmeteo"],
  ];
  for (const [config, name] of cases) {
    await t.step(JSON.stringify(config), () => {
      assert.equal(pipelineName(parseRunConfig(config)), name);
    });
  }
  assert.equal(pipelineName(parseRunConfig({}), "nightly"), "nightly");
});
