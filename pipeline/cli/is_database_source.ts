/**
 * Whether a command line asks for an operational-database source
 * (`--source mysql|postgres`), which has a command line of its own
 * (`./database_source.ts`). Apart from it so that every other command line
 * is told without loading the database source's engine.
 * @module
 */

/** The `--source` values the database source serves. */
export const DATABASE_SOURCES = ["mysql", "postgres"] as const;

/** Whether `argv` asks for a database source (`--source mysql`). */
export function isDatabaseSource(argv: readonly string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = a === "--source"
      ? argv[i + 1]
      : a.startsWith("--source=")
      ? a.slice("--source=".length)
      : undefined;
    if (v !== undefined) {
      return (DATABASE_SOURCES as readonly string[]).includes(v);
    }
  }
  return false;
}
