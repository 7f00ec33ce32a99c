/**
 * The lake's debt at the command line: what a payment wrote, as lines, and
 * the payment that commands working on the warehouse and the lake
 * (`backfill`, `retention`, `diff`) make before their own work.
 * @module
 */
import type { SqlClient } from "@pipeline/load/client.ts";
import { migrateToLatest } from "@pipeline/load/migrate.ts";
import { DATASETS, lakeTables } from "@pipeline/datasets/mod.ts";
import type { LakeDebtPayment } from "@pipeline/snapshot/pay.ts";
import { errorMessage } from "@pipeline/errors.ts";
import type { Logger } from "@pipeline/ops/logging.ts";

/** One line per table of what a payment of the lake's debt wrote. */
export function formatPayment(paid: LakeDebtPayment): string {
  const lines = [
    `lake debt: ${paid.paid} of ${paid.owed} partitions paid${
      paid.duckdbPath ? ` -> ${paid.duckdbPath}` : ""
    }`,
    ...paid.tables.map((t) =>
      `  ${t.name}: ${t.files.length} files, ${t.rows} rows`
    ),
  ];
  if (paid.leftovers.length > 0) {
    lines.push(`  removed ${paid.leftovers.length} staging leftovers`);
  }
  if (paid.unknown.length > 0) {
    lines.push(
      `  left owed, no dataset declares the table: ${
        paid.unknown.map((d) => `${d.table} ${d.partition}`).join(", ")
      }`,
    );
  }
  return lines.join("\n");
}

/** Migrates, then pays every lake partition owed. */
export async function payDebt(
  client: SqlClient,
  dataDir: string,
): Promise<LakeDebtPayment> {
  await migrateToLatest(client);
  // Loaded here (DuckDB): commands that owe nothing never load it.
  const { payLakeDebt } = await import("@pipeline/snapshot/pay.ts");
  return await payLakeDebt(client, { dataDir, tables: lakeTables(DATASETS) });
}

/**
 * Pays the lake's debt before a command's own work. A failure is logged,
 * not fatal: the debt stays recorded and the next command pays it.
 */
export async function payDebtFirst(
  client: SqlClient,
  options: { dataDir: string; logger: Logger },
): Promise<void> {
  try {
    const paid = await payDebt(client, options.dataDir);
    if (paid.owed > 0) options.logger.info(formatPayment(paid));
  } catch (err) {
    options.logger.warn(
      `lake debt not paid (it stays recorded; the next command retries): ${
        errorMessage(err)
      }`,
    );
  }
}
