/**
 * API keys and base URLs from the environment or a `.env` file, without a
 * dependency. The environment wins over `.env`.
 * @module
 */

/** Variables by name. */
export type EnvMap = Readonly<Record<string, string | undefined>>;

/**
 * The variables of a `.env` file: `KEY=value` lines, optional `export `
 * prefix, `#` comments, values optionally in single quotes (literal) or
 * double quotes (`\n`, `\t`, `\"`, `\\` escapes). An unquoted value ends at
 * ` #`. Lines that are not assignments are ignored.
 *
 * @example
 * ```ts
 * import { parseDotEnv } from "@pipeline/extract/http/env.ts";
 * parseDotEnv('# keys\nexport FINNHUB_API_KEY="abc"\nX=1 # one');
 * // { FINNHUB_API_KEY: "abc", X: "1" }
 * ```
 */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const m = rawLine.match(
      /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*?)\s*$/,
    );
    if (!m) continue;
    const [, key = "", rest = ""] = m;
    let value: string;
    const quote = rest[0];
    if ((quote === '"' || quote === "'") && rest.indexOf(quote, 1) > 0) {
      const end = quote === '"'
        ? closingDoubleQuote(rest)
        : rest.indexOf("'", 1);
      const inner = rest.slice(1, end);
      value = quote === '"'
        ? inner.replace(
          /\\([nrt"\\])/g,
          (_, c: string) =>
            ({ n: "\n", r: "\r", t: "\t" } as Record<string, string>)[c] ?? c,
        )
        : inner;
    } else {
      value = rest.replace(/\s+#.*$/, "");
    }
    Object.defineProperty(out, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function closingDoubleQuote(text: string): number {
  for (let i = 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
  }
  return text.length;
}

/** Options of {@link loadEnv}. */
export interface LoadEnvOptions {
  /** The process environment; default `Deno.env.toObject()`. */
  env?: EnvMap | undefined;
  /** The `.env` file to read, or `false` for none; default `".env"`. A missing file is fine. */
  dotenv?: string | false | undefined;
}

/**
 * The environment merged over the `.env` file (the environment wins; an
 * empty variable counts as unset).
 * Reads the file synchronously so source factories stay synchronous.
 */
export function loadEnv(options: LoadEnvOptions = {}): EnvMap {
  const { env = Deno.env.toObject(), dotenv = ".env" } = options;
  let fromFile: Record<string, string> = {};
  if (dotenv !== false) {
    try {
      fromFile = parseDotEnv(Deno.readTextFileSync(dotenv));
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && v !== "") merged[k] = v;
  }
  return merged;
}
