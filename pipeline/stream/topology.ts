/**
 * The NATS subjects and JetStream streams of live ingestion, derived from
 * one subject prefix (`sluice`) and one stream prefix (`SLUICE`), so that
 * tests (and a second deployment on one server) get their own:
 *
 * | subject                     | stream              | what                               |
 * | --------------------------- | ------------------- | ---------------------------------- |
 * | `sluice.raw.<dataset>`      | `SLUICE_RAW`        | one JSON record per message        |
 * | `sluice.valid.<dataset>`    | `SLUICE_VALID`      | records the validator passed       |
 * | `sluice.quarantine.<ds>`    | `SLUICE_QUARANTINE` | rejected records with their reason |
 * | `sluice.events.loaded`      | (core NATS)         | one notice per committed batch     |
 * @module
 */
import { z } from "zod";

/** Names of one deployment's subjects and streams. */
export interface StreamTopology {
  /** The subject prefix (`sluice`). */
  readonly prefix: string;
  /** The stream name prefix (`SLUICE`). */
  readonly streamPrefix: string;
  /** The stream of raw records (`SLUICE_RAW`). */
  readonly rawStream: string;
  /** The stream of validated records (`SLUICE_VALID`). */
  readonly validStream: string;
  /** The stream of rejected records (`SLUICE_QUARANTINE`). */
  readonly quarantineStream: string;
  /** `<prefix>.raw.<dataset>`. */
  raw(dataset: string): string;
  /** `<prefix>.valid.<dataset>`. */
  valid(dataset: string): string;
  /** `<prefix>.quarantine.<dataset>`. */
  quarantine(dataset: string): string;
  /** `<prefix>.events.loaded`. */
  readonly loaded: string;
  /**
   * The dataset a subject of `kind` names (`sluice.raw.bars` → `bars`), or
   * null when the subject is not one of them.
   */
  datasetOf(subject: string, kind: "raw" | "valid"): string | null;
}

/** A subject token: letters, digits, `_` and `-` (no `.`, `*`, `>`). */
export const SubjectTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, {
  message: "expected letters, digits, _ or - (1 to 64)",
});

/** A JetStream stream name prefix: upper-case letters, digits and `_`. */
export const StreamPrefixSchema = z.string().regex(/^[A-Z0-9_]{1,48}$/, {
  message: "expected upper-case letters, digits or _ (1 to 48)",
});

/** The defaults: subjects `sluice.*`, streams `SLUICE_*`. */
export const DEFAULT_TOPOLOGY_NAMES = {
  prefix: "sluice",
  streamPrefix: "SLUICE",
} as const;

/**
 * The topology of `prefix` and `streamPrefix` (validated: throws a
 * `ZodError` naming the bad one).
 *
 * @example
 * ```ts
 * import { streamTopology } from "@pipeline/stream/topology.ts";
 * streamTopology().raw("bars"); // "sluice.raw.bars"
 * ```
 */
export function streamTopology(
  options: { prefix?: string; streamPrefix?: string } = {},
): StreamTopology {
  const prefix = SubjectTokenSchema.parse(
    options.prefix ?? DEFAULT_TOPOLOGY_NAMES.prefix,
  );
  const streamPrefix = StreamPrefixSchema.parse(
    options.streamPrefix ?? DEFAULT_TOPOLOGY_NAMES.streamPrefix,
  );
  const token = (dataset: string) => SubjectTokenSchema.parse(dataset);
  return {
    prefix,
    streamPrefix,
    rawStream: `${streamPrefix}_RAW`,
    validStream: `${streamPrefix}_VALID`,
    quarantineStream: `${streamPrefix}_QUARANTINE`,
    raw: (dataset) => `${prefix}.raw.${token(dataset)}`,
    valid: (dataset) => `${prefix}.valid.${token(dataset)}`,
    quarantine: (dataset) => `${prefix}.quarantine.${token(dataset)}`,
    loaded: `${prefix}.events.loaded`,
    datasetOf(subject, kind) {
      const head = `${prefix}.${kind}.`;
      if (!subject.startsWith(head)) return null;
      const rest = subject.slice(head.length);
      return SubjectTokenSchema.safeParse(rest).success ? rest : null;
    },
  };
}
