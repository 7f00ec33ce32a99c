/**
 * The consumer's series on `GET /metrics`: messages by outcome, batch size,
 * publish-to-commit latency, consumer lag and messages per second, held in
 * memory and updated after each batch.
 * @module
 */
import { createMetrics, type MetricsRegistry } from "@pipeline/ops/metrics.ts";

/** What one committed batch tells the metrics. */
export interface BatchObservation {
  dataset: string;
  /** Messages in the batch. */
  size: number;
  /** Per message, seconds from its publish (stream time) to the commit. */
  latencies: readonly number[];
  /** Messages still pending on the consumer after the batch. */
  lag: number;
}

/** The consumer's metrics. */
export interface StreamMetrics {
  readonly registry: MetricsRegistry;
  /** Counts messages skipped (committed before) or quarantined as poison. */
  messages(outcome: "skipped" | "poison", n: number): void;
  /** Records a committed batch. */
  batch(observation: BatchObservation): void;
  render(): string;
}

/**
 * Fresh metrics; `now` (ms) times the messages-per-second gauge, taken
 * over the last `windowMs` (default 10 s).
 */
export function streamMetrics(
  options: { now?: () => number; windowMs?: number } = {},
): StreamMetrics {
  const { now = () => Date.now(), windowMs = 10_000 } = options;
  const registry = createMetrics();
  const messages = registry.counter(
    "sluice_stream_messages_total",
    "Stream messages by outcome: committed, skipped (committed before), poison.",
  );
  const batches = registry.summary(
    "sluice_stream_batch_size",
    "Messages per committed micro-batch.",
  );
  const latency = registry.summary(
    "sluice_stream_publish_to_commit_seconds",
    "Seconds from a message's publish to the commit of its batch.",
  );
  const latencyMax = registry.gauge(
    "sluice_stream_publish_to_commit_max_seconds",
    "The longest publish-to-commit latency of the last batch.",
  );
  const lag = registry.gauge(
    "sluice_stream_consumer_lag_messages",
    "Messages pending on the consumer after the last batch.",
  );
  const rate = registry.gauge(
    "sluice_stream_messages_per_second",
    "Messages committed per second over the last window.",
  );
  const recent: { at: number; n: number }[] = [];
  return {
    registry,
    messages(outcome, n) {
      if (n > 0) messages.inc({ outcome }, n);
    },
    batch(o) {
      const labels = { dataset: o.dataset };
      messages.inc({ outcome: "committed" }, o.size);
      batches.observe(labels, o.size);
      let max = 0;
      for (const l of o.latencies) {
        latency.observe(labels, l);
        if (l > max) max = l;
      }
      // (Not Math.max(...latencies): a batch can pass the argument limit.)
      latencyMax.set(labels, max);
      lag.set({}, o.lag);
      const t = now();
      recent.push({ at: t, n: o.size });
      while (recent.length > 0 && recent[0]!.at < t - windowMs) recent.shift();
      const total = recent.reduce((s, r) => s + r.n, 0);
      rate.set({}, total / (windowMs / 1000));
    },
    render: () => registry.render(),
  };
}
