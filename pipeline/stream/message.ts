/**
 * One record per message: the JSON object of a raw-frame row (the fields
 * of its dataset's raw frame, text or numbers, `ts` ISO-8601 or epoch) and
 * its `record` name, with a `Nats-Msg-Id` for JetStream's de-duplication.
 * @module
 */

/** A decoded record: field name to text (numbers as their decimal text). */
export type RawRecord = Record<string, string | null>;

/** What one message carries, ready to publish. */
export interface RecordMessage {
  subject: string;
  /** The JSON text of the record. */
  data: string;
  /** `Nats-Msg-Id`: `<dataset>/<record>`, the same for a re-sent record. */
  msgId: string;
}

/** The most of a message kept in a quarantine reason or `raw`. */
const MAX_RAW = 2000;

/**
 * The message of one raw-frame row: `row` as JSON (nulls kept), its id
 * from the row's `record` (else its subject and index `n`).
 */
export function recordMessage(
  subject: string,
  dataset: string,
  row: Record<string, unknown>,
  n: number,
): RecordMessage {
  const record = typeof row.record === "string" ? row.record : null;
  return {
    subject,
    data: JSON.stringify(row),
    msgId: `${dataset}/${record ?? `${subject}#${n}`}`,
  };
}

/** A decoded message, or why it cannot be. */
export type Decoded =
  | { ok: true; record: RawRecord }
  | { ok: false; reason: string; raw: string };

/**
 * Decodes a message body: a JSON object whose values are text, numbers,
 * booleans or null. Numbers become their decimal text (an epoch `ts` keeps
 * its digits, as in a file); nested values are refused. `record` defaults
 * to `fallbackRecord` (the stream and sequence).
 */
export function decodeRecord(text: string, fallbackRecord: string): Decoded {
  const raw = text.length > MAX_RAW ? `${text.slice(0, MAX_RAW)}…` : text;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { ok: false, reason: `not JSON: ${why.slice(0, 120)}`, raw };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, reason: "not a JSON object", raw };
  }
  const record: RawRecord = {};
  const fields = value as Record<string, unknown>;
  for (const key in fields) {
    const v = fields[key];
    if (v === null || v === undefined) record[key] = null;
    else if (typeof v === "string") record[key] = v;
    else if (typeof v === "number" || typeof v === "boolean") {
      record[key] = String(v);
    } else {
      return { ok: false, reason: `field ${key} is not a scalar`, raw };
    }
  }
  if (typeof record.record !== "string" || record.record === "") {
    record.record = fallbackRecord;
  }
  return { ok: true, record };
}
