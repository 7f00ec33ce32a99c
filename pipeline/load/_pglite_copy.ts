/**
 * A binary COPY's input cut into statements of bounded size, for PGlite.
 * Private to the load stage.
 *
 * PGlite reads `COPY ... FROM '/dev/blob'` from one Blob copied into its
 * WebAssembly memory, which never shrinks: one statement of a million bars
 * (about 100 MB of binary COPY) grew it by that much, and blocked the event
 * loop for the whole load. Binary COPY input is a 19-byte header, whole
 * rows, and a 2-byte trailer, so it can be sent as several statements, each
 * the header, some chunks of rows, and the trailer.
 * @module
 */

import { SIGNATURE } from "@pipeline/load/_binary_copy.ts";

/** Signature, flags (int32) and header-extension length (int32, 0). */
const HEADER_BYTES = 19;
/** The trailer: a field count of -1 (int16). */
const TRAILER = new Uint8Array([0xff, 0xff]);

/**
 * Splits `data`, the input of COPY statement `sql`, into the parts of each
 * statement to run. A binary COPY (`FORMAT binary`) whose chunks are the
 * header, whole rows and the trailer (as `frameToBinaryChunks` yields them)
 * becomes statements of about `statementBytes` each, every one with its
 * own header and trailer; chunks are pulled lazily, as each statement is
 * gathered. Any other input is one statement.
 */
export function* pgliteCopyStatements(
  sql: string,
  data: Uint8Array | Iterable<Uint8Array>,
  statementBytes: number,
): Generator<Uint8Array[]> {
  if (data instanceof Uint8Array || !/\bFORMAT\s+binary\b/i.test(sql)) {
    yield data instanceof Uint8Array ? [data] : [...data];
    return;
  }
  const chunks = data[Symbol.iterator]();
  const head = chunks.next();
  if (head.done) return;
  if (!isHeader(head.value)) {
    // Not as `frameToBinaryChunks` cuts it: sent whole.
    yield [head.value, ...iterate(chunks)];
    return;
  }
  const header = head.value;
  let parts: Uint8Array[] = [];
  let bytes = 0;
  let sent = false;
  // No chunk is pulled ahead of need: pulling one tells the encoder that the
  // one before was taken (its onRows), so a look-ahead would report rows
  // before their statement ran. The trailer is told by its content: a row
  // starts with its field count, never -1.
  for (let next = chunks.next(); !next.done; next = chunks.next()) {
    if (isTrailer(next.value)) {
      // No rows still runs the statement once (it checks the table).
      if (parts.length > 0 || !sent) yield [header, ...parts, TRAILER];
      if (!chunks.next().done) {
        throw new Error("binary COPY input goes on after its trailer");
      }
      return;
    }
    parts.push(next.value);
    bytes += next.value.byteLength;
    if (bytes >= statementBytes) {
      sent = true;
      yield [header, ...parts, TRAILER];
      parts = [];
      bytes = 0;
    }
  }
  throw new Error(
    "binary COPY input does not end with the trailer (-1 field count)",
  );
}

function isHeader(chunk: Uint8Array): boolean {
  if (chunk.byteLength !== HEADER_BYTES) return false;
  if (!SIGNATURE.every((b, i) => chunk[i] === b)) return false;
  const extension = new DataView(chunk.buffer, chunk.byteOffset + 15, 4);
  return extension.getInt32(0) === 0;
}

function isTrailer(chunk: Uint8Array): boolean {
  return chunk.byteLength === 2 && chunk[0] === 0xff && chunk[1] === 0xff;
}

function* iterate(it: Iterator<Uint8Array>): Generator<Uint8Array> {
  for (let r = it.next(); !r.done; r = it.next()) yield r.value;
}
