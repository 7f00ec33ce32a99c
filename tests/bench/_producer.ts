/**
 * The producer of the stream bench's latency run, in a process of its own
 * as in a deployment (`etl produce`): `deno run -A tests/bench/_producer.ts
 * PREFIX STREAM_PREFIX BARS RATE` publishes the bench's bars at RATE/s.
 * @module
 */
import { connectNats, produce, streamTopology } from "@pipeline/stream/mod.ts";
import { frameSource, NATS_URL } from "../stream/_nats.ts";
import { benchBars } from "./stream.ts";

const [prefix, streamPrefix, bars, rate] = Deno.args;
const nats = await connectNats(NATS_URL);
try {
  const topology = streamTopology({
    prefix: prefix!,
    streamPrefix: streamPrefix!,
  });
  await produce(frameSource(benchBars(Number(bars))), {
    topology,
    rate: Number(rate),
  }, { js: nats.js });
} finally {
  await nats.close();
}
