/**
 * A JSON parser that keeps what `JSON.parse` throws away: duplicate keys and
 * their order. Alpha Vantage keys its series by timestamp, so a duplicated
 * timestamp would silently vanish under `JSON.parse`; the raw frame must
 * show it.
 * @module
 */

/** A parsed document and the entries of each object it holds. */
export interface JsonWithEntries {
  /**
   * The value as `JSON.parse` would build it (for duplicate keys the last
   * one wins; `__proto__` is an own property).
   */
  value: unknown;
  /** Every `[key, value]` of `object` in document order, duplicates included. */
  entriesOf(object: object): readonly (readonly [string, unknown])[];
}

/** Malformed JSON, with the position where parsing stopped. */
export class JsonSyntaxError extends SyntaxError {
  /** Offset in the text, in UTF-16 code units. */
  readonly position: number;
  constructor(message: string, position: number) {
    super(`${message} at position ${position}`);
    this.name = "JsonSyntaxError";
    this.position = position;
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;
// JSON forbids raw control characters inside strings.
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f]/;

/**
 * Parses `text` as strict JSON (RFC 8259), keeping every object's entries.
 * Throws {@link JsonSyntaxError} on malformed or truncated input.
 *
 * @example A duplicated key survives
 * ```ts
 * import { parseJsonWithEntries } from "@pipeline/extract/http/json_entries.ts";
 * const doc = parseJsonWithEntries('{"a": 1, "a": 2}');
 * doc.entriesOf(doc.value as object); // [["a", 1], ["a", 2]]
 * ```
 */
export function parseJsonWithEntries(text: string): JsonWithEntries {
  const entries = new WeakMap<object, [string, unknown][]>();
  let i = 0;
  // Position of the next backslash at or after the last search, -1 if none:
  // searched lazily so strings without escapes cost one indexOf for '"'.
  let slashAt = -2;
  const nextSlash = (from: number): number => {
    if (slashAt !== -1 && slashAt < from) slashAt = text.indexOf("\\", from);
    return slashAt;
  };

  const fail = (message: string): never => {
    throw new JsonSyntaxError(
      i >= text.length ? "unexpected end of JSON input" : message,
      i,
    );
  };
  const skip = () => {
    WHITESPACE.lastIndex = i;
    WHITESPACE.test(text);
    i = WHITESPACE.lastIndex;
  };
  const expect = (ch: string) => {
    if (text[i] !== ch) fail(`expected '${ch}', found '${text[i]}'`);
    i++;
  };

  const parseString = (): string => {
    const start = i;
    i++;
    let escaped = false;
    for (;;) {
      const quote = text.indexOf('"', i);
      const slash = nextSlash(i);
      if (quote < 0) {
        i = text.length;
        return fail("unterminated string");
      }
      if (slash >= 0 && slash < quote) {
        escaped = true;
        i = slash + 2;
        continue;
      }
      i = quote + 1;
      break;
    }
    const raw = text.slice(start, i);
    if (escaped) {
      try {
        return JSON.parse(raw) as string;
      } catch {
        i = start;
        return fail("invalid string escape");
      }
    }
    if (CONTROL.test(raw)) {
      i = start;
      return fail("control character in string");
    }
    return raw.slice(1, -1);
  };

  const parseValue = (): unknown => {
    skip();
    const ch = text[i];
    if (ch === "{") {
      i++;
      const obj: Record<string, unknown> = {};
      const list: [string, unknown][] = [];
      entries.set(obj, list);
      skip();
      if (text[i] === "}") {
        i++;
        return obj;
      }
      for (;;) {
        skip();
        if (text[i] !== '"') fail(`expected a string key, found '${text[i]}'`);
        const key = parseString();
        skip();
        expect(":");
        const value = parseValue();
        if (key === "__proto__") {
          // An own property, as JSON.parse makes it; never the prototype.
          Object.defineProperty(obj, key, {
            value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        } else {
          obj[key] = value;
        }
        list.push([key, value]);
        skip();
        if (text[i] === ",") {
          i++;
          continue;
        }
        expect("}");
        return obj;
      }
    }
    if (ch === "[") {
      i++;
      const arr: unknown[] = [];
      skip();
      if (text[i] === "]") {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(parseValue());
        skip();
        if (text[i] === ",") {
          i++;
          continue;
        }
        expect("]");
        return arr;
      }
    }
    if (ch === '"') return parseString();
    if (text.startsWith("true", i)) return (i += 4, true);
    if (text.startsWith("false", i)) return (i += 5, false);
    if (text.startsWith("null", i)) return (i += 4, null);
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m) {
      i += m[0].length;
      return Number(m[0]);
    }
    return fail(`unexpected character '${ch}'`);
  };

  const value = parseValue();
  skip();
  if (i < text.length) fail(`unexpected '${text[i]}' after the JSON value`);
  return {
    value,
    entriesOf: (object) => entries.get(object) ?? [],
  };
}
