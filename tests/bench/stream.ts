/**
 * 5., 6. and 5b. of `deno task bench` (also runnable alone: `deno run -A
 * --v8-flags=--expose-gc tests/bench/stream.ts [--bars N] [--rounds N]
 * [--log]`, `--log` printing the consumer's line per batch), against the
 * NATS server at NATS_URL and a Postgres server. Each runs a warm-up round
 * (printed, not counted), then `--rounds` rounds (default 3); the result is
 * their median, every round printed.
 *
 * 5. Sustained throughput of the stream consumer (`consume()` with its
 *    defaults: batches of what is pending, up to 50,000, the next one
 *    pulled while one loads; one process, Postgres) over N produced bars
 *    (default 200,000), as a ratio to a bare JetStream fetch-and-ack loop
 *    over the same messages: the faster of pulls of 500 and of 50,000 (the
 *    consumer's batch), each round on a stream of its own. Goal >= 0.5.
 * 6. Publish-to-commit latency with the producer at 2,000 bars/s (a process
 *    of its own, `./_producer.ts`, as `etl produce` is) and the consumer
 *    running with its defaults (a batch is what is pending, or what arrives
 *    within 50 ms of a first message): p99 over every message. Goal <= 1 s.
 * 5b. Scale-out: the N bars of 5. taken by one and by two real `etl stream
 *    --until-idle 2s --no-snapshot` processes sharing a durable consumer,
 *    each on a database of its own; seconds from start to the last exit,
 *    less the idle wait, and the rows checked (each bar once). No goal: the
 *    issue asks for the measurement.
 * @module
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { AckPolicy } from "@nats-io/jetstream";
import { connectPostgres } from "@pipeline/load/client.ts";
import { migrateToLatest } from "@pipeline/load/migrate.ts";
import { systemClock } from "@pipeline/clock.ts";
import { recordRunStart } from "@pipeline/ops/history.ts";
import { newRunSummary } from "@pipeline/runner/mod.ts";
import {
  consume,
  produce,
  type StreamMetrics,
  streamMetrics,
} from "@pipeline/stream/mod.ts";
import { createServerDatabase } from "../_db.ts";
import {
  frameSource,
  testBars,
  type TestNats,
  withTestNats,
} from "../stream/_nats.ts";

/** Options of {@link streamBench}. */
export interface StreamBenchOptions {
  server: string;
  /** Bars of the throughput run. Default 200,000. */
  bars?: number;
  /** Counted rounds of each, after a warm-up round. Default 3. */
  rounds?: number;
  log?: (line: string) => void;
  /** Gets the consumer's line per batch (stage ms). Default nothing. */
  consumerLog?: (line: string) => void;
}

const SYMBOLS = Array.from(
  { length: 20 },
  (_, i) => `S${String(i).padStart(2, "0")}`,
);

/** Bars of `n`: 20 symbols, as many sessions as needed, valid ones. */
export function benchBars(n: number) {
  const sessions = Math.ceil(n / (SYMBOLS.length * 390));
  return testBars({ symbols: SYMBOLS, sessions }).head(n);
}

/**
 * Seconds for a bare fetch-and-ack loop to take `n` messages, pulling up to
 * `pull` at a time (its own durable consumer, allowed them all pending).
 */
async function bareLoop(t: TestNats, n: number, pull: number): Promise<number> {
  const name = `bare-${pull}`;
  await t.nats.jsm.consumers.add(t.topology.rawStream, {
    durable_name: name,
    ack_policy: AckPolicy.Explicit,
    max_ack_pending: pull + 1000,
  });
  const c = await t.nats.js.consumers.get(t.topology.rawStream, name);
  const t0 = performance.now();
  let seen = 0;
  while (seen < n) {
    const it = await c.fetch({ max_messages: pull, expires: 1000 });
    for await (const m of it) {
      m.ack();
      seen++;
    }
  }
  await t.nats.nc.flush();
  return (performance.now() - t0) / 1000;
}

/**
 * Runs the consumer on a fresh database until `n` messages are committed;
 * returns its seconds and every message's publish-to-commit latency.
 */
async function consumeUntil(
  t: TestNats,
  server: string,
  n: number,
  { batchSize, started, consumerLog }: {
    batchSize?: number;
    started?: () => void;
    consumerLog?: ((line: string) => void) | undefined;
  },
): Promise<{ seconds: number; latencies: number[] }> {
  const db = await createServerDatabase(server);
  const client = await connectPostgres(db.url);
  try {
    await migrateToLatest(client);
    const run = newRunSummary({
      runId: crypto.randomUUID(),
      pipeline: "bench",
      source: "stream",
      trigger: "manual",
      startedAt: new Date(),
    });
    await recordRunStart(client, run);
    const stop = new AbortController();
    const latencies: number[] = [];
    let committed = 0;
    const real = streamMetrics();
    const metrics: StreamMetrics = {
      ...real,
      batch(o) {
        real.batch(o);
        for (const l of o.latencies) latencies.push(l);
        committed += o.size;
        if (committed >= n) stop.abort();
      },
    };
    const t0 = performance.now();
    const consuming = consume({
      topology: t.topology,
      ...(batchSize ? { batchSize } : {}),
      pipeline: "bench",
      runId: run.run_id,
      dataDir: await Deno.makeTempDir(),
      snapshot: false,
    }, {
      client,
      nats: t.nats,
      clock: systemClock,
      signal: stop.signal,
      metrics,
      log: consumerLog,
    }, run);
    started?.();
    await consuming;
    return { seconds: (performance.now() - t0) / 1000, latencies };
  } finally {
    await client.close();
    await db.drop();
  }
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};

/** The pulls of the bare loop: small, and as large as the consumer's batch. */
const BARE_PULLS = [500, 50_000];

/** Runs 5., 6. and 5b.; returns the result lines. */
export async function streamBench(
  options: StreamBenchOptions,
): Promise<string[]> {
  const {
    server,
    bars: n = 200_000,
    rounds = 3,
    log = console.log,
    consumerLog,
  } = options;
  const verdict = (ok: boolean) => (ok ? "meets goal" : "MISSES GOAL");
  const median = (xs: number[]) => quantile(xs, 0.5);
  log(
    `\n5. stream consumer vs bare JetStream fetch-and-ack, ${n} bars (a warm-up round, then ${rounds})`,
  );
  const raw = benchBars(n);
  const ratios: number[] = [];
  for (let round = 0; round <= rounds; round++) {
    // Each round on a stream of its own: produced, taken by the bare loop
    // at each pull size, then by the consumer.
    const { bare, loaded } = await withTestNats(async (t) => {
      await produce(frameSource(raw), { topology: t.topology }, {
        js: t.nats.js,
      });
      const bare: number[] = [];
      for (const pull of BARE_PULLS) {
        bare.push(await bareLoop(t, raw.height, pull));
      }
      const loaded = await consumeUntil(t, server, raw.height, {
        consumerLog,
      });
      return { bare, loaded };
    });
    // The reference is the faster bare loop.
    const reference = Math.min(...bare);
    const ratio = reference / loaded.seconds;
    if (round > 0) ratios.push(ratio);
    const rate = (s: number) => `${(raw.height / s).toFixed(0)}`;
    log(
      `  ${round === 0 ? "warm-up" : `round ${round}`}: bare ${
        BARE_PULLS.map((p, i) => `${rate(bare[i]!)} msg/s (pull ${p})`).join(
          ", ",
        )
      }; consumer ${rate(loaded.seconds)} msg/s; ratio ${ratio.toFixed(3)}`,
    );
  }

  log(
    `\n6. publish-to-commit latency at 2,000 bars/s (10 s of bars; a warm-up round, then ${rounds})`,
  );
  const live = benchBars(20_000);
  const p99s: number[] = [];
  for (let round = 0; round <= rounds; round++) {
    const latency = await withTestNats(async (t) => {
      let producing: Promise<Deno.CommandOutput> | null = null;
      const result = await consumeUntil(t, server, live.height, {
        consumerLog,
        started: () => {
          producing = new Deno.Command(Deno.execPath(), {
            args: [
              "run",
              "-A",
              new URL("./_producer.ts", import.meta.url).pathname,
              t.topology.prefix,
              t.topology.streamPrefix,
              String(live.height),
              "2000",
            ],
            stdout: "inherit",
            stderr: "inherit",
          }).output();
        },
      });
      const produced = await producing!;
      if (!produced.success) throw new Error("the bench's producer failed");
      return result;
    });
    const p99 = quantile(latency.latencies, 0.99);
    if (round > 0) p99s.push(p99);
    log(
      `  ${round === 0 ? "warm-up" : `round ${round}`}: p50 ${
        quantile(latency.latencies, 0.5).toFixed(2)
      } s, p99 ${p99.toFixed(2)} s over ${latency.latencies.length} messages`,
    );
  }
  log(
    `\n5b. scale-out: ${n} bars taken by 1 and by 2 etl stream processes on one durable consumer (a warm-up round, then ${rounds})`,
  );
  const scaled: Record<1 | 2, number[]> = { 1: [], 2: [] };
  for (let round = 0; round <= rounds; round++) {
    const seconds = await withTestNats(async (t) => {
      await produce(frameSource(raw), { topology: t.topology }, {
        js: t.nats.js,
      });
      const out: { seconds: number; rows: number }[] = [];
      for (const processes of [1, 2]) {
        out.push(
          await streamProcesses(t, server, processes, raw.height, consumerLog),
        );
      }
      // The quarantine aside, the same rows whoever loaded them.
      if (out[0]!.rows !== out[1]!.rows) {
        throw new Error(
          `bars_1m: ${out[0]!.rows} rows from 1 process, ${
            out[1]!.rows
          } from 2`,
        );
      }
      return out.map((o) => o.seconds);
    });
    if (round > 0) {
      scaled[1].push(seconds[0]!);
      scaled[2].push(seconds[1]!);
    }
    log(
      `  ${round === 0 ? "warm-up" : `round ${round}`}: 1 process ${
        seconds[0]!.toFixed(1)
      } s, 2 processes ${seconds[1]!.toFixed(1)} s`,
    );
  }
  const ratio = median(ratios);
  const p99 = median(p99s);
  const one = median(scaled[1]);
  const two = median(scaled[2]);
  return [
    `  stream consumer / bare fetch-ack   ${
      ratio.toFixed(3)
    }x  (goal >= 0.5x)   ${verdict(ratio >= 0.5)}   [rounds ${
      ratios.map((r) => r.toFixed(3)).join(", ")
    }]`,
    `  p99 publish-to-commit at 2000/s    ${
      p99.toFixed(2)
    } s (goal <= 1 s)    ${verdict(p99 <= 1)}   [rounds ${
      p99s.map((r) => r.toFixed(2)).join(", ")
    }]`,
    `  scale-out, 2 processes / 1          ${(two / one).toFixed(2)}x  (${
      two.toFixed(1)
    } s / ${one.toFixed(1)} s; no goal)   [rounds 1: ${
      scaled[1].map((s) => s.toFixed(1)).join(", ")
    }; 2: ${scaled[2].map((s) => s.toFixed(1)).join(", ")}]`,
  ];
}

/**
 * Seconds for `processes` real `etl stream` processes sharing a durable
 * consumer (a fresh one and a fresh database) to load the `n` messages of
 * `t`'s stream, less their idle wait, and the rows of `bars_1m`; throws
 * unless each exits 0, all `n` are committed and no key is there twice.
 */
async function streamProcesses(
  t: TestNats,
  server: string,
  processes: number,
  n: number,
  consumerLog: ((line: string) => void) | undefined,
): Promise<{ seconds: number; rows: number }> {
  const db = await createServerDatabase(server);
  const dataDir = await Deno.makeTempDir();
  const idleMs = 2000;
  try {
    const main = fileURLToPath(
      new URL("../../pipeline/main.ts", import.meta.url),
    );
    const t0 = performance.now();
    const outputs = await Promise.all(
      Array.from(
        { length: processes },
        () =>
          new Deno.Command(Deno.execPath(), {
            args: [
              "run",
              "-A",
              "--unstable-cron",
              "--v8-flags=--expose-gc",
              main,
              "stream",
              "--until-idle",
              `${idleMs}ms`,
              "--no-snapshot",
              "--consumer",
              `scale-${processes}`,
              "--database-url",
              db.url,
              "--data-dir",
              dataDir,
              ...t.flags,
            ],
            stdout: "piped",
            stderr: "piped",
          }).output(),
      ),
    );
    const seconds = (performance.now() - t0 - idleMs) / 1000;
    const decoder = new TextDecoder();
    for (const [i, o] of outputs.entries()) {
      const text = decoder.decode(o.stderr) + decoder.decode(o.stdout);
      if (consumerLog) {
        for (const line of text.split("\n")) {
          if (line) consumerLog(`[process ${i + 1}/${processes}] ${line}`);
        }
      }
      if (!o.success) {
        throw new Error(
          `etl stream process ${i + 1} of ${processes} exited ${o.code}: ${
            text.slice(-500)
          }`,
        );
      }
    }
    const client = await connectPostgres(db.url);
    try {
      const { rows } = await client.query<
        { rows: string; keys: string; last_seq: string }
      >(
        `SELECT (SELECT count(*) FROM bars_1m) AS rows,
           (SELECT count(DISTINCT (symbol, ts)) FROM bars_1m) AS keys,
           (SELECT max(last_seq) FROM etl_stream_offsets) AS last_seq`,
      );
      const got = {
        rows: Number(rows[0]!.rows),
        keys: Number(rows[0]!.keys),
        lastSeq: Number(rows[0]!.last_seq),
      };
      if (got.lastSeq !== n || got.rows !== got.keys) {
        throw new Error(
          `${processes} processes committed up to ${got.lastSeq} of ${n} messages, ${got.rows} rows of ${got.keys} keys in bars_1m`,
        );
      }
      return { seconds, rows: got.rows };
    } finally {
      await client.close();
    }
  } finally {
    await db.drop();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      bars: { type: "string", default: "200000" },
      rounds: { type: "string", default: "3" },
      log: { type: "boolean", default: false },
    },
  });
  const lines = await streamBench({
    server: Deno.env.get("DATABASE_URL") ??
      "postgres://root@127.0.0.1:5432/postgres",
    bars: Number(values.bars),
    rounds: Number(values.rounds),
    ...(values.log
      ? { consumerLog: (line: string) => console.error(line) }
      : {}),
  });
  console.log("\nresults");
  for (const line of lines) console.log(line);
}
