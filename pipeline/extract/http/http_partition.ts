/**
 * A partition fetched over HTTP: one request, landed raw, parsed by the
 * source's pure parser.
 * @module
 */
import type { HttpClient } from "@pipeline/extract/http/client.ts";
import type { RawFormat } from "@pipeline/extract/http/raw_format.ts";
import type { RawLanding } from "@pipeline/extract/http/raw_landing.ts";
import type { SourcePartition } from "@pipeline/extract/source.ts";

/** Options of {@link httpPartition}. */
export interface HttpPartitionOptions {
  /** The partition name. */
  name: string;
  /** The request URL, secrets included (they never leave the client). */
  url: URL;
  /** What the parser needs besides the body; landed with it, so no secrets. */
  params: Record<string, unknown>;
  /** The source's client (limiter, retries). */
  client: HttpClient;
  /** The source's parser. */
  format: RawFormat;
  /** Where to land each 2xx body before parsing; default nowhere. */
  rawLanding?: RawLanding | undefined;
}

/**
 * A {@link SourcePartition} whose `extract()` GETs `url` with `client`, lands
 * every 2xx body (an echoed key replaced by `***`), and returns `format.parse()` of the first body that is not
 * a retryable problem. Throws an `ExtractError` naming this partition.
 */
export function httpPartition(options: HttpPartitionOptions): SourcePartition {
  const { name, url, params, client, format, rawLanding } = options;
  return {
    name,
    extract(signal) {
      return client.get(url, {
        partition: name,
        signal,
        land: rawLanding
          ? async (body) => {
            const clean = client.redactSecrets(body.text);
            const redacted = clean !== body.text;
            await rawLanding.land({
              source: format.source,
              partition: name,
              params,
              url: body.url,
              status: body.status,
              headers: body.headers,
              body: redacted ? new TextEncoder().encode(clean) : body.bytes,
              redacted,
              fetchedAt: body.fetchedAt,
            });
          }
          : undefined,
        interpret: (body) =>
          format.parse({ body: body.text, params, partition: name }),
      });
    },
  };
}
