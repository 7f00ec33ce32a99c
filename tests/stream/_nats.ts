/**
 * NATS for the stream tests: the real server at `NATS_URL` (default
 * 127.0.0.1:4222), each test with subjects and streams of its own (a random
 * prefix) that are deleted afterwards; a frame published as a source; the
 * warehouse tables compared with one load of the same bars.
 * @module
 */
import pl from "nodejs-polars";
import assert from "node:assert/strict";
import type { SqlClient } from "@pipeline/load/client.ts";
import type { Source } from "@pipeline/extract/source.ts";
import { type Clock, fixedClock } from "@pipeline/clock.ts";
import { syntheticBars } from "@pipeline/extract/synthetic.ts";
import { DATASETS } from "@pipeline/datasets/mod.ts";
import { newRunSummary, runBatch } from "@pipeline/runner/mod.ts";
import { recordRunStart } from "@pipeline/ops/history.ts";
import type { RunSummary } from "@pipeline/summary.ts";
import {
  connectNats,
  DEFAULT_NATS_URL,
  ensureStreams,
  type Nats,
  type StreamTopology,
  streamTopology,
} from "@pipeline/stream/mod.ts";

/** The server the tests use. */
export const NATS_URL = Deno.env.get("NATS_URL") ?? DEFAULT_NATS_URL;

/** A connection and a topology of one test's own. */
export interface TestNats {
  nats: Nats;
  topology: StreamTopology;
  /** The prefix flags of `etl produce` / `etl stream` for it. */
  flags: string[];
}

/** Runs `fn` with its own streams; deletes them and closes afterwards. */
export async function withTestNats<T>(
  fn: (t: TestNats) => Promise<T>,
): Promise<T> {
  const id = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
  const topology = streamTopology({
    prefix: `t${id}`,
    streamPrefix: `T${id.toUpperCase()}`,
  });
  const nats = await connectNats(NATS_URL);
  try {
    await ensureStreams(nats.jsm, topology);
    return await fn({
      nats,
      topology,
      flags: [
        "--subject-prefix",
        topology.prefix,
        "--stream-prefix",
        topology.streamPrefix,
        "--nats-url",
        NATS_URL,
      ],
    });
  } finally {
    for (
      const s of [
        topology.rawStream,
        topology.validStream,
        topology.quarantineStream,
      ]
    ) {
      await nats.jsm.streams.delete(s).catch(() => {});
    }
    await nats.close();
  }
}

/** The data's "now" of the tests: after the sessions they generate. */
export const AS_OF = new Date("2026-11-21T22:00:00Z");

/** Seeded synthetic bars (raw frame), with defects. */
export function testBars(
  options: { symbols?: string[]; sessions?: number; seed?: number } = {},
): pl.DataFrame {
  return syntheticBars({
    clock: fixedClock(AS_OF),
    symbols: options.symbols ?? ["AAPL", "MSFT"],
    sessions: options.sessions ?? 1,
    seed: options.seed ?? 7,
    defectRate: 0.01,
  });
}

/** A source of one partition delivering `frame`. */
export function frameSource(frame: pl.DataFrame, name = "test"): Source {
  return {
    name,
    dataset: "bars",
    partitions: () => [{ name, extract: () => Promise.resolve(frame) }],
  };
}

/**
 * Loads `raw` in one batch, as one file load would, for run `runId`, at
 * `clock` (default {@link AS_OF}).
 */
export async function loadOnce(
  client: SqlClient,
  raw: pl.DataFrame,
  { dataDir, runId, clock = fixedClock(AS_OF) }: {
    dataDir: string;
    runId: string;
    clock?: Clock;
  },
): Promise<void> {
  await runBatch({ raw }, {
    dataset: DATASETS.bars!,
    source: "file",
    pipeline: "file",
    runId,
    dataDir,
    snapshot: false,
  }, { client, clock });
}

/** The bar tables' rows (without `load_id`), sorted, as JSON lines. */
export async function barTables(
  client: SqlClient,
): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of ["bars_1m", "bars_5m", "bars_1h", "bars_1d"]) {
    const { rows } = await client.query<{ r: unknown }>(
      `SELECT (to_jsonb(t) - 'load_id')::text AS r FROM ${table} t
       ORDER BY symbol, ts`,
    );
    out[table] = rows.map((x) => String(x.r));
  }
  return out;
}

/** Asserts the bar tables of `a` equal those of `b`, table by table. */
export async function assertSameBars(
  a: SqlClient,
  b: SqlClient,
): Promise<void> {
  const [x, y] = [await barTables(a), await barTables(b)];
  for (const table of Object.keys(x)) {
    assert.equal(x[table]!.length, y[table]!.length, `${table} row count`);
    x[table]!.forEach((row, i) => assertSameRow(row, y[table]![i]!, table));
  }
  assert.ok(x.bars_1m!.length > 0, "no bars loaded");
}

/**
 * Two rows (JSON) equal field by field, floats up to a relative 1e-12: a
 * session's VWAP summed in another order (other batches, another engine)
 * differs in the last bit, any real difference is far larger.
 */
function assertSameRow(a: string, b: string, table: string): void {
  const [x, y] = [JSON.parse(a), JSON.parse(b)] as Record<string, unknown>[];
  assert.deepEqual(Object.keys(x!).sort(), Object.keys(y!).sort(), table);
  for (const [key, value] of Object.entries(x!)) {
    const other = y![key];
    if (
      typeof value === "number" && typeof other === "number" &&
      !Number.isInteger(value)
    ) {
      const scale = Math.max(Math.abs(value), Math.abs(other), 1e-300);
      assert.ok(
        Math.abs(value - other) / scale <= 1e-12,
        `${table} ${a}: ${key} ${value} != ${other}`,
      );
    } else assert.deepEqual(value, other, `${table} ${a}: ${key}`);
  }
}

/**
 * The quarantined bar records: record, field and raw, sorted (not the
 * reason, which may quote the clock of the validation).
 */
export async function quarantined(client: SqlClient): Promise<string[]> {
  return (await quarantineRows(client)).map((r) => r.key);
}

/** The quarantined bar records: their key (as {@link quarantined}) and reason. */
export async function quarantineRows(
  client: SqlClient,
): Promise<{ key: string; reason: string }[]> {
  const { rows } = await client.query<
    { record: string; field: string; raw: string; reason: string }
  >(
    `SELECT record, field, raw, reason FROM quarantine WHERE dataset = 'bars'
     ORDER BY record, field, raw`,
  );
  return rows.map((r) => ({
    key: `${r.record} ${r.field} ${r.raw}`,
    reason: r.reason,
  }));
}

/** A stream run's row (pipeline `stream-test`) for `etl_checks` to point at. */
export async function startStreamRun(client: SqlClient): Promise<RunSummary> {
  const run = newRunSummary({
    runId: crypto.randomUUID(),
    pipeline: "stream-test",
    source: "stream",
    trigger: "manual",
    startedAt: new Date(),
  });
  await recordRunStart(client, run);
  return run;
}
