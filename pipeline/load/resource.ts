/**
 * Resource specs: everything the load needs to know about one warehouse
 * table in one place: its name, primary key, cursor column, write mode and
 * the zod schema of a loaded row (whose keys, in order, are the table's data
 * columns; `load_id` is added by the load).
 *
 * The schema is the typed boundary of the load: {@link checkFrame} checks a
 * frame against it column by column (presence, polars dtype, nulls) before
 * a byte is sent, so a transform bug is refused with the column's name
 * instead of surfacing as a COPY error.
 * @module
 */
import type pl from "nodejs-polars";
import { z } from "zod";
import { EtlError } from "@pipeline/errors.ts";
import type { FactTableSpec } from "@pipeline/load/upsert.ts";

/**
 * How a resource is written:
 * - `append`: rows are copied in; a key that exists already fails the load.
 * - `replace`: rows are copied into staging, then the table's contents are
 *   swapped for them in one transaction.
 * - `merge`: staging is de-duplicated by key keeping the newest by cursor,
 *   then upserted (only changed rows are rewritten).
 * - `scd2`: slowly changing dimension type 2 (versions opened and closed).
 */
export const WRITE_MODES = ["append", "replace", "merge", "scd2"] as const;

/** One of {@link WRITE_MODES}. */
export type WriteMode = typeof WRITE_MODES[number];

/** A type change of a column that a spec declares safe. */
export interface Widening {
  /** The column's Postgres type now, e.g. `integer`. */
  readonly from: string;
  /** The wider type, e.g. `bigint`. */
  readonly to: string;
}

/** What {@link defineResource} takes: the facts of a resource, once. */
export interface ResourceDefinition<S extends z.ZodObject<z.ZodRawShape>> {
  /** Table name (`/^[a-z_][a-z0-9_]*$/`). */
  readonly name: string;
  /** Primary key columns: for facts `[entity, time]`. */
  readonly primaryKey: readonly string[];
  /**
   * The column the watermark follows and merge keeps the newest of: a
   * `timestamptz` column of the schema.
   */
  readonly cursor: string;
  /** How rows are written. */
  readonly writeMode: WriteMode;
  /** A loaded row; its keys in order are the table's data columns. */
  readonly schema: S;
  /** Type changes refused unless listed here (schema evolution). */
  readonly widenings?: readonly Widening[];
  /**
   * Schema columns recomputed from the warehouse after the merge by the
   * dataset's derived assets: the merge writes them with new or changed
   * rows but does not compare them.
   */
  readonly derivedColumns?: readonly string[];
}

/**
 * A warehouse table and how it is loaded: the definition plus what follows
 * from it (the data columns in schema order; entity and time, the first two
 * key columns, for the keyed COPY upsert).
 */
export interface ResourceSpec<
  S extends z.ZodObject<z.ZodRawShape> = z.ZodObject<z.ZodRawShape>,
> extends ResourceDefinition<S>, FactTableSpec {}

/**
 * A resource spec from its definition.
 *
 * @throws Error when the name is not an identifier, a key or cursor column
 *   is not in the schema, or a fact's key is not (entity, time).
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineResource } from "@pipeline/load/resource.ts";
 * const spec = defineResource({
 *   name: "prices",
 *   primaryKey: ["symbol", "ts"],
 *   cursor: "ts",
 *   writeMode: "merge",
 *   schema: z.object({ symbol: z.string(), ts: z.date(), price: z.number() }),
 * });
 * spec.columns; // ["symbol", "ts", "price"]
 * ```
 */
export function defineResource<S extends z.ZodObject<z.ZodRawShape>>(
  definition: ResourceDefinition<S>,
): ResourceSpec<S> {
  const { name, primaryKey, cursor, schema } = definition;
  const columns = Object.keys(schema.shape);
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
    throw new Error(
      `resource name ${JSON.stringify(name)} is not an identifier`,
    );
  }
  for (const c of [...primaryKey, cursor, ...definition.derivedColumns ?? []]) {
    if (!columns.includes(c)) {
      throw new Error(`resource ${name}: column ${c} is not in its schema`);
    }
  }
  const [entity = "", time = ""] = primaryKey;
  if (definition.writeMode !== "scd2" && primaryKey.length !== 2) {
    throw new Error(
      `resource ${name}: a fact's primary key is (entity, time), got (${
        primaryKey.join(", ")
      })`,
    );
  }
  return Object.freeze({ ...definition, entity, time, columns });
}

/** What a schema field is, for the frame check and the DDL. */
interface FieldKind {
  kind: "text" | "number" | "integer" | "timestamp" | "boolean";
  nullable: boolean;
}

/** The kind of a zod field of a resource schema. */
export function fieldKind(field: z.ZodType): FieldKind {
  let inner: z.ZodType = field;
  let nullable = false;
  while (inner instanceof z.ZodNullable || inner instanceof z.ZodOptional) {
    nullable = true;
    inner = inner.unwrap() as z.ZodType;
  }
  if (inner instanceof z.ZodString || inner instanceof z.ZodEnum) {
    return { kind: "text", nullable };
  }
  if (inner instanceof z.ZodNumber) {
    return { kind: inner.isInt ? "integer" : "number", nullable };
  }
  if (inner instanceof z.ZodDate) return { kind: "timestamp", nullable };
  if (inner instanceof z.ZodBoolean) return { kind: "boolean", nullable };
  throw new Error(`unsupported resource field type ${inner.constructor.name}`);
}

const DTYPES: Record<FieldKind["kind"], readonly string[]> = {
  text: ["String", "Utf8"],
  number: ["Float64", "Float32", "Int64", "Int32", "Int16", "Int8", "UInt32"],
  integer: ["Int64", "Int32", "Int16", "Int8", "UInt32", "UInt16", "UInt8"],
  timestamp: ["Datetime"],
  boolean: ["Bool"],
};

/**
 * Checks `frame` against the resource's schema: every column present with a
 * compatible polars dtype, no nulls in a non-nullable column. Columnar: one
 * null count per column, no per-row work.
 *
 * @throws EtlError (stage `load`, partition = the table; terminal) naming
 *   the resource, the column and what is wrong.
 */
export function checkFrame(spec: ResourceSpec, frame: pl.DataFrame): void {
  const fail = (message: string) => {
    throw new EtlError(`resource ${spec.name}: ${message}`, {
      stage: "load",
      partition: spec.name,
    });
  };
  for (const [name, field] of Object.entries(spec.schema.shape)) {
    if (!frame.columns.includes(name)) fail(`column ${name} is missing`);
    const { kind, nullable } = fieldKind(field as z.ZodType);
    const series = frame.getColumn(name);
    if (!DTYPES[kind].includes(series.dtype.variant)) {
      fail(`column ${name} is ${series.dtype.variant}, expected ${kind}`);
    }
    if (!nullable && series.nullCount() > 0) {
      fail(
        `column ${name} has ${series.nullCount()} null(s) but is not nullable`,
      );
    }
  }
}
