/**
 * `datasetsWithJoinWait()` (`etl stream --join-wait`): every join of the
 * registry waits the given time for its late side, other datasets are
 * themselves; the flag is read as a duration.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { dbTest } from "../_db.ts";
import { DATASETS, datasetsWithJoinWait } from "@pipeline/datasets/mod.ts";
import { parseCommandLine } from "@pipeline/cli/parse.ts";
import { ETL } from "@pipeline/cli/etl.ts";

/** A matched pair (AAPL) and a price without its volume (MSFT). */
function sides(): pl.DataFrame {
  const ts = (m: number) => new Date(Date.UTC(2026, 10, 20, 15, m));
  return pl.DataFrame({
    symbol: ["AAPL", "AAPL", "MSFT"],
    ts: [ts(0), ts(0), ts(1)],
    side: ["prices", "volumes", "prices"],
    value: [190.5, 1200, 410.25],
  }).withColumns(pl.col("ts").cast(pl.Datetime("ms", "UTC")));
}

dbTest(
  "a join waits --join-wait for its late side: 0s records the lone price unmatched at once, the default keeps it waiting",
  async (db) => {
    const unmatched = async () =>
      (await db.client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM price_volume_unmatched`,
      )).rows[0]!.n;
    const defaults = DATASETS;
    const noWait = datasetsWithJoinWait(0);
    await db.client.transaction((tx) =>
      defaults.price_volume!.load(tx, { sides: sides() }, {
        loadId: crypto.randomUUID(),
      })
    );
    assert.equal(await unmatched(), 0, "the default wait is a minute");
    await db.client.transaction((tx) =>
      noWait.price_volume!.load(tx, { sides: sides() }, {
        loadId: crypto.randomUUID(),
      })
    );
    assert.equal(await unmatched(), 1, "MSFT's price waited 0 s");
  },
);

Deno.test("datasetsWithJoinWait() changes only joins", () => {
  const changed = Object.entries(datasetsWithJoinWait(5_000))
    .filter(([name, d]) => d !== DATASETS[name])
    .map(([name]) => name);
  assert.deepEqual(changed, ["price_volume"]);
});

Deno.test("etl stream --join-wait reads a duration", () => {
  const line = parseCommandLine(["stream", "--join-wait", "2s"], ETL, {
    env: () => undefined,
  });
  assert.equal(line.settings.options.joinWaitMs, 2_000);
  assert.throws(
    () =>
      parseCommandLine(["stream", "--join-wait", "soon"], ETL, {
        env: () => undefined,
      }),
    /--join-wait/,
  );
});
