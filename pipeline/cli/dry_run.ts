/**
 * `run --dry-run`: how a source's records parse, without a database. The
 * source is extracted and its dataset's validation run at the data's
 * "now"; nothing is transformed, loaded or snapshotted, and no database is
 * opened (nor created).
 * @module
 */
import pl from "nodejs-polars";
import type { Source } from "@pipeline/extract/source.ts";
import { type Dataset, DATASETS } from "@pipeline/datasets/mod.ts";
import { errorMessage, excerpt } from "@pipeline/errors.ts";

/** What a dry run found. */
export interface DryRunReport {
  source: string;
  dataset: string;
  /** Each partition extracted: its records, or why it failed. */
  partitions: { partition: string; rows: number; error?: string }[];
  counts: { records: number; valid: number; quarantined: number };
  /** The first records as read (every field as text, and `record`). */
  first: Record<string, string | null>[];
  /** The valid rows' columns and their types, as the load would get them. */
  columns: { name: string; type: string }[];
  /**
   * The quarantine reasons, most frequent first: the reason without the
   * quoted value, how many records, and the first such record in full.
   */
  reasons: {
    field: string;
    reason: string;
    count: number;
    example: { record: string; reason: string };
  }[];
}

/** Options of {@link dryRun}. */
export interface DryRunOptions {
  /** "Now" for the validation. */
  now: Date;
  /** Records shown in {@link DryRunReport.first}. Default 5. */
  rows?: number;
  /** The datasets by name. Default {@link DATASETS}. */
  // deno-lint-ignore no-explicit-any
  datasets?: Readonly<Record<string, Dataset<any>>>;
}

/** A value as text for the report (null stays null). */
function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return excerpt(String(value), 120);
}

/** Extracts `source` and validates it with its dataset; see the module doc. */
export async function dryRun(
  source: Source,
  options: DryRunOptions,
): Promise<DryRunReport> {
  const { now, rows = 5, datasets = DATASETS } = options;
  const report: DryRunReport = {
    source: source.name,
    dataset: source.dataset,
    partitions: [],
    counts: { records: 0, valid: 0, quarantined: 0 },
    first: [],
    columns: [],
    reasons: [],
  };
  const frames: pl.DataFrame[] = [];
  for (const partition of source.partitions()) {
    try {
      const frame = await partition.extract();
      frames.push(frame);
      report.partitions.push({
        partition: partition.name,
        rows: frame.height,
      });
    } catch (err) {
      report.partitions.push({
        partition: partition.name,
        rows: 0,
        error: errorMessage(err),
      });
    }
  }
  const raw = frames.length ? pl.concat(frames, { how: "diagonal" }) : null;
  const dataset = datasets[source.dataset];
  if (!raw || raw.height === 0 || !dataset) return report;
  report.counts.records = raw.height;
  report.first = raw.head(rows).toRecords().map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, text(v)]))
  );
  const { valid, quarantine } = dataset.validate(raw, { now });
  report.counts.valid = valid.height;
  report.counts.quarantined = quarantine.height;
  report.columns = valid.columns.map((name) => ({
    name,
    type: String(valid.getColumn(name).dtype).replace(
      /^DataType\((.*)\)$/,
      "$1",
    ),
  }));
  const groups = new Map<string, DryRunReport["reasons"][number]>();
  const fields = quarantine.getColumn("field").toArray();
  const reasons = quarantine.getColumn("reason").toArray();
  const records = quarantine.getColumn("record").toArray();
  reasons.forEach((value, i) => {
    const full = String(value ?? "");
    const field = String(fields[i] ?? "");
    const reason = full.replace(/, got [\s\S]*$/, "").replace(/"[^"]*"/g, "…");
    const key = `${field}\u0000${reason}`;
    const group = groups.get(key);
    if (group) group.count++;
    else {
      groups.set(key, {
        field,
        reason: excerpt(reason, 200),
        count: 1,
        example: {
          record: String(records[i] ?? ""),
          reason: excerpt(full, 300),
        },
      });
    }
  });
  report.reasons = [...groups.values()].sort((a, b) => b.count - a.count);
  return report;
}

/** The report as text for a terminal. */
export function formatDryRun(report: DryRunReport): string {
  const lines = [
    `dry run of --source ${report.source} (dataset ${report.dataset}): nothing loaded, no database opened`,
  ];
  for (const p of report.partitions) {
    lines.push(
      p.error === undefined
        ? `  ${p.partition}: ${p.rows} records`
        : `  ${p.partition}: failed: ${p.error}`,
    );
  }
  const { records, valid, quarantined } = report.counts;
  lines.push(
    `records: ${records}, valid: ${valid}, quarantined: ${quarantined}`,
  );
  if (report.first.length > 0) {
    lines.push("", `first ${report.first.length} records as read:`);
    const columns = Object.keys(report.first[0]!);
    const width = (c: string) =>
      Math.max(
        c.length,
        ...report.first.map((r) => (r[c] ?? "null").length),
      );
    const widths = columns.map(width);
    const row = (cells: string[]) =>
      "  " + cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
    lines.push(row(columns));
    for (const r of report.first) {
      lines.push(row(columns.map((c) => r[c] ?? "null")));
    }
  }
  if (report.columns.length > 0) {
    lines.push(
      "",
      "valid rows' columns:",
      ...report.columns.map((c) => `  ${c.name}: ${c.type}`),
    );
  }
  if (report.reasons.length > 0) {
    lines.push("", "quarantine reasons a load would record:");
    for (const r of report.reasons) {
      lines.push(
        `  ${r.count} × ${r.reason}`,
        `      e.g. ${r.example.record}: ${r.example.reason}`,
      );
    }
  }
  return lines.join("\n");
}
