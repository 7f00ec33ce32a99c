/**
 * `deno task docs`: the command line over {@link buildDocs}.
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { buildDocs } from "@tools/nbdev/build_docs.ts";
import { DEFAULT_CONCURRENCY } from "@tools/nbdev/execute.ts";
import { projectPath, resolveRoot } from "@tools/nbdev/project.ts";

const HELP = `Execute the notebooks and render them to HTML pages with an index.

Usage: deno run -A tools/nbdev/docs.ts [NOTEBOOK...] [options]

Each notebook runs headlessly through the Deno kernel (started in the
notebook's folder, as in Jupyter) and is rendered by jupyter nbconvert to <out>/<stem>.html, with
its charts (inline SVG) and DataFrames (HTML tables); the executed notebooks
are kept in <out>/_executed/, and <out>/index.html shows each notebook's
title, summary (its first paragraph of prose) and first chart, linked to
its page. A failing notebook is still rendered, and the command exits 1
naming it.

Arguments:
  NOTEBOOK        Notebooks to render (default: every notebooks/*.ipynb).

Options:
  --out DIR       Docs folder (default: data/docs).
  --no-code       Leave the code out of the pages: prose, tables and charts only.
  --timeout S     Seconds a cell may run (default: 60).
  --concurrency N Kernels at once (default: 3).
  --root DIR      Project root (default: cwd).
  -h, --help      Show this help.`;

/** The command line of `deno task docs`; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: "string" },
      "no-code": { type: "boolean", default: false },
      timeout: { type: "string", default: "60" },
      concurrency: { type: "string" },
      root: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const root = resolveRoot(values.root);
  const report = await buildDocs({
    root,
    outDir: values.out ?? join(root, "data", "docs"),
    timeoutS: Number(values.timeout) || 60,
    concurrency: Number(values.concurrency) || DEFAULT_CONCURRENCY,
    noCode: values["no-code"],
    ...(positionals.length > 0
      ? { notebooks: positionals.map((p) => projectPath(root, p)) }
      : {}),
  });
  for (const page of report.pages) {
    if (page.ok) {
      console.log(
        `docs: ${page.page} (${page.charts} chart(s), ${page.tables} table(s)) from ${page.notebook}`,
      );
    } else console.error(`docs: FAILED ${page.error}`);
  }
  console.log(`docs: ${join(report.outDir, "index.html")}`);
  return report.ok ? 0 : 1;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (err) {
    console.error(`docs: ${(err as Error).message}`);
    Deno.exit(2);
  }
}
