/**
 * Keyset pagination of one declared table into a CSV file: pages of
 * `pageSize` rows ordered by the key, each starting after the last key of
 * the one before (`WHERE key > ?`), so no page costs more than its rows and
 * no table is held in memory; with an incremental capture, only rows whose
 * cursor is at or after `since`.
 * @module
 */
import type { SourceReader } from "@pipeline/extract/database/reader.ts";
import type { TableDataset } from "@pipeline/datasets/table_dataset.ts";
import { csvLines } from "@pipeline/extract/database/csv.ts";
import { EtlError } from "@pipeline/errors.ts";

/** Options of {@link extractTable}. */
export interface ExtractTableOptions {
  /** The CSV file written (created or truncated). */
  path: string;
  /** Incremental captures: rows with cursor >= this (UTC, source format). */
  since?: string | undefined;
  /** Rows per page. Default 20,000. */
  pageSize?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** What {@link extractTable} read. */
export interface ExtractedTable {
  path: string;
  rows: number;
  pages: number;
  /** The greatest cursor value read (incremental captures), or null. */
  maxCursor: string | null;
}

/** `YYYY-MM-DD HH:MM:SS.mmm` of an instant, as the sources compare it. */
export function sourceTime(at: Date): string {
  return at.toISOString().slice(0, 23).replace("T", " ");
}

/** Reads `dataset`'s table in pages into `options.path`; see the module doc. */
export async function extractTable(
  reader: SourceReader,
  dataset: TableDataset,
  options: ExtractTableOptions,
): Promise<ExtractedTable> {
  const { path, since, pageSize = 20_000, signal } = options;
  const q = (c: string) => reader.quote(c);
  const columns = dataset.columns.map((c) => c.name);
  const plain = dataset.columns.map((c) => c.type !== "text");
  const keyIndex = columns.indexOf(dataset.key);
  const cursor = dataset.capture.mode === "incremental"
    ? dataset.capture.cursor
    : null;
  const cursorIndex = cursor === null ? -1 : columns.indexOf(cursor);
  if (keyIndex < 0 || (cursor !== null && cursorIndex < 0)) {
    throw new EtlError(
      `${dataset.name}: key or cursor is not among the declared columns`,
      { stage: "extract", partition: dataset.name },
    );
  }
  const select = `SELECT ${columns.map(q).join(", ")} FROM ${
    q(dataset.sourceTable)
  }`;
  const file = await Deno.open(path, {
    write: true,
    create: true,
    truncate: true,
  });
  const encoder = new TextEncoder();
  let rows = 0, pages = 0;
  let last: unknown = null;
  let maxCursor: string | null = null;
  const fetchAfter = async (after: unknown): Promise<unknown[][]> => {
    const where: string[] = [];
    const params: unknown[] = [];
    if (since !== undefined && cursor !== null) {
      params.push(since);
      where.push(`${q(cursor)} >= ${reader.placeholder(params.length)}`);
    }
    if (after !== null) {
      params.push(after);
      where.push(`${q(dataset.key)} > ${reader.placeholder(params.length)}`);
    }
    params.push(pageSize);
    const sql = `${select}${
      where.length ? ` WHERE ${where.join(" AND ")}` : ""
    } ORDER BY ${q(dataset.key)} LIMIT ${reader.placeholder(params.length)}`;
    try {
      return await reader.rows(sql, params);
    } catch (cause) {
      throw new EtlError(
        `${dataset.name}: reading ${dataset.sourceTable} after key ${
          String(after)
        } failed`,
        { stage: "extract", partition: dataset.name, transient: true, cause },
      );
    }
  };
  try {
    // The next page is asked for as soon as the last key of the current one
    // is known, so the server works while this page is encoded and written.
    let next: Promise<unknown[][]> | null = fetchAfter(null);
    while (next !== null) {
      signal?.throwIfAborted();
      const page: unknown[][] = await next;
      if (page.length === 0) break;
      pages++;
      rows += page.length;
      last = page[page.length - 1]![keyIndex];
      next = page.length < pageSize ? null : fetchAfter(last);
      // A failed prefetch is reported when awaited, not as unhandled.
      next?.catch(() => {});
      if (cursorIndex >= 0) {
        for (const row of page) {
          const v = row[cursorIndex];
          if (v !== null && v !== undefined) {
            const s = String(v);
            if (maxCursor === null || s > maxCursor) maxCursor = s;
          }
        }
      }
      const bytes = encoder.encode(csvLines(page, plain));
      for (let off = 0; off < bytes.length;) {
        off += await file.write(bytes.subarray(off));
      }
    }
  } finally {
    file.close();
  }
  return { path, rows, pages, maxCursor };
}
