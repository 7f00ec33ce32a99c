/**
 * `deno task platform generate|tick`: the simulated trading platform in
 * MariaDB/MySQL that `deno task etl --source mysql` captures.
 *
 * ```sh
 * deno task platform generate [--mysql-url URL] [--seed N] [--days D] [--as-of T] [--orders-per-day N]
 * deno task platform tick [--mysql-url URL] [--rate N] [--seconds S]
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { DEFAULT_MYSQL_URL } from "./schema.ts";
import { openPlatform } from "./connect.ts";
import { generate, type GenerateReport, tick } from "./simulate.ts";

const USAGE = `usage:
  deno task platform generate [--mysql-url URL] [--seed N] [--days D] [--as-of T] [--orders-per-day N]
      D days of activity ending at T (default now), continuing from the database's state
  deno task platform tick [--mysql-url URL] [--seed N] [--rate N] [--seconds S]
      live activity: N orders per second (default 5), for S seconds (default until Ctrl-C)
MYSQL_URL also sets the database; default ${DEFAULT_MYSQL_URL}`;

function positive(name: string, text: string, integer = true): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new Error(
      `--${name} must be a positive ${
        integer ? "integer" : "number"
      }, got "${text}"`,
    );
  }
  return n;
}

function describe(r: GenerateReport): string {
  const counts = Object.entries(r.counts).sort().map(([k, v]) => `${k} ${v}`)
    .join(", ");
  return `applied ${r.applied} actions (${
    counts || "none"
  }); pending ${r.pending}`;
}

/** Runs the command line; returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        "mysql-url": { type: "string" },
        seed: { type: "string", default: "7" },
        days: { type: "string", default: "3" },
        "as-of": { type: "string" },
        "orders-per-day": { type: "string", default: "400" },
        rate: { type: "string", default: "5" },
        seconds: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    console.error(`error: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || command === undefined) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const url = values["mysql-url"] ?? Deno.env.get("MYSQL_URL") ??
    DEFAULT_MYSQL_URL;
  let seed: number, days: number, ordersPerDay: number, rate: number;
  let asOf: Date, seconds: number | undefined;
  try {
    seed = Math.trunc(Number(values.seed));
    if (!Number.isSafeInteger(seed)) {
      throw new Error(`--seed must be an integer`);
    }
    days = positive("days", values.days);
    ordersPerDay = positive("orders-per-day", values["orders-per-day"]);
    rate = positive("rate", values.rate, false);
    seconds = values.seconds === undefined
      ? undefined
      : positive("seconds", values.seconds, false);
    asOf = values["as-of"] === undefined
      ? new Date()
      : new Date(values["as-of"]);
    if (Number.isNaN(asOf.getTime())) {
      throw new Error(
        `--as-of must be an ISO-8601 time, got "${values["as-of"]}"`,
      );
    }
  } catch (err) {
    console.error(`error: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (command !== "generate" && command !== "tick") {
    console.error(`error: unknown command "${command}"\n${USAGE}`);
    return 2;
  }
  let conn;
  try {
    conn = await openPlatform(url);
  } catch (err) {
    console.error(
      `platform: cannot open ${url.replace(/:[^:@/]*@/, ":***@")}: ${
        (err as Error).message
      } (is MariaDB running? retry when it is)`,
    );
    return 1;
  }
  try {
    if (command === "generate") {
      const r = await generate(conn, {
        seed,
        until: asOf,
        days,
        ordersPerDay,
        log: (l) => console.error(l),
      });
      console.error(
        `platform: generated ${
          r.days.length ? r.days.join(", ") : "no new day"
        } up to ${asOf.toISOString()}: ${describe(r)}`,
      );
      return 0;
    }
    let stop = false;
    const onSignal = () => stop = true;
    Deno.addSignalListener("SIGINT", onSignal);
    const end = seconds === undefined ? Infinity : Date.now() + seconds * 1000;
    let since = new Date();
    while (!stop && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 1000));
      const until = new Date();
      const r = await tick(conn, { seed, since, until, rate });
      console.error(`platform tick ${until.toISOString()}: ${describe(r)}`);
      since = until;
    }
    Deno.removeSignalListener("SIGINT", onSignal);
    return 0;
  } catch (err) {
    console.error(`${(err as Error).message}`);
    return 1;
  } finally {
    await conn.end();
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
