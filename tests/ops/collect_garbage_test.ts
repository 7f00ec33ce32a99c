import assert from "node:assert/strict";
import { collectGarbage } from "@pipeline/ops/collect_garbage.ts";

type Holder = { gc?: unknown };

Deno.test("collectGarbage calls the runtime's collector when it is exposed", () => {
  const holder = globalThis as Holder;
  const had = Object.hasOwn(holder, "gc");
  const saved = holder.gc;
  const calls: unknown[] = [];
  holder.gc = (...args: unknown[]) => calls.push(args);
  try {
    const ms = collectGarbage();
    assert.equal(calls.length, 1);
    assert.ok(ms >= 0 && Number.isFinite(ms));
  } finally {
    if (had) holder.gc = saved;
    else delete holder.gc;
  }
});

Deno.test("collectGarbage does nothing and returns 0 without a collector", () => {
  const holder = globalThis as Holder;
  const had = Object.hasOwn(holder, "gc");
  const saved = holder.gc;
  delete holder.gc;
  try {
    assert.equal(collectGarbage(), 0);
  } finally {
    if (had) holder.gc = saved;
  }
});

Deno.test("deno task etl exposes the collector to the job", async () => {
  // The stream consumer collects after each batch only where `gc` exists.
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "etl", "--help"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, text);
  assert.match(text, /--v8-flags=--expose-gc/);
});
