/**
 * `deno task notebooks:clean [--check]`: the command line over
 * {@link cleanNotebooks}.
 * @module
 */
import { parseArgs } from "node:util";
import { cleanNotebooks } from "@tools/nbdev/clean_notebook.ts";
import { projectPath, resolveRoot } from "@tools/nbdev/project.ts";

const HELP = `Clean notebooks: strip outputs, execution counts and metadata.

Usage: deno run -A tools/nbdev/clean.ts [--check] [--root DIR] [NOTEBOOK...]

Keeps notebook metadata kernelspec and language_info (name, file_extension),
cell ids (assigning readable ones where missing) and cell metadata tags;
writes Jupyter's stable JSON (sorted keys, 1-space indent, source as lines,
trailing newline). Idempotent.

Arguments:
  NOTEBOOK     Notebook files to clean (default: every notebooks/*.ipynb).

Options:
  --check      Write nothing; exit 1 naming each unclean notebook and what
               is unclean.
  --root DIR   Project root holding notebooks/ (default: cwd).
  -h, --help   Show this help.`;

/** The command line of `deno task notebooks:clean`; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      check: { type: "boolean", default: false },
      root: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const root = resolveRoot(values.root);
  const notebooks = positionals.length > 0
    ? positionals.map((p) => projectPath(root, p))
    : undefined;
  const report = await cleanNotebooks({
    root,
    check: values.check,
    ...(notebooks ? { notebooks } : {}),
  });
  for (const nb of report.notebooks) {
    if (values.check && nb.issues.length > 0) {
      console.error(`notebooks:clean --check: ${nb.notebook} is not clean:`);
      for (const issue of nb.issues) console.error(`  - ${issue}`);
    } else if (nb.written) {
      console.log(
        `notebooks:clean: cleaned ${nb.notebook} (${nb.issues.join("; ")})`,
      );
    }
  }
  if (values.check && report.ok) {
    console.log(
      `notebooks:clean --check: ${report.notebooks.length} notebook(s) clean`,
    );
  }
  if (!values.check) {
    console.log(
      `notebooks:clean: ${
        report.notebooks.filter((n) => n.written).length
      } of ${report.notebooks.length} notebook(s) changed`,
    );
  }
  return report.ok ? 0 : 1;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (err) {
    console.error(`notebooks:clean: ${(err as Error).message}`);
    Deno.exit(2);
  }
}
