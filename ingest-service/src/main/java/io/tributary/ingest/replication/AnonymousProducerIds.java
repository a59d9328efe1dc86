package io.tributary.ingest.replication;

import java.util.function.Supplier;

/**
 * This node's current block of producer ids for anonymous producers on a cluster: one
 * {@code allocate-producer-ids} metadata entry per {@link io.tributary.ingest.produce.ProducerIds#BLOCK_SIZE}
 * identities instead of one entry each, so that clients that start often (every Kafka producer asks for an id) do
 * not grow the metadata log, which is never purged. The block is kept in memory only: what a node did not hand out
 * before it stops is never used, as in Kafka.
 */
final class AnonymousProducerIds {

    private final Supplier<MetadataReply> allocate;
    /** The block not handed out yet: [next, end). */
    private long next;
    private long end;

    /** @param allocate proposes an {@link MetadataCommand.AllocateProducerIds} and answers the leader's reply */
    AnonymousProducerIds(Supplier<MetadataReply> allocate) {
        this.allocate = allocate;
    }

    /**
     * The next id, allocating a block when none is left; -1 when the metadata leader refused the allocation (a node
     * of an earlier version: the caller then asks for one identity the earlier way).
     */
    synchronized long next() {
        if (next >= end) {
            if (!(allocate.get() instanceof MetadataReply.ProducerIdBlock block)) {
                return -1;
            }
            next = block.firstId();
            end = block.firstId() + block.count();
        }
        return next++;
    }
}
