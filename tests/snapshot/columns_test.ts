import assert from "node:assert/strict";
import { EtlError } from "@pipeline/errors.ts";
import {
  assertIdentifier,
  describeTable,
  describeTables,
  duckdbTypeFor,
} from "@pipeline/snapshot/mod.ts";
import { pglite } from "./_fixtures.ts";

Deno.test("duckdbTypeFor() maps Postgres types to DuckDB types", async (t) => {
  const cases: [string, number | null, number | null, string][] = [
    ["smallint", null, null, "SMALLINT"],
    ["integer", null, null, "INTEGER"],
    ["bigint", null, null, "BIGINT"],
    ["real", null, null, "FLOAT"],
    ["double precision", null, null, "DOUBLE"],
    ["boolean", null, null, "BOOLEAN"],
    ["date", null, null, "DATE"],
    ["timestamp with time zone", null, null, "TIMESTAMPTZ"],
    ["timestamp without time zone", null, null, "TIMESTAMP"],
    ["numeric", 12, 4, "DECIMAL(12,4)"],
    ["numeric", null, null, "DOUBLE"],
    ["numeric", 50, 2, "DOUBLE"],
    ["uuid", null, null, "VARCHAR"],
    ["text", null, null, "VARCHAR"],
    ["jsonb", null, null, "VARCHAR"],
    ["ARRAY", null, null, "VARCHAR"],
  ];
  for (const [pgType, precision, scale, expected] of cases) {
    await t.step(`${pgType}(${precision},${scale}) -> ${expected}`, () => {
      assert.equal(duckdbTypeFor(pgType, precision, scale), expected);
    });
  }
});

Deno.test("assertIdentifier() accepts lower snake case only", async (t) => {
  assert.equal(assertIdentifier("bars_1m", "table"), "bars_1m");
  assert.equal(assertIdentifier("_x", "column"), "_x");
  for (
    const bad of ["", "1m", "Bars", "bars-1m", 'x"; DROP TABLE y; --', "a b"]
  ) {
    await t.step(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(
        () => assertIdentifier(bad, "table"),
        (err: unknown) =>
          err instanceof EtlError && err.stage === "snapshot" &&
          err.message.startsWith("[snapshot] invalid table name"),
      );
    });
  }
});

Deno.test("describeTable() reads columns, DuckDB types and the primary key", async () => {
  const client = await pglite(false);
  {
    await client.exec(`
      CREATE TABLE things (
        b text, a integer, at timestamptz NOT NULL, price numeric(10, 2),
        id uuid, flag boolean, PRIMARY KEY (b, a));
      CREATE TABLE "Odd" ("Upper" int, at timestamptz)`);
    const shape = await describeTable({ client, table: "things" });
    assert.deepEqual(shape, {
      name: "things",
      columns: [
        { name: "b", pgType: "text", duckdbType: "VARCHAR", exportSql: '"b"' },
        {
          name: "a",
          pgType: "integer",
          duckdbType: "INTEGER",
          exportSql: '"a"',
        },
        {
          name: "at",
          pgType: "timestamp with time zone",
          duckdbType: "TIMESTAMPTZ",
          exportSql: '"at"',
        },
        {
          name: "price",
          pgType: "numeric",
          duckdbType: "DECIMAL(10,2)",
          exportSql: '"price"',
        },
        {
          name: "id",
          pgType: "uuid",
          duckdbType: "VARCHAR",
          exportSql: '"id"',
        },
        {
          name: "flag",
          pgType: "boolean",
          duckdbType: "BOOLEAN",
          exportSql: '"flag"',
        },
      ],
      primaryKey: ["b", "a"],
    });

    await client.exec("SET DateStyle = 'German'");
    const german = await describeTable({ client, table: "things" });
    assert.equal(
      german.columns[2]?.exportSql,
      `to_char("at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "at"`,
    );

    await assert.rejects(
      describeTable({ client, table: "nothing" }),
      (err: unknown) =>
        err instanceof EtlError && err.partition === "nothing" &&
        /does not exist/.test(err.message),
    );
    await client.exec(`ALTER TABLE "Odd" RENAME TO odd`);
    await assert.rejects(
      describeTable({ client, table: "odd" }),
      (err: unknown) =>
        err instanceof EtlError && err.partition === "odd" &&
        /column "Upper" that does not match/.test(err.message),
    );
  }
});

Deno.test("describeTables() reads several tables at once, each as describeTable() does, keys apart", async () => {
  const client = await pglite(false);
  await client.exec(`
    CREATE TABLE one (k text, n bigint, v double precision, PRIMARY KEY (k));
    CREATE TABLE two (d date, s text, x numeric, PRIMARY KEY (s, d));
    CREATE TABLE three (note text)`);
  const shapes = await describeTables(client, ["two", "one", "three"]);
  assert.deepEqual([...shapes.keys()], ["two", "one", "three"]);
  for (const table of ["one", "two", "three"]) {
    assert.deepEqual(
      shapes.get(table),
      await describeTable({ client, table }),
    );
  }
  assert.deepEqual(shapes.get("two")?.primaryKey, ["s", "d"]);
  assert.deepEqual(shapes.get("one")?.primaryKey, ["k"]);
  assert.deepEqual(shapes.get("three")?.primaryKey, []);
  assert.deepEqual(shapes.get("two")?.columns.map((c) => c.name), [
    "d",
    "s",
    "x",
  ]);
  await assert.rejects(
    describeTables(client, ["one", "missing"]),
    (err: unknown) =>
      err instanceof EtlError && err.partition === "missing" &&
      /table missing does not exist/.test(err.message),
  );
});
