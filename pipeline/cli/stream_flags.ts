/**
 * The flags of the commands that talk to NATS JetStream (`produce`,
 * `stream`): the server and the subject and stream prefixes.
 * @module
 */
import type { Flag } from "@pipeline/cli/flag.ts";
import { DEFAULT_NATS_URL } from "@pipeline/stream/nats_url.ts";
import {
  DEFAULT_TOPOLOGY_NAMES,
  StreamPrefixSchema,
  type StreamTopology,
  streamTopology,
  SubjectTokenSchema,
} from "@pipeline/stream/topology.ts";

/** `--nats-url URL`. */
export const NATS_URL_FLAG: Flag = {
  name: "nats-url",
  value: "URL",
  help: "the NATS server with JetStream",
  key: "natsUrl",
  env: "NATS_URL",
  default: DEFAULT_NATS_URL,
};

/** `--subject-prefix NAME`. */
export const SUBJECT_PREFIX_FLAG: Flag = {
  name: "subject-prefix",
  value: "NAME",
  help:
    "first token of every subject: NAME.raw.<dataset>, NAME.valid.<dataset>, NAME.quarantine.<dataset>, NAME.events.loaded",
  key: "subjectPrefix",
  parse: (text) => SubjectTokenSchema.parse(text),
  default: DEFAULT_TOPOLOGY_NAMES.prefix,
};

/** `--stream-prefix NAME`. */
export const STREAM_PREFIX_FLAG: Flag = {
  name: "stream-prefix",
  value: "NAME",
  help: "JetStream streams NAME_RAW, NAME_VALID and NAME_QUARANTINE",
  key: "streamPrefix",
  parse: (text) => StreamPrefixSchema.parse(text),
  default: DEFAULT_TOPOLOGY_NAMES.streamPrefix,
};

/** The NATS flags, in the order help lists them. */
export const NATS_FLAGS: readonly Flag[] = [
  NATS_URL_FLAG,
  SUBJECT_PREFIX_FLAG,
  STREAM_PREFIX_FLAG,
];

/** The topology the NATS flags name. */
export function topologyOf(
  options: Readonly<Record<string, unknown>>,
): StreamTopology {
  return streamTopology({
    prefix: options.subjectPrefix as string,
    streamPrefix: options.streamPrefix as string,
  });
}
