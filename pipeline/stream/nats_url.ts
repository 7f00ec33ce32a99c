/**
 * The NATS server of live ingestion when `NATS_URL` is unset. Apart from
 * the client (`./nats.ts`) so that declaring the `--nats-url` flag loads no
 * NATS library.
 * @module
 */

/** The NATS server when `NATS_URL` is unset. */
export const DEFAULT_NATS_URL = "nats://127.0.0.1:4222";
