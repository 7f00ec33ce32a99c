/**
 * Rendered docs (`deno task docs`): every notebook executed and converted
 * to an HTML page with its charts and tables by `jupyter nbconvert`
 * (through {@link writeHtml}; `noCode` leaves the code out), plus an index
 * page showing each notebook's title, summary (its first paragraph of
 * prose) and first chart, under `data/docs/`.
 * @module
 */
import { join } from "node:path";
import { parseHTML } from "linkedom";
import {
  cellSource,
  joinLines,
  type Notebook,
  serializeNotebook,
} from "@tools/nbdev/nbformat.ts";
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
} from "@tools/nbdev/jupyter.ts";
import {
  listNotebooks,
  notebookStem,
  resolveRoot,
} from "@tools/nbdev/project.ts";
import { isLegendSvg } from "@tools/nbdev/charts.ts";
import {
  type HtmlInput,
  outputData,
  writeHtml,
} from "@tools/nbdev/html_report.ts";

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
  /** The first paragraph of the notebook's prose ("" if none). */
  summary: string;
  /** The first chart as an inline `<svg>`, if the notebook has one. */
  firstChart: string | undefined;
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
  /** Leave the code out of the pages (nbconvert `--no-input`). Default false. */
  noCode?: boolean;
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

/** Whether a `text/html` output is an Observable Plot figure (a titled chart). */
function isPlotFigure(html: string): boolean {
  return /^\s*<figure\b[^>]*class="plot-[^"]*-figure"/.test(html) &&
    /<svg\b/.test(html);
}

/** Counts chart and table outputs of an executed notebook. */
export function countOutputs(nb: Notebook): { charts: number; tables: number } {
  let charts = 0;
  let tables = 0;
  for (const cell of nb.cells) {
    for (const output of cell.outputs ?? []) {
      const data = outputData(output);
      if (!data) continue;
      const html = data["text/html"] === undefined
        ? undefined
        : joinLines(data["text/html"] as string | string[]);
      if (
        data["image/svg+xml"] !== undefined ||
        (html !== undefined && isPlotFigure(html))
      ) charts++;
      else if (html !== undefined && /<table/i.test(html)) tables++;
    }
  }
  return { charts, tables };
}

/**
 * The first chart of an executed notebook as one inline `<svg>` (a Plot
 * figure's chart without its title and legend), or undefined.
 */
export function firstChart(nb: Notebook): string | undefined {
  for (const cell of nb.cells) {
    for (const output of cell.outputs ?? []) {
      const data = outputData(output);
      if (!data) continue;
      const svg = data["image/svg+xml"];
      if (svg !== undefined) return joinLines(svg as string | string[]);
      const html = data["text/html"];
      if (html === undefined) continue;
      const text = joinLines(html as string | string[]);
      if (!isPlotFigure(text)) continue;
      const { document } = parseHTML(`<div>${text}</div>`);
      const chart = [...document.querySelectorAll("svg")].find((e) =>
        !e.parentElement?.closest("svg") && !isLegendSvg(e)
      );
      if (chart) return chart.outerHTML;
    }
  }
  return undefined;
}

/**
 * The notebook's summary: the first paragraph of prose in its markdown
 * (after the title heading), markdown links and emphasis reduced to text.
 */
export function notebookSummary(nb: Notebook): string {
  for (const cell of nb.cells) {
    if (cell.cell_type !== "markdown") continue;
    const prose = cellSource(cell).replace(/^\s*#{1,6}\s.*$/gm, "");
    const paragraphs = prose.split(/\n\s*\n/).map((p) => p.trim())
      .filter((p) => p && !/^(#|```|\||<|- |\* |\d+\. )/.test(p));
    const first = paragraphs[0];
    if (!first) continue;
    const text = first.replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")
      .replace(/[*_]{1,2}([^*_]+)[*_]{1,2}/g, "$1")
      .replace(/\s+/g, " ");
    return text.length > 320 ? `${text.slice(0, 319).trimEnd()}…` : text;
  }
  return "";
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

/** The index page: each notebook's title, summary and first chart, linked. */
export function indexPage(pages: readonly DocsPage[]): string {
  const items = pages.map((p) => {
    const status = p.ok
      ? `${p.charts} chart(s), ${p.tables} table(s)`
      : `<strong class="failed">failed</strong>: <code>${
        escapeHtml(p.error?.split("\n")[0] ?? "")
      }</code>`;
    const chart = p.firstChart
      ? `\n      <a class="chart" href="${
        encodeURI(p.page)
      }">${p.firstChart}</a>`
      : "";
    return `    <li>
      <h2><a href="${encodeURI(p.page)}">${escapeHtml(p.title)}</a></h2>
      <p class="summary">${escapeHtml(p.summary)}</p>
      <p><small>${escapeHtml(p.notebook)} — ${status}</small></p>${chart}
    </li>`;
  });
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Sluice notebooks</title>
  <style>
    body { font-family: system-ui, sans-serif; max-width: 56rem; margin: 2rem auto; padding: 0 1rem; }
    ul { list-style: none; padding: 0; }
    li { margin: 0 0 2rem; padding-bottom: 1rem; border-bottom: 1px solid #eee; }
    h2 { font-size: 1.2rem; margin: 0 0 0.3rem; }
    .summary { margin: 0.3rem 0; }
    small { color: #666; }
    .failed { color: #b00; }
    .chart svg { display: block; max-width: 100%; height: auto; max-height: 16rem; }
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
    noCode = false,
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
  await Deno.mkdir(executedDir, { recursive: true });
  const pages: DocsPage[] = [];
  const inputs: HtmlInput[] = [];
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
      summary: executed ? notebookSummary(executed) : "",
      firstChart: executed ? firstChart(executed) : undefined,
    };
    pages.push(page);
    if (!executed) continue;
    Object.assign(page, countOutputs(executed));
    await Deno.writeTextFile(
      join(outDir, page.executed),
      serializeNotebook(executed),
    );
    inputs.push({ notebook: executed, title: page.title, name: stem });
  }
  await writeHtml(inputs, outDir, { python: env.python, noCode });
  for (const page of pages) {
    try {
      await Deno.stat(join(outDir, page.page));
    } catch {
      page.ok = false;
      page.error ??= `${page.notebook}: no page was rendered`;
    }
  }
  await Deno.writeTextFile(join(outDir, "index.html"), indexPage(pages));
  return { ok: pages.every((p) => p.ok), outDir, pages, executions };
}
