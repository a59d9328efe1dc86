package io.tributary.clean.runner;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.tributary.client.ProducerIdentity;

/**
 * What a worker knows about one owned source partition: the producer identity it writes under
 * and, per target topic partition, the last sequence (= source offset) that identity has
 * written there. An output whose source offset is at or below that is already in the log.
 * Written by the sender threads of one poll (each its own target partition), read by the worker.
 */
final class PartitionState {

    private final ProducerIdentity identity;
    private final Map<String, Map<Integer, Long>> lastSequences = new ConcurrentHashMap<>();

    PartitionState(ProducerIdentity identity) {
        this.identity = identity;
    }

    ProducerIdentity identity() {
        return identity;
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
