import assert from "node:assert/strict";
import { unifiedDiff } from "@tools/nbdev/diff.ts";

const labels = { oldLabel: "a", newLabel: "b" };

Deno.test("unifiedDiff() is empty for equal texts", () => {
  assert.equal(unifiedDiff("x\ny\n", "x\ny\n", labels), "");
});

Deno.test("unifiedDiff() prints hunks like diff -u, with the section name after @@", async (t) => {
  const letters = "abcdefghijk".split("");
  const cases: {
    name: string;
    a: string[];
    b: string[];
    expected: string[];
  }[] = [
    {
      name: "a change and an append",
      a: letters,
      b: [...letters.slice(0, 2), "C", ...letters.slice(3), "l"],
      expected: [
        "@@ -1,6 +1,6 @@ at 2",
        " a",
        " b",
        "-c",
        "+C",
        " d",
        " e",
        " f",
        "@@ -9,3 +9,4 @@ at 11",
        " i",
        " j",
        " k",
        "+l",
      ],
    },
    {
      name: "a deletion",
      a: ["a", "b", "c"],
      b: ["a", "c"],
      expected: ["@@ -1,3 +1,2 @@ at 1", " a", "-b", " c"],
    },
    {
      name: "everything new",
      a: [],
      b: ["x"],
      expected: ["@@ -0,0 +1,1 @@ at 0", "+x"],
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const text = (lines: string[]) => lines.map((l) => l + "\n").join("");
      assert.equal(
        unifiedDiff(text(c.a), text(c.b), {
          ...labels,
          section: (i) => `at ${i}`,
        }),
        ["--- a", "+++ b", ...c.expected, ""].join("\n"),
      );
    });
  }
});
