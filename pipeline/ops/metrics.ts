/**
 * A small metrics registry rendering the Prometheus text exposition format
 * (version 0.0.4): counters, gauges and summaries (sum and count) with
 * labels. No dependency: the scheduler exposes a handful of series.
 * @module
 */

/** Label names and values of one series. */
export type Labels = Readonly<Record<string, string>>;

/** The kinds of metric this registry renders. */
export type MetricType = "counter" | "gauge" | "summary";

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A counter: only goes up. */
export interface Counter {
  inc(labels?: Labels, by?: number): void;
}

/** A gauge: set to any value. */
export interface Gauge {
  set(labels: Labels, value: number): void;
  /** Removes every series (before setting a fresh set of them). */
  reset(): void;
}

/** A summary without quantiles: `_sum` and `_count` of observations. */
export interface Summary {
  observe(labels: Labels, value: number): void;
}

/** A set of metrics and their text rendering. */
export interface MetricsRegistry {
  counter(name: string, help: string): Counter;
  gauge(name: string, help: string): Gauge;
  summary(name: string, help: string): Summary;
  /** Every metric in the text format, ending with a newline. */
  render(): string;
}

interface Family {
  name: string;
  help: string;
  type: MetricType;
  /** Series by their rendered label set. */
  series: Map<string, { labels: Labels; value: number; count: number }>;
}

/** Escapes a label value: backslash, double quote and newline. */
export function escapeLabelValue(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')
    .replaceAll("\n", "\\n");
}

/** `{a="x",b="y"}` with names sorted, or "" for no labels. */
export function renderLabels(labels: Labels): string {
  const names = Object.keys(labels).sort();
  for (const n of names) {
    if (!LABEL.test(n)) throw new Error(`invalid label name: ${n}`);
  }
  return names.length
    ? `{${
      names.map((n) => `${n}="${escapeLabelValue(labels[n]!)}"`).join(",")
    }}`
    : "";
}

/** A number as Prometheus writes it (`+Inf`, `NaN`, plain decimals). */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

/**
 * An empty registry.
 *
 * @example
 * ```ts
 * import { createMetrics } from "@pipeline/ops/metrics.ts";
 * const m = createMetrics();
 * m.counter("sluice_runs_total", "Runs by status.").inc({ status: "succeeded" });
 * m.render(); // # HELP sluice_runs_total Runs by status.\n# TYPE ...
 * ```
 */
export function createMetrics(): MetricsRegistry {
  const families = new Map<string, Family>();
  const family = (name: string, help: string, type: MetricType): Family => {
    if (!NAME.test(name)) throw new Error(`invalid metric name: ${name}`);
    const existing = families.get(name);
    if (existing) {
      if (existing.type !== type) {
        throw new Error(`metric ${name} is a ${existing.type}, not a ${type}`);
      }
      return existing;
    }
    const f: Family = { name, help, type, series: new Map() };
    families.set(name, f);
    return f;
  };
  const series = (f: Family, labels: Labels) => {
    const key = renderLabels(labels);
    let s = f.series.get(key);
    if (!s) {
      s = { labels, value: 0, count: 0 };
      f.series.set(key, s);
    }
    return s;
  };
  return {
    counter(name, help) {
      const f = family(name, help, "counter");
      return {
        inc(labels = {}, by = 1) {
          if (by < 0) throw new Error(`counter ${name} cannot decrease`);
          series(f, labels).value += by;
        },
      };
    },
    gauge(name, help) {
      const f = family(name, help, "gauge");
      return {
        set(labels, value) {
          series(f, labels).value = value;
        },
        reset() {
          f.series.clear();
        },
      };
    },
    summary(name, help) {
      const f = family(name, help, "summary");
      return {
        observe(labels, value) {
          const s = series(f, labels);
          s.value += value;
          s.count += 1;
        },
      };
    },
    render() {
      const lines: string[] = [];
      for (const f of families.values()) {
        lines.push(
          `# HELP ${f.name} ${
            f.help.replaceAll("\\", "\\\\").replaceAll("\n", "\\n")
          }`,
          `# TYPE ${f.name} ${f.type}`,
        );
        const keys = [...f.series.keys()].sort();
        for (const key of keys) {
          const s = f.series.get(key)!;
          if (f.type === "summary") {
            lines.push(`${f.name}_sum${key} ${formatValue(s.value)}`);
            lines.push(`${f.name}_count${key} ${formatValue(s.count)}`);
          } else {
            lines.push(`${f.name}${key} ${formatValue(s.value)}`);
          }
        }
      }
      return lines.length ? `${lines.join("\n")}\n` : "";
    },
  };
}
