/**
 * Poison messages: a message that cannot be read (not a JSON object, a
 * subject naming no dataset) or whose batch failed on every one of its
 * deliveries is kept in the `quarantine` table with its reason, in one
 * transaction with its sequence in the consumer's offsets, so the consumer
 * moves on and never loads it.
 * @module
 */
import pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import type { Clock } from "@pipeline/clock.ts";
import { loadQuarantine } from "@pipeline/load/quarantine.ts";
import { commitLoad, failLoad, startLoad } from "@pipeline/load/loads.ts";
import { recordLakeDebt } from "@pipeline/snapshot/debt.ts";
import { QUARANTINE_LAKE_TABLE } from "@pipeline/datasets/mod.ts";
import { errorMessage } from "@pipeline/errors.ts";
import {
  type CommitOptions,
  commitSequences,
  type StreamPosition,
} from "@pipeline/stream/offsets.ts";

/** One poison message. */
export interface Poison {
  seq: number;
  /** The dataset its subject names (or the subject's last token). */
  dataset: string;
  /** Its record name (`SLUICE_RAW:42` when it had none). */
  record: string;
  /** Why it is poison. */
  reason: string;
  /** Its body (bounded). */
  raw: string;
}

/** Options of {@link quarantinePoison}. */
export interface PoisonOptions {
  position: StreamPosition;
  runId: string;
  /** The source recorded with the quarantine (`stream`). */
  source: string;
  /** The data's "now" (the quarantine's time). */
  clock: Clock;
  /** Real time for `etl_loads` and the offsets. */
  wallClock: Clock;
  firstAvailable?: CommitOptions["firstAvailable"];
}

/**
 * Quarantines `poison` (one load per dataset) and commits their sequences.
 * Returns the records kept (not quarantined before).
 */
export async function quarantinePoison(
  client: SqlClient,
  poison: readonly Poison[],
  options: PoisonOptions,
): Promise<number> {
  let kept = 0;
  const byDataset = Map.groupBy(poison, (p) => p.dataset);
  for (const [dataset, items] of byDataset) {
    const loadId = crypto.randomUUID();
    const now = options.clock.now();
    await startLoad(client, {
      loadId,
      runId: options.runId,
      dataset,
      source: options.source,
      startedAt: options.wallClock.now(),
    });
    const frame = pl.DataFrame({
      record: pl.Series("record", items.map((p) => p.record), pl.Utf8),
      entity: pl.Series("entity", items.map(() => null), pl.Utf8),
      ts: pl.Series("ts", items.map(() => null), pl.Utf8),
      field: pl.Series("field", items.map(() => "message"), pl.Utf8),
      reason: pl.Series("reason", items.map((p) => p.reason), pl.Utf8),
      raw: pl.Series("raw", items.map((p) => p.raw), pl.Utf8),
    });
    try {
      kept += await client.transaction(async (tx) => {
        const n = await loadQuarantine(tx, frame, {
          loadId,
          source: options.source,
          dataset,
          entityColumn: "entity",
          quarantinedAt: now,
        });
        if (n > 0) {
          await recordLakeDebt(tx, {
            loadId,
            now: options.wallClock.now(),
            dirty: [{
              table: QUARANTINE_LAKE_TABLE,
              dates: [now.toISOString().slice(0, 10)],
            }],
          });
        }
        await commitSequences(
          tx,
          options.position,
          items.map((p) => p.seq),
          {
            loadId,
            now: options.wallClock.now(),
            firstAvailable: options.firstAvailable,
          },
        );
        await commitLoad(tx, loadId, {
          resources: [],
          finishedAt: options.wallClock.now(),
        });
        return n;
      });
    } catch (err) {
      await failLoad(client, loadId, {
        error: errorMessage(err),
        finishedAt: options.wallClock.now(),
      }).catch(() => {});
      throw err;
    }
  }
  return kept;
}
