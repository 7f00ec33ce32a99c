/**
 * A separate process holding a DuckDB catalogue open read-write, as a
 * DuckDB shell or a notebook does.
 */
import { dirname } from "node:path";

/**
 * A separate process holding the catalogue open read-write (as a DuckDB
 * shell does): each line written to it runs as a query on its connection
 * and it answers with the JSON rows.
 */
export async function withHolder(
  dbPath: string,
  fn: (ask: (sql: string) => Promise<unknown>) => Promise<void>,
): Promise<void> {
  const holder = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      "--config",
      new URL("../../deno.json", import.meta.url).pathname,
      `import { DuckDBInstance } from "@duckdb/node-api";
       const db = await DuckDBInstance.create(${JSON.stringify(dbPath)});
       const conn = await db.connect();
       await conn.run("SET file_search_path = '${dirname(dbPath)}'");
       console.log("[]");
       let buf = "";
       for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
         buf += chunk;
         let i;
         while ((i = buf.indexOf("\\n")) >= 0) {
           const sql = buf.slice(0, i);
           buf = buf.slice(i + 1);
           const rows = (await conn.runAndReadAll(sql)).getRowObjectsJson();
           console.log(JSON.stringify(rows));
         }
       }
       conn.closeSync();
       db.closeSync();`,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = holder.stdout.pipeThrough(new TextDecoderStream())
    .getReader();
  const writer = holder.stdin.getWriter();
  let pending = "";
  const nextLine = async () => {
    while (!pending.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) throw new Error("the holder exited");
      pending += value;
    }
    const i = pending.indexOf("\n");
    const line = pending.slice(0, i);
    pending = pending.slice(i + 1);
    return JSON.parse(line);
  };
  try {
    await nextLine(); // opened
    await fn(async (sql) => {
      await writer.write(new TextEncoder().encode(`${sql}\n`));
      return await nextLine();
    });
  } finally {
    await writer.close();
    await lines.cancel();
    await holder.status;
  }
}
