/**
 * The Finnhub trade feed: trades rolled up into one-minute bars, and the
 * producer listening to a local WebSocket fixture of the feed.
 */
import assert from "node:assert/strict";
import {
  finnhubTradeSource,
  rollupTrades,
  type Trade,
} from "@pipeline/extract/finnhub_trades.ts";
import { spawnEtl } from "../ops/_process.ts";
import { withTestNats } from "../stream/_nats.ts";

const T0 = Date.parse("2026-11-20T15:00:00Z");

/** Trades for `symbol`: two in 15:00, three in 15:01, one in 15:02. */
function tradesOf(symbol: string): Trade[] {
  return [
    { s: symbol, p: 10, v: 100, t: T0 + 5_000 },
    { s: symbol, p: 11, v: 50, t: T0 + 40_000 },
    { s: symbol, p: 10.5, v: 10, t: T0 + 61_000 },
    { s: symbol, p: 9.5, v: 20, t: T0 + 90_000 },
    { s: symbol, p: 10, v: 30, t: T0 + 119_999 },
    { s: symbol, p: 12, v: 5, t: T0 + 120_000 },
  ];
}

Deno.test("rollupTrades() makes one-minute OHLCV bars of the minutes that ended", () => {
  const frame = rollupTrades(tradesOf("AAPL"), T0 + 120_000);
  assert.deepEqual(frame.toRecords(), [
    {
      symbol: "AAPL",
      ts: "2026-11-20T15:00:00Z",
      open: "10",
      high: "11",
      low: "10",
      close: "11",
      volume: "150",
      record: "finnhub-ws:AAPL:2026-11-20T15:00:00Z",
    },
    {
      symbol: "AAPL",
      ts: "2026-11-20T15:01:00Z",
      open: "10.5",
      high: "10.5",
      low: "9.5",
      close: "10",
      volume: "60",
      record: "finnhub-ws:AAPL:2026-11-20T15:01:00Z",
    },
  ]);
  assert.equal(rollupTrades(tradesOf("AAPL"), T0 + 180_000).height, 3);
  assert.equal(rollupTrades([], T0).height, 0);
});

/** A local feed: checks the token, answers each subscription with trades. */
function fixtureFeed(): {
  url: string;
  tokens: string[];
  close(): Promise<void>;
} {
  const tokens: string[] = [];
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    (req) => {
      tokens.push(new URL(req.url).searchParams.get("token") ?? "");
      const { socket, response } = Deno.upgradeWebSocket(req);
      socket.onmessage = (e) => {
        const msg = JSON.parse(String(e.data));
        if (msg.type !== "subscribe") return;
        socket.send(JSON.stringify({ type: "ping" }));
        socket.send(
          JSON.stringify({ type: "trade", data: tradesOf(msg.symbol) }),
        );
        socket.send("not json");
      };
      return response;
    },
  );
  return {
    url: `ws://127.0.0.1:${server.addr.port}`,
    tokens,
    close: () => server.shutdown(),
  };
}

Deno.test("finnhubTradeSource() listens for its duration and delivers the bars of every symbol", async () => {
  const feed = fixtureFeed();
  try {
    const source = finnhubTradeSource({
      url: feed.url,
      token: "secret",
      symbols: ["AAPL", "MSFT"],
      durationMs: 500,
    });
    const [partition] = source.partitions();
    const frame = await partition!.extract();
    assert.deepEqual(frame.getColumn("symbol").toArray(), [
      "AAPL",
      "AAPL",
      "AAPL",
      "MSFT",
      "MSFT",
      "MSFT",
    ]);
    assert.deepEqual(feed.tokens, ["secret"]);
  } finally {
    await feed.close();
  }
});

Deno.test("finnhubTradeSource() fails its partition, transient, when the feed cannot be opened", async () => {
  const source = finnhubTradeSource({
    url: "ws://127.0.0.1:1",
    token: "x",
    symbols: ["AAPL"],
    durationMs: 500,
  });
  await assert.rejects(
    source.partitions()[0]!.extract(),
    /cannot open the Finnhub trade feed.*transient/,
  );
});

Deno.test("etl produce --source finnhub publishes the feed's bars from a local fixture", async () => {
  const feed = fixtureFeed();
  try {
    await withTestNats(async (t) => {
      const p = spawnEtl([
        "produce",
        "--source",
        "finnhub",
        "--symbols",
        "AAPL,MSFT",
        "--duration",
        "1s",
        "--json",
        ...t.flags,
      ], { env: { FINNHUB_WS_URL: feed.url, FINNHUB_API_KEY: "k" } });
      const out = await p.done;
      assert.equal(out.code, 0, out.stderr);
      assert.equal(JSON.parse(out.stdout).published, 6);
      const info = await t.nats.jsm.streams.info(t.topology.rawStream);
      assert.equal(info.state.messages, 6);
      const first = await t.nats.jsm.streams.getMessage(t.topology.rawStream, {
        seq: 1,
      });
      assert.equal(
        first!.json<{ record: string }>().record,
        "finnhub-ws:AAPL:2026-11-20T15:00:00Z",
      );
    });
  } finally {
    await feed.close();
  }
});
