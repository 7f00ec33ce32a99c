/**
 * The `deno task etl` entry point: parses the command line against the
 * declared commands (pipeline/cli/), validates the run configuration once,
 * runs the command and exits with its status.
 * @module
 */
import { parseRunConfig, type RunConfig } from "@pipeline/config.ts";
import { errorMessage } from "@pipeline/errors.ts";
import type { LogFormat } from "@pipeline/ops/logging.ts";
import { type CommandLine, parseCommandLine } from "@pipeline/cli/parse.ts";
import { commandHelp, programHelp } from "@pipeline/cli/help.ts";
import { commandNamed, type Program } from "@pipeline/cli/program.ts";
import { createRuntime } from "@pipeline/cli/runtime.ts";
import { EXIT } from "@pipeline/cli/exit.ts";
import { ETL } from "@pipeline/cli/etl.ts";
import { isDatabaseSource } from "@pipeline/cli/is_database_source.ts";

/** The help `deno task etl [help] [COMMAND] --help` prints. */
export function helpText(program: Program, line: CommandLine): string {
  if (line.command) return commandHelp(program, line.command);
  const main = commandNamed(program, program.defaultCommand);
  return main
    ? `${programHelp(program)}\n${commandHelp(program, main)}`
    : programHelp(program);
}

/** Runs the CLI; returns the exit status. */
export async function main(
  argv: string[],
  program: Program = ETL,
): Promise<number> {
  // An operational database is captured table by table, not as one
  // dataset's batch: its own command line (pipeline/cli/database_source.ts).
  if (program === ETL && isDatabaseSource(argv)) {
    const { runDatabaseSource } = await import(
      "@pipeline/cli/database_source.ts"
    );
    return await runDatabaseSource(argv);
  }
  let line: CommandLine;
  try {
    line = parseCommandLine(argv, program);
  } catch (err) {
    console.error(
      `error: ${
        errorMessage(err)
      }\nRun '${program.invocation} --help' for the commands, '${program.invocation} COMMAND --help' for their flags.`,
    );
    return EXIT.usage;
  }
  if (line.help || !line.command) {
    console.log(helpText(program, line));
    return EXIT.ok;
  }
  for (const warning of line.warnings) console.error(warning);
  let config: RunConfig;
  try {
    config = parseRunConfig(line.settings.config);
  } catch (err) {
    console.error(`error: ${errorMessage(err)}`);
    return EXIT.usage;
  }
  return await line.command.run({
    config,
    options: line.settings.options,
    schedule: line.settings.schedule,
    positionals: line.positionals,
    runArgs: line.runArgs,
    runtime: createRuntime(
      config,
      line.settings.options.logFormat as LogFormat,
      { json: line.settings.options.json === true },
    ),
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
