import assert from "node:assert/strict";
import { isEvalFalse, splitDirectives } from "@tools/nbdev/directives.ts";

Deno.test("splitDirectives() takes the leading //| lines as directives", async (t) => {
  const cases: {
    source: string;
    directives: [string, string][];
    code: string;
  }[] = [
    { source: "const a = 1;", directives: [], code: "const a = 1;" },
    {
      source: "//| export\nexport const a = 1;",
      directives: [["export", ""]],
      code: "export const a = 1;",
    },
    {
      source: "//| default_exp transform/bars",
      directives: [["default_exp", "transform/bars"]],
      code: "",
    },
    {
      source: "//|eval: false\n//| export\nx();\n//| export",
      directives: [["eval", "false"], ["export", ""]],
      code: "x();\n//| export",
    },
    {
      source: "// a comment\n//| export",
      directives: [],
      code: "// a comment\n//| export",
    },
  ];
  for (const c of cases) {
    await t.step(JSON.stringify(c.source), () => {
      const split = splitDirectives(c.source);
      assert.deepEqual(
        split.directives.map((d) => [d.name, d.value]),
        c.directives,
      );
      assert.equal(split.code, c.code);
    });
  }
});

Deno.test("isEvalFalse() is true only for //| eval: false", () => {
  assert.equal(
    isEvalFalse(splitDirectives("//| eval: false\nx()").directives),
    true,
  );
  assert.equal(
    isEvalFalse(splitDirectives("//| eval false\nx()").directives),
    true,
  );
  assert.equal(
    isEvalFalse(splitDirectives("//| eval: true\nx()").directives),
    false,
  );
  assert.equal(
    isEvalFalse(splitDirectives("//| export\nx()").directives),
    false,
  );
});
