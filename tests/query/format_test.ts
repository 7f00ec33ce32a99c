import assert from "node:assert/strict";
import {
  formatCsv,
  formatJson,
  formatTable,
  formatTimestamptz,
  type QueryResult,
  roundFloat,
} from "@pipeline/query/format.ts";

Deno.test("roundFloat() keeps four decimals, or six significant digits for small numbers", async (t) => {
  const cases: [number, string][] = [
    [36.080499999999994, "36.0805"],
    [392.25049999999993, "392.2505"],
    [12781.150000000001, "12781.15"],
    [0.0005698005698004938, "0.000569801"],
    [-0.03303720155469192, "-0.0330372"],
    [7737950, "7737950"],
    [1.5, "1.5"],
    [Number.NaN, "NaN"],
  ];
  for (const [x, text] of cases) {
    await t.step(`${x} -> ${text}`, () => assert.equal(roundFloat(x), text));
  }
});

Deno.test("formatTimestamptz() prints the wall clock of the zone with its offset", () => {
  const winter = new Date("2026-11-27T14:30:00Z");
  const summer = new Date("2026-07-01T13:30:00.250Z");
  assert.equal(
    formatTimestamptz(winter, "America/New_York"),
    "2026-11-27 09:30:00-05:00",
  );
  assert.equal(
    formatTimestamptz(summer, "America/New_York", true),
    "2026-07-01T09:30:00.250-04:00",
  );
  assert.equal(formatTimestamptz(winter, "UTC", true), "2026-11-27T14:30:00Z");
  assert.equal(formatTimestamptz(winter, "UTC"), "2026-11-27 14:30:00+00:00");
});

const RESULT: QueryResult = {
  columns: [
    { name: "symbol", type: "VARCHAR", kind: "text" },
    { name: "ts", type: "TIMESTAMP WITH TIME ZONE", kind: "timestamptz" },
    { name: "close", type: "DOUBLE", kind: "float" },
    { name: "volume", type: "BIGINT", kind: "integer" },
    { name: "note", type: "VARCHAR", kind: "text" },
  ],
  rows: [
    [
      "AAPL",
      new Date("2026-11-27T14:30:00Z"),
      36.080499999999994,
      55433n,
      null,
    ],
    ["MSFT", new Date("2026-11-27T14:31:00Z"), 401.5, 7n, 'a "b",\nc'],
  ],
};

Deno.test("formatTable() aligns columns, numbers right, timestamps in the zone, floats rounded", () => {
  assert.equal(
    formatTable(RESULT, "America/New_York"),
    [
      "symbol  ts                           close  volume  note",
      "------  -------------------------  -------  ------  ---------",
      "AAPL    2026-11-27 09:30:00-05:00  36.0805   55433  NULL",
      'MSFT    2026-11-27 09:31:00-05:00    401.5       7  a "b",\\nc',
      "(2 rows)",
      "",
    ].join("\n"),
  );
  assert.equal(
    formatTable({ columns: RESULT.columns, rows: [] }, "UTC").split("\n")[2],
    "(0 rows)",
  );
});

Deno.test("formatCsv() writes ISO timestamps, exact floats, quoted fields and empty NULLs", () => {
  assert.equal(
    formatCsv(RESULT, "UTC"),
    [
      "symbol,ts,close,volume,note",
      "AAPL,2026-11-27T14:30:00Z,36.080499999999994,55433,",
      'MSFT,2026-11-27T14:31:00Z,401.5,7,"a ""b"",\nc"',
      "",
    ].join("\n"),
  );
});

Deno.test("formatJson() writes one object per row with numbers, nulls and ISO timestamps", () => {
  const text = formatJson(RESULT, "America/New_York");
  assert.deepEqual(JSON.parse(text), [
    {
      symbol: "AAPL",
      ts: "2026-11-27T09:30:00-05:00",
      close: 36.080499999999994,
      volume: 55433,
      note: null,
    },
    {
      symbol: "MSFT",
      ts: "2026-11-27T09:31:00-05:00",
      close: 401.5,
      volume: 7,
      note: 'a "b",\nc',
    },
  ]);
  assert.equal(text.split("\n").length, 5); // [, two rows, ], and the end
});
