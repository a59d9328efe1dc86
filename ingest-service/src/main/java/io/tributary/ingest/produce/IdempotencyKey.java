package io.tributary.ingest.produce;

/**
 * An {@code Idempotency-Key} as a cluster's partitions remember it: sent with each batch of the
 * request inside the partition's Raft entry, so every replica decides alike whether the batch is
 * new or a retry (docs/replication.md, "Idempotency-Key on a cluster"). The window and the bound
 * travel with the key, and so does the proposing node's clock, so that no replica's own settings
 * or clock can make it decide differently from the others.
 *
 * @param id          principal, topic and key, length-prefixed (see {@link IdempotencyKeys})
 * @param fingerprint checksum of the request body: the same key with another body is refused
 * @param atMs        the proposing node's clock when the request arrived
 * @param windowMs    how long a partition remembers the key ({@code ingest.produce.idempotency-key-window})
 * @param maxEntries  most keys a partition remembers ({@code ingest.produce.idempotency-key-max-entries})
 */
public record IdempotencyKey(String id, long fingerprint, long atMs, long windowMs, int maxEntries) {
}
