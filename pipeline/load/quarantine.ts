/**
 * Keeps rejected records of any dataset in the `quarantine` table.
 *
 * A quarantined record is by nature the record the rest of the pipeline
 * could not take, so its text is made safe for Postgres before COPY: a NUL
 * (which no Postgres text or jsonb value can hold) and every other C0
 * control character except tab and newline are written as a visible `\uXXXX`
 * escape. Text in a polars frame is valid UTF-8 by construction (readers
 * replace invalid bytes with U+FFFD), so no invalid byte reaches the
 * server. Should the insert fail anyway, the records are tried one by one
 * under savepoints and the error names the first record Postgres refused.
 * @module
 */
import pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import { frameToCsv } from "@pipeline/load/_copy.ts";
import { errorMessage, EtlError } from "@pipeline/errors.ts";

/** Options of {@link loadQuarantine}. */
export interface QuarantineOptions {
  /** The run id. */
  loadId: string;
  /** The source name (synthetic, file, alphavantage, ...). */
  source: string;
  /** The dataset of the records (bars, weather). */
  dataset: string;
  /** The frame column naming the record's entity (symbol, location). */
  entityColumn: string;
  /** When the records were rejected (the run's clock). */
  quarantinedAt: Date;
}

/** `c` as the JSON-style escape `\u0000`. */
function escapeChar(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/** The characters {@link safeTextFrame} escapes, as one regex class. */
const UNSAFE_PATTERN = "[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]";

/** The codes of {@link UNSAFE_PATTERN}, each escaped on its own. */
const UNSAFE_CODES = [
  ...Array.from({ length: 0x20 }, (_, i) => i).filter((i) =>
    i !== 0x09 && i !== 0x0a && i !== 0x0d
  ),
  0x7f,
];

/**
 * The `columns` of `frame` as text, NUL and the other C0 control characters
 * but tab, newline and carriage return (and DEL) written as `\uXXXX`
 * escapes, in native code. One pass finds the columns holding any; only
 * those are rewritten (a clean batch, the usual one, costs one scan).
 *
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { safeTextFrame } from "@pipeline/load/quarantine.ts";
 * safeTextFrame(pl.DataFrame({ s: ["AA\\u0000PL"] }), ["s"]).getColumn("s").get(0);
 * // "AA\\\\u0000PL"
 * ```
 */
export function safeTextFrame(
  frame: pl.DataFrame,
  columns: readonly string[],
): pl.DataFrame {
  const text = frame.select(
    ...columns.map((c) => pl.col(c).cast(pl.Utf8).alias(c)),
  );
  if (text.height === 0 || columns.length === 0) return text;
  const found = text.select(
    ...columns.map((c) =>
      pl.col(c).str.contains(UNSAFE_PATTERN).any().alias(c)
    ),
  ).row(0);
  const dirty = columns.filter((_, i) => found[i] === true);
  if (dirty.length === 0) return text;
  return text.withColumns(
    ...dirty.map((c) => {
      let expr = pl.col(c);
      for (const code of UNSAFE_CODES) {
        const ch = String.fromCharCode(code);
        expr = expr.str.replaceAll(ch, escapeChar(ch), true);
      }
      return expr.alias(c);
    }),
  );
}

/**
 * Keeps the rejected records of `quarantine` (columns record, <entity>, ts,
 * field, reason, raw; all text). A record rejected again by a re-run (same
 * dataset, source, record, field and raw text) is kept once: its fingerprint
 * is unique. The reason is left out of the fingerprint because it may quote
 * the run's clock ("in the future (after <now>)"), which would make every
 * run keep the same record again. Returns the number of records not already
 * kept.
 *
 * @throws {EtlError} stage `load`, naming the record Postgres refused and
 *   its cause, when the insert fails despite the escaping.
 */
export async function loadQuarantine(
  tx: SqlClient,
  quarantine: pl.DataFrame,
  options: QuarantineOptions,
): Promise<number> {
  if (quarantine.height === 0) return 0;
  const columns = [
    "record",
    options.entityColumn,
    "ts",
    "field",
    "reason",
    "raw",
  ];
  const safe = safeTextFrame(quarantine, columns);
  await tx.exec(
    `CREATE TEMP TABLE stage_quarantine (
       record text, entity text, ts text, field text, reason text, raw text
     ) ON COMMIT DROP`,
  );
  await tx.exec(`SAVEPOINT quarantine_copy`);
  try {
    await tx.copyFrom(
      `COPY stage_quarantine FROM STDIN (FORMAT csv)`,
      frameToCsv(safe, columns),
    );
  } catch (err) {
    await tx.exec(`ROLLBACK TO SAVEPOINT quarantine_copy`);
    throw await refusedRecord(tx, safe, columns, err);
  }
  await tx.exec(`RELEASE SAVEPOINT quarantine_copy`);
  const { rowCount } = await tx.query(
    `INSERT INTO quarantine (fingerprint, load_id, dataset, source, record,
       entity, ts, field, reason, raw, quarantined_at)
     SELECT md5(concat_ws(E'\\x1f', $3::text, $2::text, record, field, raw)),
            $1::uuid, $3::text, $2::text, record, entity, ts, field, reason, raw,
            $4::timestamptz
     FROM stage_quarantine
     ON CONFLICT (fingerprint) DO NOTHING`,
    [
      options.loadId,
      options.source,
      options.dataset,
      options.quarantinedAt.toISOString(),
    ],
  );
  await tx.exec(`DROP TABLE stage_quarantine`);
  return rowCount;
}

/**
 * After a failed COPY of the whole frame: the records copied one at a time
 * under a savepoint, to name the first one Postgres refuses. Returns the
 * error to throw (the bulk error itself when every record copies alone).
 */
async function refusedRecord(
  tx: SqlClient,
  safe: pl.DataFrame,
  columns: readonly string[],
  bulkError: unknown,
): Promise<EtlError> {
  for (let i = 0; i < safe.height; i++) {
    await tx.exec(`SAVEPOINT quarantine_row`);
    try {
      await tx.copyFrom(
        `COPY stage_quarantine FROM STDIN (FORMAT csv)`,
        frameToCsv(safe.slice(i, 1), columns),
      );
      await tx.exec(`ROLLBACK TO SAVEPOINT quarantine_row`);
    } catch (err) {
      await tx.exec(`ROLLBACK TO SAVEPOINT quarantine_row`);
      const record = String(safe.getColumn("record").get(i) ?? `row ${i + 1}`);
      return new EtlError(
        `cannot keep record ${record} in quarantine: ${errorMessage(err)}`,
        { stage: "load", partition: "quarantine", cause: err },
      );
    }
  }
  return new EtlError(
    `cannot keep ${safe.height} records in quarantine: ${
      errorMessage(bulkError)
    }`,
    { stage: "load", partition: "quarantine", cause: bulkError },
  );
}
