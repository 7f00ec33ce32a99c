/**
 * Raw landing: every successful response body, unmodified and
 * gzip-compressed, stored before it is parsed, with a sidecar of what was
 * asked and what came back, so a run can be replayed without the network.
 * The one modification: a body in which the provider echoed an API key (as
 * Alpha Vantage's rate-limit messages do) is stored with the key replaced
 * by `***`, flagged `redacted` in the sidecar.
 *
 * Layout: `<dataDir>/raw/<source>/<YYYY-MM-DD of fetch, UTC>/<slug>-<n>.json.gz`
 * and `<slug>-<n>.meta.json`, where `<slug>` is the partition name in
 * lowercase with runs of other characters as `-`, and `<n>` counts from 1
 * the bodies landed for that slug that day.
 * @module
 */
import { z } from "zod";
import { gunzip, gzip, sha256Hex } from "@pipeline/extract/http/gzip.ts";
import { redactUrl } from "@pipeline/extract/http/redact.ts";

/** Response headers kept in the sidecar; none of them carry secrets. */
export const LANDED_HEADERS: readonly string[] = [
  "age",
  "cache-control",
  "content-encoding",
  "content-length",
  "content-type",
  "date",
  "etag",
  "last-modified",
  "retry-after",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
];

/** The sidecar `.meta.json` of one landed body. */
export const LandedMetaSchema = z.object({
  /** The source (`alphavantage`). */
  source: z.string(),
  /** The partition name (`IBM 2026-11`). */
  partition: z.string(),
  /** What the parser needs besides the body: symbol, window, location. */
  params: z.record(z.string(), z.unknown()),
  /** The request URL, secrets removed. */
  url: z.string(),
  /** The HTTP status. */
  status: z.number().int(),
  /** The {@link LANDED_HEADERS} present, lowercase names. */
  headers: z.record(z.string(), z.string()),
  /** When the response arrived, ISO-8601 UTC. */
  fetched_at: z.string(),
  /** SHA-256 of the uncompressed body, hex. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Uncompressed body size in bytes. */
  bytes: z.number().int().nonnegative(),
  /** The body file's name, beside the sidecar. */
  body_file: z.string(),
  /**
   * True when the provider echoed a secret in the body and the stored body
   * has it replaced by `***` (then it is not byte-identical to what arrived;
   * `sha256` is of the stored body).
   */
  redacted: z.boolean().default(false),
});
/** The sidecar of one landed body. */
export type LandedMeta = z.infer<typeof LandedMetaSchema>;

/** A response to land. */
export interface LandEntry {
  /** The source. */
  source: string;
  /** The partition name. */
  partition: string;
  /** What the parser needs besides the body (JSON-serialisable, no secrets). */
  params: Record<string, unknown>;
  /** The request URL; secrets are removed again before writing. */
  url: string;
  /** The HTTP status. */
  status: number;
  /** The response headers; only {@link LANDED_HEADERS} are kept. */
  headers: Headers;
  /** The body exactly as received, or with echoed secrets replaced. */
  body: Uint8Array;
  /** Whether `body` had secrets replaced; default false. */
  redacted?: boolean | undefined;
  /** When the response arrived. */
  fetchedAt: Date;
}

/** A landed body and its sidecar. */
export interface LandedFile {
  /** Path of the `.json.gz` body. */
  bodyPath: string;
  /** Path of the `.meta.json` sidecar. */
  metaPath: string;
  /** The sidecar's content. */
  meta: LandedMeta;
  /** The fetch date folder, `YYYY-MM-DD`. */
  date: string;
  /** The `<n>` of the file name. */
  n: number;
}

/** Where responses are landed. */
export interface RawLanding {
  /** The data directory holding `raw/`. */
  readonly dataDir: string;
  /** Stores `entry` and returns where it went. */
  land(entry: LandEntry): Promise<LandedFile>;
}

/** `IBM 2026-11` → `ibm-2026-11`; `berlin 2026-11-01..2026-11-08` → `berlin-2026-11-01-2026-11-08`. */
export function partitionSlug(partition: string): string {
  const slug = partition.toLowerCase().replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return slug || "partition";
}

function join(...parts: string[]): string {
  return parts.join("/").replace(/\/+/g, "/");
}

/** The folder of one source's bodies fetched on `date`. */
function dayDir(dataDir: string, source: string, date: string): string {
  return join(dataDir, "raw", source, date);
}

/**
 * A {@link RawLanding} under `<dataDir>/raw/`. The body is written first
 * (its file name reserved with `createNew`, so concurrent runs never
 * overwrite each other), then the sidecar, atomically by rename: a body
 * without a sidecar is an interrupted write and is ignored on replay.
 */
export function rawLanding(options: { dataDir: string }): RawLanding {
  const { dataDir } = options;
  return {
    dataDir,
    async land(entry) {
      const date = entry.fetchedAt.toISOString().slice(0, 10);
      const dir = dayDir(dataDir, entry.source, date);
      await Deno.mkdir(dir, { recursive: true });
      const slug = partitionSlug(entry.partition);
      const compressed = await gzip(entry.body);
      let n = await nextNumber(dir, slug);
      let file: Deno.FsFile;
      for (;;) {
        try {
          file = await Deno.open(join(dir, `${slug}-${n}.json.gz`), {
            write: true,
            createNew: true,
          });
          break;
        } catch (err) {
          if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
          n++;
        }
      }
      const bodyFile = `${slug}-${n}.json.gz`;
      try {
        let written = 0;
        while (written < compressed.length) {
          written += await file.write(compressed.subarray(written));
        }
      } finally {
        file.close();
      }
      const headers: Record<string, string> = {};
      for (const name of LANDED_HEADERS) {
        const value = entry.headers.get(name);
        if (value !== null) headers[name] = value;
      }
      const meta: LandedMeta = {
        source: entry.source,
        partition: entry.partition,
        params: entry.params,
        url: redactUrl(entry.url),
        status: entry.status,
        headers,
        fetched_at: entry.fetchedAt.toISOString(),
        sha256: await sha256Hex(entry.body),
        bytes: entry.body.length,
        body_file: bodyFile,
        redacted: entry.redacted ?? false,
      };
      const metaPath = join(dir, `${slug}-${n}.meta.json`);
      await Deno.writeTextFile(
        `${metaPath}.tmp`,
        `${JSON.stringify(meta, null, 2)}\n`,
      );
      await Deno.rename(`${metaPath}.tmp`, metaPath);
      return { bodyPath: join(dir, bodyFile), metaPath, meta, date, n };
    },
  };
}

async function nextNumber(dir: string, slug: string): Promise<number> {
  let max = 0;
  const pattern = new RegExp(`^${slug}-(\\d+)\\.json\\.gz$`);
  for await (const e of Deno.readDir(dir)) {
    const m = pattern.exec(e.name);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}

/** Options of {@link listLanded}. */
export interface ListLandedOptions {
  /** The data directory holding `raw/`. */
  dataDir: string;
  /** The source folder to read. */
  source: string;
  /** Only this fetch date (`YYYY-MM-DD`); default every date. */
  date?: string | undefined;
}

/**
 * Every landed body of `source` (on `date`, if given) that has a valid
 * sidecar, ordered by date, then partition slug, then `n`. Returns `[]` if
 * nothing was landed. Throws if a sidecar is not valid JSON of the expected
 * shape, naming the file.
 */
export async function listLanded(
  options: ListLandedOptions,
): Promise<LandedFile[]> {
  const { dataDir, source, date } = options;
  const root = join(dataDir, "raw", source);
  let dates: string[];
  try {
    dates = date ? [date] : await sortedNames(root);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
  const out: LandedFile[] = [];
  for (const day of dates.filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d))) {
    let names: string[];
    try {
      names = await sortedNames(dayDir(dataDir, source, day));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) continue;
      throw err;
    }
    for (const name of names) {
      const m = /^(.*)-(\d+)\.meta\.json$/.exec(name);
      if (!m) continue;
      const metaPath = join(dataDir, "raw", source, day, name);
      let meta: LandedMeta;
      try {
        meta = LandedMetaSchema.parse(
          JSON.parse(await Deno.readTextFile(metaPath)),
        );
      } catch (err) {
        throw new Error(
          `invalid raw-landing sidecar ${metaPath}: ${
            err instanceof Error ? err.message : String(err)
          }`,
          { cause: err },
        );
      }
      out.push({
        bodyPath: join(dataDir, "raw", source, day, meta.body_file),
        metaPath,
        meta,
        date: day,
        n: Number(m[2]),
      });
    }
  }
  return out.sort((a, b) =>
    a.date.localeCompare(b.date) ||
    a.meta.partition.localeCompare(b.meta.partition) || a.n - b.n
  );
}

async function sortedNames(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

/**
 * The body of a landed file, decompressed, after checking it against the
 * sidecar's SHA-256. Throws naming the file if it is damaged.
 */
export async function readLandedBody(file: LandedFile): Promise<Uint8Array> {
  const body = await gunzip(await Deno.readFile(file.bodyPath));
  const sha = await sha256Hex(body);
  if (sha !== file.meta.sha256) {
    throw new Error(
      `raw body ${file.bodyPath} is damaged: sha256 ${sha} does not match the sidecar's ${file.meta.sha256}`,
    );
  }
  return body;
}
