/**
 * The interactive prompt's engine: lines in, output out. Statements may
 * span lines and end with `;`; lines starting with `.` are commands
 * (`.tables`, `.schema [table]`, `.format`, `.help`, `.quit`). The terminal
 * (history, line editing) is `@pipeline/query/terminal.ts`; tests feed
 * lines to {@link Repl.feed} directly.
 * @module
 */
import {
  formatCsv,
  formatJson,
  formatTable,
  type QueryResult,
} from "@pipeline/query/format.ts";
import { QueryError, type QuerySession } from "@pipeline/query/session.ts";
import { statementComplete } from "@pipeline/query/statements.ts";
import { errorMessage } from "@pipeline/errors.ts";

/** The formats the prompt prints in. */
const PROMPT_FORMATS = ["table", "csv", "json"] as const;
type PromptFormat = typeof PROMPT_FORMATS[number];

/** The text `.help` prints. */
export const REPL_HELP = `Type SQL ending with ; (it may span lines). Commands:
  .tables            the tables and views of the catalogue
  .schema [TABLE]    the columns of one table or view, or of all
  .format FORMAT     print results as table, csv or json
  .help              this text
  .quit              leave (also Ctrl-D)
`;

/** Options of {@link Repl}. */
export interface ReplOptions {
  session: QuerySession;
  /** Where output goes (results, messages). */
  write(text: string): void;
  /** The format results print in. Default `table`. */
  format?: PromptFormat;
}

/** The prompt's state between lines. */
export class Repl {
  readonly #session: QuerySession;
  readonly #write: (text: string) => void;
  #format: PromptFormat;
  #pending: string[] = [];

  constructor(options: ReplOptions) {
    this.#session = options.session;
    this.#write = options.write;
    this.#format = options.format ?? "table";
  }

  /** The prompt to show before the next line. */
  get prompt(): string {
    return this.#pending.length > 0 ? "   ...> " : "sluice> ";
  }

  /** Whether a statement has been started and not ended. */
  get pending(): boolean {
    return this.#pending.length > 0;
  }

  /** Forgets a statement started and not ended (Ctrl-C). */
  cancel(): void {
    this.#pending = [];
  }

  /**
   * Takes one line: runs a command, or adds to the statement and runs it
   * when the line ends it. Errors print and the prompt goes on.
   *
   * @returns False when the line asked to leave.
   */
  async feed(line: string): Promise<boolean> {
    const trimmed = line.trim();
    if (this.#pending.length === 0) {
      if (trimmed === "") return true;
      if (trimmed.startsWith(".")) return await this.#command(trimmed);
    }
    this.#pending.push(line);
    const text = this.#pending.join("\n");
    if (!statementComplete(text)) return true;
    this.#pending = [];
    await this.#guard(async () => {
      for (const result of await this.#session.run(text)) this.#print(result);
    });
    return true;
  }

  #print(result: QueryResult): void {
    const zone = this.#session.timeZone;
    this.#write(
      this.#format === "csv"
        ? formatCsv(result, zone)
        : this.#format === "json"
        ? formatJson(result, zone)
        : formatTable(result, zone),
    );
  }

  async #guard(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (!(err instanceof QueryError)) throw err;
      this.#write(`error: ${errorMessage(err)}\n`);
    }
  }

  async #command(line: string): Promise<boolean> {
    const [name, ...args] = line.split(/\s+/);
    switch (name) {
      case ".quit":
      case ".exit":
        return false;
      case ".help":
        this.#write(REPL_HELP);
        return true;
      case ".tables":
        await this.#guard(async () =>
          this.#print(await this.#session.tables())
        );
        return true;
      case ".schema":
        await this.#guard(async () =>
          this.#print(await this.#session.schema(args[0]))
        );
        return true;
      case ".format": {
        const format = PROMPT_FORMATS.find((f) => f === args[0]);
        if (format) this.#format = format;
        else {
          this.#write(
            `error: .format takes one of ${PROMPT_FORMATS.join(", ")}\n`,
          );
        }
        return true;
      }
      default:
        this.#write(`error: unknown command ${name}; .help lists them\n`);
        return true;
    }
  }
}
