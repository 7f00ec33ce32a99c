/**
 * The warehouse page: the warehouse in use (password redacted), the lake's
 * tables with their partitions, files and rows, the operations tables'
 * row counts, the watermarks and the lake debt still owed.
 * @module
 */
import { OPS_TABLES } from "@pipeline/snapshot/ops_tables.ts";
import { requireRelation, withCatalog } from "@pipeline/serve/catalog.ts";
import { escapeHtml, htmlTable, layout } from "@pipeline/serve/html.ts";
import type { PageRequest } from "@pipeline/serve/request.ts";

/** The warehouse page. */
export async function warehousePage(request: PageRequest): Promise<string> {
  return await withCatalog(request.dataDir, async (reader) => {
    await requireRelation(reader, "lake_files", "lake");
    const lake = await reader.rows(
      `SELECT table_name, count(DISTINCT date)::INTEGER AS partitions,
              count(*)::INTEGER AS files, sum(rows)::DOUBLE AS rows,
              strftime(min(date), '%Y-%m-%d') AS first_partition,
              strftime(max(date), '%Y-%m-%d') AS last_partition,
              strftime(max(snapshot_at), '%Y-%m-%d %H:%M:%S') AS snapshot_at
       FROM lake_files GROUP BY ALL ORDER BY table_name`,
    );
    const ops: Record<string, unknown>[] = [];
    for (const table of OPS_TABLES) {
      if (!await reader.has(table)) continue;
      // The name comes from the fixed OPS_TABLES list, never from the URL.
      const [row] = await reader.rows(
        `SELECT count(*)::DOUBLE AS rows FROM "${table}"`,
      );
      ops.push({ table_name: table, rows: row?.rows ?? 0 });
    }
    const watermarks = await reader.has("etl_watermarks")
      ? await reader.rows(
        `SELECT dataset, source, partition, cursor_column,
                strftime(watermark, '%Y-%m-%d %H:%M:%S') AS watermark,
                strftime(updated_at, '%Y-%m-%d %H:%M:%S') AS updated_at
         FROM etl_watermarks ORDER BY dataset, source, partition`,
      )
      : [];
    const debt = await reader.has("etl_lake_debt")
      ? await reader.rows(
        `SELECT table_name, partition, load_id,
                strftime(recorded_at, '%Y-%m-%d %H:%M:%S') AS recorded_at
         FROM etl_lake_debt ORDER BY table_name, partition`,
      )
      : [];
    const body = `<section id="warehouse" data-live-part>
<p class="summary">Warehouse: <code>${
      escapeHtml(request.warehouse)
    }</code>. The tables below are read from the snapshot's catalogue, as the last run left it.</p>
<h2>Lake tables</h2>
${
      htmlTable(lake, [
        ["table_name", "table"],
        ["partitions", "partitions"],
        ["files", "files"],
        ["rows", "rows"],
        ["first_partition", "first"],
        ["last_partition", "last"],
        ["snapshot_at", "snapshot (UTC)"],
      ])
    }
<h2>Lake debt</h2>
<p class="hint">Partitions a load made stale that no snapshot has rewritten yet.</p>
${
      htmlTable(debt, [["table_name", "table"], ["partition", "partition"], [
        "load_id",
        "load",
      ], ["recorded_at", "recorded (UTC)"]])
    }
<h2>Watermarks</h2>
${
      htmlTable(watermarks, [
        ["dataset", "dataset"],
        ["source", "source"],
        ["partition", "partition"],
        ["cursor_column", "column"],
        ["watermark", "watermark (UTC)"],
        ["updated_at", "updated (UTC)"],
      ])
    }
<h2>Operations tables</h2>
${htmlTable(ops, [["table_name", "table"], ["rows", "rows"]])}
</section>`;
    return layout({ title: "Warehouse", active: "/warehouse", body });
  });
}
