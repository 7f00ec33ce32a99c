/**
 * The commands of `deno task etl`, in the order help lists them. Adding a
 * command is one module in this folder and one line here.
 * @module
 */
import type { Command } from "@pipeline/cli/command.ts";
import { runCommand } from "@pipeline/cli/commands/run.ts";
import { scheduleCommand } from "@pipeline/cli/commands/schedule.ts";
import { statusCommand } from "@pipeline/cli/commands/status.ts";
import { backfillCommand } from "@pipeline/cli/commands/backfill.ts";
import { resetCommand } from "@pipeline/cli/commands/reset.ts";
import { migrateCommand } from "@pipeline/cli/commands/migrate.ts";
import { retentionCommand } from "@pipeline/cli/commands/retention.ts";
import { diffCommand } from "@pipeline/cli/commands/diff.ts";
import { snapshotCommand } from "@pipeline/cli/commands/snapshot.ts";
import { queryCommand } from "@pipeline/cli/commands/query.ts";
import { produceCommand } from "@pipeline/cli/commands/produce.ts";
import { streamCommand } from "@pipeline/cli/commands/stream.ts";
import { validateStreamCommand } from "@pipeline/cli/commands/validate_stream.ts";
import { serveCommand } from "@pipeline/cli/commands/serve.ts";

export { runCommand } from "@pipeline/cli/commands/run.ts";
export { scheduleCommand } from "@pipeline/cli/commands/schedule.ts";
export { statusCommand } from "@pipeline/cli/commands/status.ts";
export { backfillCommand } from "@pipeline/cli/commands/backfill.ts";
export { resetCommand } from "@pipeline/cli/commands/reset.ts";
export { migrateCommand } from "@pipeline/cli/commands/migrate.ts";
export { retentionCommand } from "@pipeline/cli/commands/retention.ts";
export { diffCommand } from "@pipeline/cli/commands/diff.ts";
export { snapshotCommand } from "@pipeline/cli/commands/snapshot.ts";
export { queryCommand } from "@pipeline/cli/commands/query.ts";
export { produceCommand } from "@pipeline/cli/commands/produce.ts";
export { streamCommand } from "@pipeline/cli/commands/stream.ts";
export { validateStreamCommand } from "@pipeline/cli/commands/validate_stream.ts";
export { serveCommand } from "@pipeline/cli/commands/serve.ts";

/** Every command of `deno task etl`. */
export const COMMANDS: readonly Command[] = [
  runCommand,
  scheduleCommand,
  statusCommand,
  backfillCommand,
  resetCommand,
  migrateCommand,
  retentionCommand,
  diffCommand,
  snapshotCommand,
  queryCommand,
  produceCommand,
  streamCommand,
  validateStreamCommand,
  serveCommand,
];
