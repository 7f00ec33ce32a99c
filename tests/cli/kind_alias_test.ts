/**
 * `--kind`, the deprecated spelling of `--dataset`, as a scheduled job
 * still runs it: it works, and says once on stderr what to write instead.
 */
import assert from "node:assert/strict";
import { runEtl as etl } from "../_cli.ts";
import { parseCommandLine } from "@pipeline/cli/parse.ts";
import { ETL } from "@pipeline/cli/etl.ts";
import { parseRunConfig } from "@pipeline/config.ts";

Deno.test("--kind bars means the source's own dataset: weather for openmeteo", () => {
  const config = (argv: string[]) =>
    parseRunConfig(
      parseCommandLine(argv, ETL, { env: () => undefined }).settings.config,
    );
  assert.equal(
    config(["--source", "openmeteo", "--kind", "bars"]).dataset,
    "weather",
  );
  assert.equal(config(["--kind", "bars"]).dataset, "bars");
  assert.equal(config(["--kind", "symbols"]).dataset, "symbols");
});

Deno.test("etl --kind symbols loads the reference and warns once on stderr", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    const r = await etl([
      "--source",
      "file",
      "--kind",
      "symbols",
      "--input",
      "data/samples/symbols.csv",
      "--no-snapshot",
      "--data-dir",
      dataDir,
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const warnings = r.stderr.split("\n").filter((l) => /deprecated/.test(l));
    assert.deepEqual(warnings, [
      "warning: --kind is deprecated and will be removed in the next release; use --dataset symbols",
    ]);
    assert.ok(
      r.stderr.startsWith("warning: --kind"),
      "the warning comes first",
    );
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.pipeline, "file-symbols");
    assert.equal(summary.status, "succeeded");
    assert.deepEqual(summary.tables.map((t: { table: string }) => t.table), [
      "dim_symbol",
    ]);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
