/**
 * Help text generated from the declarations: the program's command list and
 * each command's usage, description, arguments, flags and exit statuses.
 * @module
 */
import type { Command } from "@pipeline/cli/command.ts";
import { type Flag, flagSynopsis, shownDefault } from "@pipeline/cli/flag.ts";
import type { Program } from "@pipeline/cli/program.ts";

/** Width help is wrapped to. */
const WIDTH = 78;
/** Column where a flag's (or an argument's) description starts. */
const FLAG_COLUMN = 24;
/** Column where a command's summary starts in the command list. */
const COMMAND_COLUMN = 12;

/** Words of `text` in lines of at most `width` characters. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * `head` indented by two, then `text` wrapped from `column`; a head too wide
 * for the column gets a line of its own.
 */
function entry(head: string, text: string, column = FLAG_COLUMN): string {
  const body = wrap(text, WIDTH - column);
  const pad = " ".repeat(column);
  const first = `  ${head}`;
  if (first.length >= column) {
    return [first, ...body.map((l) => pad + l)].join("\n");
  }
  return [
    first.padEnd(column) + (body[0] ?? ""),
    ...body.slice(1).map((l) => pad + l),
  ].join("\n");
}

/** A flag's description: its choices, its help and its default. */
export function flagDescription(flag: Flag): string {
  const choices = flag.choices ? `${flag.choices.join(" | ")}: ` : "";
  const def = shownDefault(flag);
  return `${choices}${flag.help}${
    def === undefined ? "" : ` (default ${def})`
  }`;
}

/** The help of `command` in `program`. */
export function commandHelp(program: Program, command: Command): string {
  const parts = [`${command.usage}`, command.description.trim()];
  if (command.positionals?.length) {
    parts.push(
      [
        "Arguments:",
        ...command.positionals.map((p) => entry(p.name, p.help)),
      ].join("\n"),
    );
  }
  for (const group of [...command.flags, program.common]) {
    parts.push(
      [
        `${group.title}:`,
        ...group.flags.map((f) => entry(flagSynopsis(f), flagDescription(f))),
      ].join("\n"),
    );
  }
  if (command.notes) parts.push(command.notes.trim());
  parts.push(
    wrap(
      `Exit status: ${command.exit.map(([n, s]) => `${n} ${s}`).join(", ")}.`,
      WIDTH,
    ).join("\n"),
  );
  return `${parts.join("\n\n")}\n`;
}

/** The help of the program: usage, the commands, how to get more help. */
export function programHelp(program: Program): string {
  const commands = [
    ...program.commands.map((c) => [c.name, c.summary] as const),
    [
      "help",
      `show help for a command: ${program.invocation} help ${program.defaultCommand}`,
    ] as const,
  ];
  const parts = [
    `${program.title}\n\nUsage: ${program.invocation} [COMMAND] [FLAGS]`,
    [
      "Commands:",
      ...commands.map(([name, summary]) =>
        entry(name, summary, COMMAND_COLUMN)
      ),
    ].join("\n"),
    `Run '${program.invocation} COMMAND --help' for the flags of a command.`,
  ];
  if (program.epilogue) parts.push(program.epilogue.trim());
  return `${parts.join("\n\n")}\n`;
}
