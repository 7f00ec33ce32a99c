/**
 * The interactive prompt on a terminal: line editing and history
 * (`node:readline`), the history kept in a file between sessions.
 * @module
 */
import { createInterface } from "node:readline";
import process from "node:process";
import { Repl } from "@pipeline/query/repl.ts";
import type { QuerySession } from "@pipeline/query/session.ts";

/** Lines of history kept. */
const HISTORY_SIZE = 1000;

/** The history file's lines, newest first (readline's order). */
async function readHistory(path: string): Promise<string[]> {
  try {
    const lines = (await Deno.readTextFile(path)).split("\n").filter((l) =>
      l.trim() !== ""
    );
    return lines.slice(-HISTORY_SIZE).reverse();
  } catch {
    return [];
  }
}

/** Options of {@link interactive}. */
export interface InteractiveOptions {
  session: QuerySession;
  /** The history file; a file that cannot be written keeps no history. */
  historyPath: string;
}

/**
 * Runs the prompt on the process's terminal until `.quit` or Ctrl-D.
 * Ctrl-C drops a statement being typed, or leaves on an empty prompt.
 */
export async function interactive(options: InteractiveOptions): Promise<void> {
  const { session, historyPath } = options;
  const write = (text: string) => {
    process.stdout.write(text);
  };
  const repl = new Repl({ session, write });
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: true,
    history: await readHistory(historyPath),
    historySize: HISTORY_SIZE,
    prompt: repl.prompt,
  });
  rl.on("SIGINT", () => {
    if (!repl.pending) return rl.close();
    repl.cancel();
    write("^C\n");
    rl.setPrompt(repl.prompt);
    rl.prompt();
  });
  write(
    `${session.path} (read-only; timestamps in ${session.timeZone})\n.help for help, .quit to leave\n`,
  );
  rl.prompt();
  try {
    for await (const line of rl) {
      if (line.trim() !== "") {
        await Deno.writeTextFile(historyPath, `${line}\n`, { append: true })
          .catch(() => {});
      }
      if (!(await repl.feed(line))) break;
      rl.setPrompt(repl.prompt);
      rl.prompt();
    }
  } finally {
    rl.close();
  }
}
