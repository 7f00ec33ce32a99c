/**
 * Connections to the platform database through mysql2: timestamps and
 * decimals as text (DATETIME is read as UTC), one statement per call.
 * @module
 */
import mysql from "mysql2/promise";
import type { Connection } from "mysql2/promise";
import { createPlatformSchema } from "./schema.ts";

/** Opens `url`, creating its database and tables first. */
export async function openPlatform(url: string): Promise<Connection> {
  const u = new URL(url);
  const base = {
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || "root"),
    password: decodeURIComponent(u.password),
    dateStrings: true,
    timezone: "Z",
    supportBigNumbers: true,
  } as const;
  const conn = await mysql.createConnection(base);
  try {
    await createPlatformSchema(conn, url);
  } catch (err) {
    await conn.end();
    throw err;
  }
  return conn;
}
