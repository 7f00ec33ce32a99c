/**
 * Executed notebooks as HTML reports through `jupyter nbconvert --to html`:
 * the copy given to nbconvert hides directive lines (`//| ...`) and keeps
 * charts whole, and `noCode` (nbconvert's `--no-input`) leaves out every
 * input cell and prompt, for readers who want the prose, tables and charts.
 *
 * nbconvert sanitizes `image/svg+xml` outputs down to an empty `<svg>`
 * frame (its HTML template passes them through `clean_html`), so each such
 * chart is also given to it as a `text/html` output holding the same SVG,
 * which it embeds as is. Plot charts with a title or legend are `<figure>`s
 * displayed as `text/html` already.
 * @module
 */
import { join } from "node:path";
import {
  type Cell,
  cellSource,
  joinLines,
  type Json,
  type Notebook,
  serializeNotebook,
} from "@tools/nbdev/nbformat.ts";
import { splitDirectives } from "@tools/nbdev/directives.ts";
import { pythonEnv } from "@tools/nbdev/jupyter.ts";

/** The `data` bundle of an output, if it has one. */
export function outputData(
  output: Json,
): { [mime: string]: Json } | undefined {
  if (output === null || typeof output !== "object" || Array.isArray(output)) {
    return undefined;
  }
  const data = output["data"];
  return data && typeof data === "object" && !Array.isArray(data)
    ? data
    : undefined;
}

/** The copy nbconvert renders: directives hidden, SVG charts kept whole. */
export function forRendering(nb: Notebook, title: string): Notebook {
  const cells = nb.cells.map((cell): Cell => {
    if (cell.cell_type !== "code") return cell;
    const { code } = splitDirectives(cellSource(cell));
    const outputs = (cell.outputs ?? []).map((output) => {
      const data = outputData(output);
      const svg = data?.["image/svg+xml"];
      if (!data || svg === undefined || data["text/html"] !== undefined) {
        return output;
      }
      return {
        ...(output as { [key: string]: Json }),
        data: {
          ...data,
          "text/html": `<div class="sluice-chart">${
            joinLines(svg as string | string[])
          }</div>`,
        },
      };
    });
    return { ...cell, source: code.replace(/^\n+/, ""), outputs };
  });
  return { ...nb, metadata: { ...nb.metadata, title }, cells };
}

/** One notebook to convert. */
export interface HtmlInput {
  /** The executed notebook. */
  notebook: Notebook;
  /** The page title. */
  title: string;
  /** The page's file name without `.html`. */
  name: string;
}

/** Options of {@link writeHtml}. */
export interface HtmlOptions {
  /** The Python that has nbconvert. */
  python: string;
  /** Leave out input cells and prompts (`--no-input`). Default false. */
  noCode?: boolean;
}

/**
 * Converts `inputs` to `<outDir>/<name>.html` with one nbconvert process.
 * @throws {Error} naming nbconvert's exit status and the end of its stderr.
 */
export async function writeHtml(
  inputs: readonly HtmlInput[],
  outDir: string,
  options: HtmlOptions,
): Promise<void> {
  if (inputs.length === 0) return;
  const { python, noCode = false } = options;
  const tmp = await Deno.makeTempDir({ prefix: "sluice-html-" });
  try {
    const paths: string[] = [];
    for (const input of inputs) {
      const path = join(tmp, `${input.name}.ipynb`);
      await Deno.writeTextFile(
        path,
        serializeNotebook(forRendering(input.notebook, input.title)),
      );
      paths.push(path);
    }
    await Deno.mkdir(outDir, { recursive: true });
    const out = await new Deno.Command(python, {
      args: [
        "-m",
        "nbconvert",
        "--to",
        "html",
        ...(noCode ? ["--no-input"] : []),
        "--output-dir",
        outDir,
        ...paths,
      ],
      stdout: "piped",
      stderr: "piped",
      env: pythonEnv(),
    }).output();
    if (!out.success) {
      throw new Error(
        `nbconvert --to html failed (exit ${out.code}): ${
          new TextDecoder().decode(out.stderr).split("\n").slice(-10).join(
            "\n",
          )
        }`,
      );
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}
