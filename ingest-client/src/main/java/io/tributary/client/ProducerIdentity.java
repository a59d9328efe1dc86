package io.tributary.client;

/**
 * The identity under which the ingest service deduplicates a producer's batches. A newer
 * epoch of the same id fences the older one.
 */
public record ProducerIdentity(long producerId, int producerEpoch) {
}
