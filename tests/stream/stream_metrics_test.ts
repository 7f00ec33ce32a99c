/** streamMetrics(): the consumer's series after batches. */
import assert from "node:assert/strict";
import { streamMetrics } from "@pipeline/stream/stream_metrics.ts";

Deno.test("streamMetrics() counts messages, batch sizes, latencies, lag and the rate over its window", () => {
  let now = 0;
  const m = streamMetrics({ now: () => now, windowMs: 10_000 });
  m.batch({ dataset: "bars", size: 100, latencies: [0.5, 1.5], lag: 40 });
  now = 5_000;
  m.batch({ dataset: "bars", size: 50, latencies: [0.25], lag: 0 });
  m.messages("skipped", 3);
  m.messages("poison", 0);
  const text = m.render();
  assert.match(
    text,
    /sluice_stream_messages_total\{outcome="committed"\} 150\n/,
  );
  assert.match(text, /sluice_stream_messages_total\{outcome="skipped"\} 3\n/);
  assert.doesNotMatch(text, /outcome="poison"/);
  assert.match(text, /sluice_stream_batch_size_sum\{dataset="bars"\} 150\n/);
  assert.match(text, /sluice_stream_batch_size_count\{dataset="bars"\} 2\n/);
  assert.match(
    text,
    /sluice_stream_publish_to_commit_seconds_sum\{dataset="bars"\} 2.25\n/,
  );
  assert.match(
    text,
    /sluice_stream_publish_to_commit_seconds_count\{dataset="bars"\} 3\n/,
  );
  assert.match(
    text,
    /sluice_stream_publish_to_commit_max_seconds\{dataset="bars"\} 0.25\n/,
  );
  assert.match(text, /sluice_stream_consumer_lag_messages 0\n/);
  assert.match(text, /sluice_stream_messages_per_second 15\n/);
  now = 12_000; // the first batch left the window
  m.batch({ dataset: "bars", size: 10, latencies: [], lag: 0 });
  assert.match(m.render(), /sluice_stream_messages_per_second 6\n/);
});

Deno.test("streamMetrics() takes a batch of 200,000 latencies (past V8's argument limit)", () => {
  const m = streamMetrics({ now: () => 0 });
  const latencies = Array.from({ length: 200_000 }, (_, i) => i / 100_000);
  latencies[123_456] = 7.5;
  m.batch({ dataset: "bars", size: latencies.length, latencies, lag: 0 });
  assert.match(
    m.render(),
    /sluice_stream_publish_to_commit_max_seconds\{dataset="bars"\} 7.5\n/,
  );
});
