/**
 * `--from-raw`: a source that rebuilds raw frames from landed bodies with
 * the same pure parsers, without any network.
 * @module
 */
import { EtlError } from "@pipeline/errors.ts";
import { bodyExcerpt } from "@pipeline/extract/http/client.ts";
import {
  ExtractError,
  ResponseProblem,
} from "@pipeline/extract/http/extract_error.ts";
import type { RawFormat } from "@pipeline/extract/http/raw_format.ts";
import {
  RAW_FORMATS,
  type RawSourceName,
} from "@pipeline/extract/http/raw_formats.ts";
import {
  type LandedFile,
  type LandedMeta,
  listLanded,
  readLandedBody,
} from "@pipeline/extract/http/raw_landing.ts";
import type { Source, SourcePartition } from "@pipeline/extract/source.ts";

/** Options of {@link rawLandingSource}. */
export interface RawLandingSourceOptions {
  /** The data directory holding `raw/`. */
  dataDir: string;
  /** The source to replay, by name or as its {@link RawFormat}. */
  source: RawSourceName | RawFormat;
  /** Only bodies fetched on this UTC date (`YYYY-MM-DD`); default every date. */
  date?: string | undefined;
  /** Keeps only partitions whose landed sidecar passes; default all. */
  include?: ((meta: LandedMeta) => boolean) | undefined;
}

/**
 * A {@link Source} replaying landed bodies: one partition per landed
 * partition name (sorted), whose `extract()` parses its newest landed body
 * (latest date, then highest `<n>`) that parses, falling back to older ones,
 * so a rate-limit note landed after a good body of the same day does not
 * hide it. If none parses it throws an `ExtractError` with the newest
 * body's problem (not transient: replaying again gives the same). A body
 * whose SHA-256 does not match its sidecar is a `landing` error.
 *
 * Only bodies the format `accepts` (by their landed params) are replayed:
 * another endpoint of the same source landed in the same folder is not
 * this format's.
 *
 * Throws an `EtlError` (stage `extract`) if nothing was landed for the
 * source (and date) that the format accepts.
 *
 * @example
 * ```ts
 * import { rawLandingSource } from "@pipeline/extract/http/raw_source.ts";
 * const source = await rawLandingSource({ dataDir: "data", source: "alphavantage" });
 * for (const p of source.partitions()) await p.extract();
 * ```
 */
export async function rawLandingSource(
  options: RawLandingSourceOptions,
): Promise<Source> {
  const { dataDir, date, include = () => true } = options;
  const format = typeof options.source === "string"
    ? RAW_FORMATS[options.source]
    : options.source;
  if (!format) {
    throw new EtlError(
      `unknown raw source "${String(options.source)}": expected one of ${
        Object.keys(RAW_FORMATS).join(", ")
      }`,
      { stage: "config" },
    );
  }
  const accepts = format.accepts?.bind(format) ?? (() => true);
  const landed = (await listLanded({ dataDir, source: format.source, date }))
    .filter((f) => accepts(f.meta.params) && include(f.meta));
  if (landed.length === 0) {
    throw new EtlError(
      `${format.source}: nothing landed under ${dataDir}/raw/${format.source}${
        date ? `/${date}` : ""
      } to replay`,
      { stage: "extract" },
    );
  }
  const byPartition = new Map<string, LandedFile[]>();
  for (const file of landed) {
    const list = byPartition.get(file.meta.partition) ?? [];
    list.push(file);
    byPartition.set(file.meta.partition, list);
  }
  const partitions: SourcePartition[] = [...byPartition.keys()].sort().map(
    (name) => {
      const files = (byPartition.get(name) ?? []).slice().sort((a, b) =>
        b.date.localeCompare(a.date) || b.n - a.n
      );
      const params = files[0]?.meta.params ?? {};
      const entity = typeof params.symbol === "string"
        ? params.symbol
        : typeof params.location === "string"
        ? params.location
        : undefined;
      return {
        name,
        ...(entity ? { entity } : {}),
        extract: () => replay(format, name, files),
      };
    },
  );
  return {
    name: format.source,
    dataset: format.dataset,
    partitions: () => [...partitions],
  };
}

async function replay(
  format: RawFormat,
  partition: string,
  newestFirst: LandedFile[],
) {
  let first: ExtractError | undefined;
  for (const file of newestFirst) {
    let text: string;
    try {
      text = new TextDecoder().decode(await readLandedBody(file));
    } catch (err) {
      throw new ExtractError(
        `cannot replay ${file.bodyPath}: ${
          err instanceof Error ? err.message : String(err)
        }`,
        {
          source: format.source,
          partition,
          kind: "landing",
          url: file.meta.url,
          status: file.meta.status,
          transient: false,
          cause: err,
        },
      );
    }
    try {
      return format.parse({ body: text, params: file.meta.params, partition });
    } catch (err) {
      const problem = err instanceof ResponseProblem ? err : undefined;
      first ??= new ExtractError(
        `replaying ${file.bodyPath}: ${
          err instanceof Error ? err.message : String(err)
        }`,
        {
          source: format.source,
          partition,
          kind: problem?.kind ?? "schema",
          url: file.meta.url,
          status: file.meta.status,
          bodyExcerpt: bodyExcerpt(text),
          transient: false,
          cause: err,
        },
      );
    }
  }
  throw first ?? new Error(`no landed body for ${partition}`);
}
