/**
 * Errors a person can act on: bounded messages, and system errors that say
 * what happened instead of `[object Object]`.
 */
import assert from "node:assert/strict";
import {
  errorMessage,
  EtlError,
  excerpt,
  MAX_MESSAGE,
} from "@pipeline/errors.ts";

Deno.test("excerpt() keeps short text and cuts long text, head and tail", () => {
  assert.equal(excerpt("short"), "short");
  const long = `start ${"x".repeat(1_000_000)} end`;
  const cut = excerpt(long);
  assert.ok(cut.length <= 300, `${cut.length}`);
  assert.match(cut, /^start x+ … \(\d+ characters cut\) … x+ end$/);
});

Deno.test("EtlError and errorMessage() bound a message quoting a 1 MB record", () => {
  const record = `"${"y".repeat(1_000_000)}`;
  const err = new EtlError(`cannot parse ${record}`, {
    stage: "extract",
    partition: "in.csv",
  });
  assert.ok(err.message.length <= MAX_MESSAGE + 40, `${err.message.length}`);
  assert.match(err.message, /^\[extract in\.csv\] cannot parse "y+ … \(/);
  assert.ok(errorMessage(new Error(record)).length <= MAX_MESSAGE);
});

Deno.test("errorMessage() says what a full disk or a bare thrown object is", async (t) => {
  const cases: [string, unknown, RegExp][] = [
    [
      "PGlite's Emscripten ENOSPC (a bare { errno })",
      Object.assign(Object.create({ name: "ErrnoError" }), {
        name: "ErrnoError",
        errno: 51,
      }),
      /^no space left on device$/,
    ],
    [
      "a Node-style ENOSPC with its path",
      Object.assign(new Error("ENOSPC: write failed"), {
        code: "ENOSPC",
        path: "/data/lake/bars_1m/x.parquet",
      }),
      /^no space left on device: ENOSPC: write failed \(\/data\/lake\/bars_1m\/x\.parquet\)$/,
    ],
    [
      "Deno's os error 28 naming the path",
      new Error("No space left on device (os error 28): write '/data/x'"),
      /^No space left on device \(os error 28\): write '\/data\/x'$/,
    ],
    [
      "another Emscripten errno",
      { name: "ErrnoError", errno: 44 },
      /^ENOENT: no such file or directory \(file system error 44\)$/,
    ],
    ["a plain object", { a: 1 }, /^\{"a":1\}$/],
    ["an empty object", {}, /^Object thrown without a message$/],
    ["a string", "boom", /^boom$/],
    [
      "an Error with a code and path",
      Object.assign(new Error("permission denied"), {
        code: "EACCES",
        path: "/x",
      }),
      /^permission denied \(EACCES \/x\)$/,
    ],
  ];
  for (const [name, err, expected] of cases) {
    await t.step(name, () => {
      const message = errorMessage(err);
      assert.doesNotMatch(message, /\[object Object\]/);
      assert.match(message, expected);
    });
  }
});
