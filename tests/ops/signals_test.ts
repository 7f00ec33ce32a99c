import assert from "node:assert/strict";
import { handleStopSignals } from "@pipeline/ops/signals.ts";
import { silentLogger } from "@pipeline/ops/logging.ts";

Deno.test("handleStopSignals() stops on the first signal, ignores an instant repeat, forces on a later one", () => {
  const handlers = new Map<string, () => void>();
  let t = 0;
  const events: string[] = [];
  const dispose = handleStopSignals({
    logger: silentLogger,
    onStop: (s) => events.push(`stop ${s}`),
    onForce: (s) => events.push(`force ${s}`),
    now: () => t,
    listen: (s, fn) => handlers.set(s, fn),
    unlisten: (s) => handlers.delete(s),
  });
  handlers.get("SIGTERM")!();
  t = 5;
  handlers.get("SIGTERM")!(); // the same signal sent to the process group
  t = 3000;
  handlers.get("SIGINT")!();
  assert.deepEqual(events, ["stop SIGTERM", "force SIGINT"]);
  dispose();
  assert.equal(handlers.size, 0);
});
