import assert from "node:assert/strict";
import { join } from "node:path";
import { lockDirectory, processAlive } from "@pipeline/ops/dir_lock.ts";
import { LockedError } from "@pipeline/ops/lock.ts";

Deno.test("lockDirectory() admits one live process and takes over a dead one's lock", async (t) => {
  const root = await Deno.makeTempDir();
  const dir = join(root, "data", "pglite");
  try {
    await t.step(
      "first taker gets it, writing its pid next to the directory",
      () => {
        const lock = lockDirectory(dir, { pid: 111, alive: () => true });
        assert.equal(lock.path, `${dir}.lock`);
        assert.equal(JSON.parse(Deno.readTextFileSync(lock.path)).pid, 111);
      },
    );
    await t.step("a second live process is refused, naming the owner", () => {
      assert.throws(
        () => lockDirectory(dir, { pid: 222, alive: () => true }),
        (err: Error) =>
          err instanceof LockedError &&
          /in use by process 111/.test(err.message),
      );
    });
    await t.step("the lock of a dead process is stale: taken over", () => {
      const lock = lockDirectory(dir, { pid: 222, alive: () => false });
      assert.equal(JSON.parse(Deno.readTextFileSync(lock.path)).pid, 222);
      lock.release();
      assert.throws(() => Deno.statSync(lock.path), Deno.errors.NotFound);
    });
    await t.step("release() leaves another owner's file alone", () => {
      const mine = lockDirectory(dir, { pid: 333, alive: () => false });
      lockDirectory(dir, { pid: 444, alive: () => false });
      mine.release();
      assert.equal(JSON.parse(Deno.readTextFileSync(mine.path)).pid, 444);
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("processAlive() sees this process and not a finished one", async () => {
  assert.equal(processAlive(Deno.pid), true);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", ""],
  }).spawn();
  await child.status;
  assert.equal(processAlive(child.pid), false);
});
