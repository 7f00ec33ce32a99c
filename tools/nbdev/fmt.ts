/**
 * `deno fmt` over generated TypeScript, so exported modules are exactly what
 * `deno fmt` would leave in the tree and exports are byte-stable.
 * @module
 */

/** The formatted text, or why `deno fmt` refused it. */
export type FormatResult =
  | { ok: true; text: string }
  | {
    ok: false;
    /** `deno fmt`'s message, colors stripped. */
    error: string;
    /** The 1-based line of the syntax error in the input, when known. */
    line: number | undefined;
  };

/** Options of {@link formatTypeScript}. */
export interface FormatOptions {
  /** Directory whose deno.json `fmt` settings apply. Default: the cwd. */
  cwd?: string;
}

/** Removes ANSI color codes. */
export function stripAnsi(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}

/** Formats `text` as TypeScript with `deno fmt --ext ts -`. */
export async function formatTypeScript(
  text: string,
  options: FormatOptions = {},
): Promise<FormatResult> {
  const { cwd = Deno.cwd() } = options;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext", "ts", "-"],
    cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  if (code === 0) return { ok: true, text: new TextDecoder().decode(stdout) };
  const error = stripAnsi(new TextDecoder().decode(stderr));
  const line = /_stdin\.ts:(\d+):\d+/.exec(error)?.[1];
  return {
    ok: false,
    error: error.split("Stack backtrace")[0]!.trim(),
    line: line === undefined ? undefined : Number(line),
  };
}
