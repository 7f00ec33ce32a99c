/**
 * Reading a 2xx body as JSON, with problems a retry may fix (truncated
 * JSON, an HTML error page from a proxy) told apart from schema problems.
 * @module
 */
import type { z } from "zod";
import { ResponseProblem } from "@pipeline/extract/http/extract_error.ts";
import {
  type JsonWithEntries,
  parseJsonWithEntries,
} from "@pipeline/extract/http/json_entries.ts";

/**
 * `body` parsed as JSON (keeping duplicate keys), or a transient, retryable
 * {@link ResponseProblem} of kind `invalid-body` saying whether the body was
 * empty, HTML, or malformed/truncated JSON.
 */
export function parseJsonBody(body: string): JsonWithEntries {
  const text = body.replace(/^\uFEFF/, "");
  if (!text.trim()) {
    throw new ResponseProblem("expected JSON, got an empty body", {
      kind: "invalid-body",
      transient: true,
    });
  }
  if (/^\s*</.test(text)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
    throw new ResponseProblem(
      `expected JSON, got an HTML page${title ? ` titled "${title}"` : ""}`,
      { kind: "invalid-body", transient: true },
    );
  }
  try {
    return parseJsonWithEntries(text);
  } catch (err) {
    throw new ResponseProblem(
      `malformed or truncated JSON (${text.length} characters): ${
        (err as Error).message
      }`,
      { kind: "invalid-body", transient: true, cause: err },
    );
  }
}

/** A path as `Time Series (1min)."2026-11-03 09:30:00"."1. open"`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p) =>
    typeof p === "number"
      ? `[${p}]`
      : /^[A-Za-z_$][\w$]*$/.test(String(p))
      ? String(p)
      : JSON.stringify(String(p))
  ).join(".").replace(/\.\[/g, "[") || "(body)";
}

/** Options of {@link schemaProblem}. */
export interface SchemaProblemOptions {
  /** Path of the checked value within the payload; default none. */
  prefix?: readonly PropertyKey[] | undefined;
  /** The checked value, to tell a missing field (and its siblings) apart. */
  input?: unknown;
}

/**
 * A terminal {@link ResponseProblem} of kind `schema` naming each field of
 * `error` (at most 5). With `input`, a field that is absent reads
 * `missing (found "1. Open", "2. high", ...)` so a renamed field shows.
 */
export function schemaProblem(
  error: z.ZodError,
  options: SchemaProblemOptions = {},
): ResponseProblem {
  const { prefix = [], input } = options;
  const issues = error.issues.slice(0, 5).map((i) => {
    const path = formatPath([...prefix, ...i.path]);
    if (input === undefined) return `${path}: ${i.message}`;
    const parent = valueAt(input, i.path.slice(0, -1));
    const last = i.path.at(-1);
    const missing = last !== undefined && parent !== null &&
      typeof parent === "object" && !Object.hasOwn(parent, last);
    if (!missing) return `${path}: ${i.message}`;
    const found = Object.keys(parent).slice(0, 8).map((k) => JSON.stringify(k));
    return `${path}: missing${
      found.length ? ` (found ${found.join(", ")})` : ""
    }`;
  });
  const more = error.issues.length > 5
    ? ` (and ${error.issues.length - 5} more)`
    : "";
  return new ResponseProblem(
    `payload does not match the documented schema: ${issues.join("; ")}${more}`,
    { kind: "schema", transient: false },
  );
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}
