import assert from "node:assert/strict";
import { statementComplete } from "@pipeline/query/statements.ts";

Deno.test("statementComplete() ends a statement at a ; outside quotes and comments", async (t) => {
  const cases: [string, boolean][] = [
    ["select 1;", true],
    ["select 1", false],
    ["select 1;  \n", true],
    ["select ';'", false],
    ["select ';';", true],
    ["select 'it''s;'", false],
    ['select 1 as "a;b"', false],
    ["select 1; -- done", true],
    ["select 1 -- not yet;", false],
    ["select 1 /* ; */", false],
    ["select 1 /* open", false],
    ["select $$;$$", false],
    ["select 1;\nselect 2;", true],
    ["select 'open;", false],
  ];
  for (const [text, complete] of cases) {
    await t.step(
      JSON.stringify(text),
      () => assert.equal(statementComplete(text), complete),
    );
  }
});
