/**
 * Live ingestion through NATS JetStream: the topology, the producer, the
 * consumer with its offsets committed with the data and its leases, poison
 * quarantine, the validation processor and the consumer's metrics.
 * @module
 */
export * from "@pipeline/stream/topology.ts";
export * from "@pipeline/stream/nats.ts";
export * from "@pipeline/stream/message.ts";
export * from "@pipeline/stream/offsets.ts";
export * from "@pipeline/stream/leases.ts";
export * from "@pipeline/stream/stream_range.ts";
export * from "@pipeline/stream/producer.ts";
export * from "@pipeline/stream/poison.ts";
export * from "@pipeline/stream/consumer.ts";
export * from "@pipeline/stream/stream_metrics.ts";
export * from "@pipeline/stream/validator.ts";
