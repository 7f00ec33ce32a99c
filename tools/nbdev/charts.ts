/**
 * What a rendered page shows: its charts (top-level `<svg>` elements that
 * are not legend swatches or ramps, with Observable Plot's `g[aria-label]`
 * mark groups and the shapes inside them, and the title and legend of the
 * `<figure>` Plot wraps them in when given a `title` or a legend) and its
 * tables, read from HTML with linkedom. A chart whose only marks are axes,
 * grids or a frame, or whose marks hold no shapes, is empty.
 * @module
 */
import { parseHTML } from "linkedom";

/** One mark group of a chart. */
export interface ChartMark {
  /** The group's `aria-label` (`dot`, `line`, `x-axis tick`). */
  label: string;
  /** Number of path/rect/circle/line/... elements inside it. */
  shapes: number;
  /** Whether it draws data (not an axis, grid or frame). */
  data: boolean;
}

/** One chart of a page. */
export interface ChartInfo {
  marks: ChartMark[];
  /** Whether at least one data mark draws at least one shape. */
  hasMarks: boolean;
  /** The title of its figure (Plot's `title` option), if any. */
  title: string | undefined;
  /** Whether its figure holds a color legend (swatches or a ramp). */
  legend: boolean;
}

/** What {@link inspectPage} finds. */
export interface PageInfo {
  charts: ChartInfo[];
  /** Number of `<table>` elements (DataFrames render as tables). */
  tables: number;
}

const SHAPES =
  "path, rect, circle, line, ellipse, polygon, polyline, text, image, use";

/** Whether a mark group draws data rather than an axis, grid or frame. */
export function isDataMark(label: string): boolean {
  return !/axis|grid/.test(label) && label !== "frame";
}

/** Whether an `<svg>` is part of a Plot legend rather than a chart. */
export function isLegendSvg(
  svg: { getAttribute(name: string): string | null; parentElement: unknown },
): boolean {
  if (/-ramp\b/.test(svg.getAttribute("class") ?? "")) return true;
  const parent = svg.parentElement as
    | { getAttribute(name: string): string | null }
    | null;
  return /-swatch\b/.test(parent?.getAttribute("class") ?? "");
}

/** The charts and tables in the HTML of a page. */
export function inspectPage(html: string): PageInfo {
  const { document } = parseHTML(html);
  const svgs = [...document.querySelectorAll("svg")].filter((svg) =>
    !svg.parentElement?.closest("svg") && !isLegendSvg(svg)
  );
  const charts = svgs.map((svg) => {
    const marks = [...svg.querySelectorAll("g[aria-label]")].map((g) => {
      const label = g.getAttribute("aria-label") ?? "";
      return {
        label,
        shapes: g.querySelectorAll(SHAPES).length,
        data: isDataMark(label),
      };
    });
    const figure = svg.closest("figure");
    const title = figure?.querySelector("h2")?.textContent?.trim();
    const legend = !!figure &&
      [...figure.querySelectorAll("svg, div")].some((e) =>
        /-(ramp|swatches)\b/.test(e.getAttribute("class") ?? "")
      );
    return {
      marks,
      hasMarks: marks.some((m) => m.data && m.shapes > 0),
      title: title || undefined,
      legend,
    };
  });
  return { charts, tables: document.querySelectorAll("table").length };
}
