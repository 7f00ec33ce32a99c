/**
 * `deno task export [--check | --update]`: the command line over
 * {@link exportNotebooks} and {@link updateNotebooks}.
 * @module
 */
import { parseArgs } from "node:util";
import {
  exportNotebooks,
  formatExportReport,
} from "@tools/nbdev/export_modules.ts";
import {
  formatUpdateReport,
  updateNotebooks,
} from "@tools/nbdev/update_notebooks.ts";
import { resolveRoot } from "@tools/nbdev/project.ts";

const HELP = `Export notebook cells to pipeline modules (nbdev style).

Usage: deno run -A tools/nbdev/export.ts [--check | --update] [--root DIR]

A notebook names its module once with "//| default_exp transform/bars"
(-> pipeline/transform/bars.ts); each code cell whose first lines hold
"//| export" goes into that module, in cell order, after a marker
"// %% notebooks/<nb>.ipynb#<cell-id>". Directive lines are stripped and the
module is formatted with deno fmt.

Options:
  --check      Write nothing; exit 1 and print a diff naming notebook and cell
               when a module differs from what its notebook exports or is missing.
  --update     Carry edits made in exported modules back into their notebook
               cells (found by the markers; directive lines are kept), then
               re-export so --check passes.
  --root DIR   Project root holding notebooks/ and pipeline/ (default: cwd).
  -h, --help   Show this help.`;

/** The command line of `deno task export`; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      check: { type: "boolean", default: false },
      update: { type: "boolean", default: false },
      root: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.check && values.update) {
    console.error("export: --check and --update cannot be combined");
    return 2;
  }
  const root = resolveRoot(values.root);
  if (values.update) {
    const report = await updateNotebooks({ root });
    const text = formatUpdateReport(report);
    if (text) (report.ok ? console.log : console.error)(text);
    return report.ok ? 0 : 1;
  }
  const report = await exportNotebooks({ root, check: values.check });
  const text = formatExportReport(report);
  if (text) (report.ok ? console.log : console.error)(text);
  if (report.ok && values.check) {
    console.log(
      `export --check: ${report.modules.length} module(s) match their notebooks`,
    );
  } else if (report.ok) {
    const written = report.modules.filter((m) => m.status === "written");
    console.log(
      `export: ${report.modules.length} module(s), ${written.length} rewritten`,
    );
  }
  return report.ok ? 0 : 1;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (err) {
    console.error(`export: ${(err as Error).message}`);
    Deno.exit(2);
  }
}
