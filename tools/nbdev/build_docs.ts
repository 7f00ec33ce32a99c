/**
 * Rendered docs (`deno task docs`): every notebook executed and converted
 * to an HTML page with its charts and tables by `jupyter nbconvert`, plus an
 * index page, under `data/docs/`.
 *
 * nbconvert sanitizes `image/svg+xml` outputs down to an empty `<svg>`
 * frame (its HTML template passes them through `clean_html`), so each chart
 * is also given to it as a `text/html` output holding the same SVG, which
 * it embeds as is. Directive lines (`//| ...`) are hidden on the pages.
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
import {
  DEFAULT_CONCURRENCY,
  describeFailure,
  executeNotebooks,
  type ExecuteResult,
} from "@tools/nbdev/execute.ts";
import {
  detectJupyter,
  INSTALL_HINT,
  missingForExecution,
  pythonEnv,
} from "@tools/nbdev/jupyter.ts";
import {
  listNotebooks,
  notebookStem,
  resolveRoot,
} from "@tools/nbdev/project.ts";

/** One rendered page. */
export interface DocsPage {
  notebook: string;
  /** The notebook's first markdown heading, or its file name. */
  title: string;
  /** The page's file name in the docs folder (`03_transform.html`). */
  page: string;
  /** The executed notebook kept beside it (`_executed/03_transform.ipynb`). */
  executed: string;
  ok: boolean;
  /** The failure, naming notebook and cell, when a cell failed. */
  error: string | undefined;
  /** Number of chart (image/svg+xml) outputs. */
  charts: number;
  /** Number of HTML table outputs (DataFrames). */
  tables: number;
}

/** The outcome of {@link buildDocs}. */
export interface DocsReport {
  /** Whether every notebook executed and rendered. */
  ok: boolean;
  /** Absolute path of the docs folder. */
  outDir: string;
  pages: DocsPage[];
  /** Per-notebook execution results (timings included). */
  executions: ExecuteResult[];
}

/** Options of {@link buildDocs}. */
export interface DocsOptions {
  /** Project root. Default: the cwd. */
  root?: string;
  /** Docs folder. Default: `<root>/data/docs`. */
  outDir?: string;
  /** Notebook paths relative to the root. Default: every notebooks/*.ipynb. */
  notebooks?: string[];
  /** Seconds a cell may run. Default: 60. */
  timeoutS?: number;
  /** Kernels at once. Default: {@link DEFAULT_CONCURRENCY}. */
  concurrency?: number;
}

/** The notebook's title: its first markdown heading, or its stem. */
export function notebookTitle(nb: Notebook, notebook: string): string {
  for (const cell of nb.cells) {
    if (cell.cell_type !== "markdown") continue;
    const heading = /^\s*#{1,6}\s+(.+?)\s*#*\s*$/m.exec(cellSource(cell))?.[1];
    if (heading) return heading;
  }
  return notebookStem(notebook);
}

function outputData(output: Json): { [mime: string]: Json } | undefined {
  if (output === null || typeof output !== "object" || Array.isArray(output)) {
    return undefined;
  }
  const data = output["data"];
  return data && typeof data === "object" && !Array.isArray(data)
    ? data
    : undefined;
}

/** Counts chart and table outputs of an executed notebook. */
export function countOutputs(nb: Notebook): { charts: number; tables: number } {
  let charts = 0;
  let tables = 0;
  for (const cell of nb.cells) {
    for (const output of cell.outputs ?? []) {
      const data = outputData(output);
      if (!data) continue;
      if (data["image/svg+xml"] !== undefined) charts++;
      const html = data["text/html"];
      if (
        data["image/svg+xml"] === undefined && html !== undefined &&
        /<table/i.test(joinLines(html as string | string[]))
      ) tables++;
    }
  }
  return { charts, tables };
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

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) =>
      ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[
        c
      ]!,
  );
}

/** The index page linking every notebook page. */
export function indexPage(pages: readonly DocsPage[]): string {
  const items = pages.map((p) => {
    const status = p.ok
      ? `${p.charts} chart(s), ${p.tables} table(s)`
      : `<strong class="failed">failed</strong>: <code>${
        escapeHtml(p.error?.split("\n")[0] ?? "")
      }</code>`;
    return `    <li><a href="${encodeURI(p.page)}">${
      escapeHtml(p.title)
    }</a> <small>${escapeHtml(p.notebook)}</small> — ${status}</li>`;
  });
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Sluice notebooks</title>
  <style>
    body { font-family: system-ui, sans-serif; max-width: 50rem; margin: 2rem auto; padding: 0 1rem; }
    li { margin: 0.4rem 0; }
    small { color: #666; }
    .failed { color: #b00; }
  </style>
</head>
<body>
  <h1>Sluice notebooks</h1>
  <ul>
${items.join("\n")}
  </ul>
</body>
</html>
`;
}

/**
 * Executes the notebooks and renders them with their charts to HTML pages
 * and an index. A failing notebook is still rendered (with its error) and
 * makes the report not ok.
 * @throws {Error} when Jupyter, nbconvert or the Deno kernelspec is missing.
 */
export async function buildDocs(
  options: DocsOptions = {},
): Promise<DocsReport> {
  const root = resolveRoot(options.root);
  const {
    outDir = join(root, "data", "docs"),
    notebooks = listNotebooks(root),
    timeoutS = 60,
    concurrency = DEFAULT_CONCURRENCY,
  } = options;
  const env = await detectJupyter();
  const missing = missingForExecution(env, { docs: true });
  if (missing.length > 0 || !env.python) {
    throw new Error(
      `cannot render docs: missing ${missing.join(", ")}; ${INSTALL_HINT}`,
    );
  }
  const executions = await executeNotebooks(
    notebooks.map((notebook) => ({ notebook })),
    { root, timeoutS, concurrency },
  );
  const executedDir = join(outDir, "_executed");
  const renderDir = await Deno.makeTempDir({ prefix: "sluice-docs-" });
  await Deno.mkdir(executedDir, { recursive: true });
  try {
    const pages: DocsPage[] = [];
    const inputs: string[] = [];
    for (const execution of executions) {
      const stem = notebookStem(execution.notebook);
      const executed = execution.executed;
      const page: DocsPage = {
        notebook: execution.notebook,
        title: executed ? notebookTitle(executed, execution.notebook) : stem,
        page: `${stem}.html`,
        executed: `_executed/${stem}.ipynb`,
        ok: execution.ok,
        error: execution.ok ? undefined : describeFailure(execution),
        charts: 0,
        tables: 0,
      };
      pages.push(page);
      if (!executed) continue;
      Object.assign(page, countOutputs(executed));
      await Deno.writeTextFile(
        join(outDir, page.executed),
        serializeNotebook(executed),
      );
      const input = join(renderDir, `${stem}.ipynb`);
      await Deno.writeTextFile(
        input,
        serializeNotebook(forRendering(executed, page.title)),
      );
      inputs.push(input);
    }
    if (inputs.length > 0) {
      const out = await new Deno.Command(env.python, {
        args: [
          "-m",
          "nbconvert",
          "--to",
          "html",
          "--output-dir",
          outDir,
          ...inputs,
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
    }
    for (const page of pages) {
      try {
        await Deno.stat(join(outDir, page.page));
      } catch {
        page.ok = false;
        page.error ??= `${page.notebook}: no page was rendered`;
      }
    }
    await Deno.writeTextFile(join(outDir, "index.html"), indexPage(pages));
    return {
      ok: pages.every((p) => p.ok),
      outDir,
      pages,
      executions,
    };
  } finally {
    await Deno.remove(renderDir, { recursive: true });
  }
}
