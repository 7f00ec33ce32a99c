/**
 * The error of a derived asset's recompute. Private to the load stage.
 * @module
 */
import { errorMessage, EtlError } from "@pipeline/errors.ts";

/**
 * SQLSTATE classes worth a retry: connection exceptions (08), transaction
 * rollbacks such as serialization failures and deadlocks (40), insufficient
 * resources (53), operator intervention such as a server shutdown (57).
 */
const TRANSIENT_CLASSES = new Set(["08", "40", "53", "57"]);

/**
 * An EtlError (stage `load`, partition = the derived table) saying what
 * could not be recomputed and why, transient when the database's SQLSTATE
 * says a retry may help.
 */
export function deriveError(
  table: string,
  what: string,
  cause: unknown,
): EtlError {
  const code = (cause as { code?: unknown } | null)?.code;
  const transient = typeof code === "string" &&
    TRANSIENT_CLASSES.has(code.slice(0, 2));
  return new EtlError(
    `cannot recompute ${what}: ${errorMessage(cause)}`,
    { stage: "load", partition: table, transient, cause },
  );
}
