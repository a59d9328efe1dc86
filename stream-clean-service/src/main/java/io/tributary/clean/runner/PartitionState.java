package io.tributary.clean.runner;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.tributary.clean.dedupe.DedupeClaim;
import io.tributary.clean.step.dedupe.KeyMemory;
import io.tributary.client.ProducerIdentity;

/**
 * What a worker knows about one owned source partition: the producer identity it writes under;
 * per target topic partition, the last sequence (= source offset) that identity has written
 * there (an output whose source offset is at or below that is already in the log); and, for
 * pipelines with dedupe steps, the claimed dedupe state. The sequences are written by the sender
 * threads of one poll (each its own target partition) and read by the worker; the dedupe state
 * is used by the worker thread only.
 */
final class PartitionState {

    private final ProducerIdentity identity;
    private final Map<String, Map<Integer, Long>> lastSequences = new ConcurrentHashMap<>();
    private final DedupeClaim dedupe;
    private final KeyMemory keyMemory;

    /**
     * @param dedupe the claimed dedupe state, or null when the pipeline has no dedupe step
     */
    PartitionState(ProducerIdentity identity, DedupeClaim dedupe) {
        this.identity = identity;
        this.dedupe = dedupe;
        this.keyMemory = dedupe == null ? new KeyMemory() : dedupe.memory();
    }

    ProducerIdentity identity() {
        return identity;
    }

    /** The claimed dedupe state, or null without dedupe steps. */
    DedupeClaim dedupe() {
        return dedupe;
    }

    KeyMemory keyMemory() {
        return keyMemory;
    }

    /**
     * True for a record before the stored dedupe state's offset: it was processed and written
     * before the state was saved (the group commit that should have followed did not happen).
     */
    boolean processedBefore(long offset) {
        return dedupe != null && offset < dedupe.nextOffset();
    }

    void knownSequences(String topic, Map<Integer, Long> sequences) {
        lastSequences.put(topic, new ConcurrentHashMap<>(sequences));
    }

    boolean written(String topic, int partition, long sequence) {
        return sequence <= lastSequences.getOrDefault(topic, Map.of()).getOrDefault(partition, -1L);
    }

    void wrote(String topic, int partition, long lastSequence) {
        lastSequences.computeIfAbsent(topic, t -> new ConcurrentHashMap<>()).merge(partition, lastSequence, Math::max);
    }
}
