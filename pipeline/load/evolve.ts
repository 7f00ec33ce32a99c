/**
 * Schema evolution at the load: a frame's extra columns (`+<field>`, source
 * fields outside the resource's schema) become nullable columns of the
 * table, each through a recorded migration (a row of `etl_schema_changes`
 * with its DDL, in the load's own transaction, so the column and the rows
 * that need it commit together). A field whose type changed is refused with
 * an error naming table, column, both types and what to do, unless the
 * change is a widening the resource declares safe; never a silent change.
 * @module
 */
import pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import { ident } from "@pipeline/load/_copy.ts";
import type { ResourceSpec } from "@pipeline/load/resource.ts";
import { EXTRA_PREFIX, extraColumns } from "@pipeline/datasets/extras.ts";
import { EtlError } from "@pipeline/errors.ts";

/** Postgres type of an extra column's polars dtype. */
function pgType(name: string, dtype: pl.DataType): string {
  switch (dtype.variant) {
    case "Int64":
    case "Int32":
    case "Int16":
    case "Int8":
    case "UInt32":
      return "bigint";
    case "Float64":
    case "Float32":
      return "double precision";
    case "String":
    case "Utf8":
      return "text";
    case "Datetime":
      return "timestamp with time zone";
  }
  throw new EtlError(
    `extra field ${name}: no column type for ${dtype.variant}`,
    { stage: "load" },
  );
}

/** Incoming types a column of `existing` type takes without a change. */
const FITS: Record<string, readonly string[]> = {
  "double precision": ["bigint"],
  "text": ["bigint", "double precision"],
};

/** Options of {@link evolveSchema}. */
export interface EvolveOptions {
  /** The source, recorded with each change. */
  source: string;
  loadId: string;
}

/** What {@link evolveSchema} did. */
export interface Evolved {
  /** The resource with its extra columns appended (names without `+`). */
  spec: ResourceSpec;
  /** The frame with extras renamed to their columns, cast to the table's. */
  frame: pl.DataFrame;
  /** DDL applied, in order. */
  changes: string[];
}

/**
 * Adds or widens the table's columns for `frame`'s extras (see the module
 * doc). Call inside the load's transaction. Without extras, returns spec and
 * frame as they are.
 *
 * @throws EtlError (stage `load`, partition = table; terminal) for an extra
 *   field that collides with a column of the resource, a name that is not an
 *   identifier, or a type change the spec does not declare safe.
 */
export async function evolveSchema(
  tx: SqlClient,
  spec: ResourceSpec,
  frame: pl.DataFrame,
  options: EvolveOptions,
): Promise<Evolved> {
  const extras = extraColumns(frame);
  if (extras.length === 0) return { spec, frame, changes: [] };
  const fail = (message: string) =>
    new EtlError(`table ${spec.name}: ${message}`, {
      stage: "load",
      partition: spec.name,
    });
  const { rows } = await tx.query<{ column_name: string; data_type: string }>(
    `SELECT column_name, data_type FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = $1`,
    [spec.name],
  );
  const existing = new Map(rows.map((r) => [r.column_name, r.data_type]));
  const changes: string[] = [];
  const casts: pl.Expr[] = [];
  const columns: string[] = [];
  for (const extra of extras) {
    const name = extra.slice(EXTRA_PREFIX.length);
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
      throw fail(`source field "${name}" is not a valid column name`);
    }
    if (spec.columns.includes(name) || name === "load_id") {
      throw fail(
        `source field ${name} collides with the column ${name} the pipeline derives; rename it in the source`,
      );
    }
    const incoming = pgType(name, frame.getColumn(extra).dtype);
    const current = existing.get(name);
    let type = incoming;
    if (current === undefined) {
      const ddl = `ALTER TABLE ${ident(spec.name)} ADD COLUMN ${
        ident(name)
      } ${incoming}`;
      await tx.exec(ddl);
      await record(
        tx,
        spec.name,
        name,
        "add_column",
        null,
        incoming,
        ddl,
        options,
      );
      changes.push(ddl);
    } else if (current !== incoming) {
      if (FITS[current]?.includes(incoming)) {
        type = current;
      } else if (
        (spec.widenings ?? []).some((w) =>
          w.from === current && w.to === incoming
        )
      ) {
        const ddl = `ALTER TABLE ${ident(spec.name)} ALTER COLUMN ${
          ident(name)
        } TYPE ${incoming}`;
        await tx.exec(ddl);
        await record(
          tx,
          spec.name,
          name,
          "widen",
          current,
          incoming,
          ddl,
          options,
        );
        changes.push(ddl);
      } else {
        throw fail(
          `column ${name} is ${current}, but the source now sends ${incoming}: refused (a type change is never applied silently; declare the widening ${current} -> ${incoming} in the resource spec if it is safe, or fix the source); a retry will not help`,
        );
      }
    }
    casts.push(pl.col(extra).cast(dtypeOf(type)).alias(name));
    columns.push(name);
  }
  return {
    spec: { ...spec, columns: [...spec.columns, ...columns] },
    frame: frame.select(...spec.columns, ...casts),
    changes,
  };
}

/** The polars dtype a value of Postgres `type` is sent as. */
function dtypeOf(type: string): pl.DataType {
  switch (type) {
    case "bigint":
      return pl.Int64;
    case "double precision":
      return pl.Float64;
    case "timestamp with time zone":
      return pl.Datetime("ms", "UTC");
    default:
      return pl.Utf8;
  }
}

async function record(
  tx: SqlClient,
  table: string,
  column: string,
  change: "add_column" | "widen",
  oldType: string | null,
  newType: string,
  ddl: string,
  options: EvolveOptions,
): Promise<void> {
  await tx.query(
    `INSERT INTO etl_schema_changes (table_name, column_name, change,
       old_type, new_type, ddl, source, load_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      table,
      column,
      change,
      oldType,
      newType,
      ddl,
      options.source,
      options.loadId,
    ],
  );
}
