package io.tributary.client.producer;

import java.util.HashMap;
import java.util.Map;

import io.tributary.client.TopicPartition;

/** Hands out increasing, never reused base sequences per partition. */
final class SequenceCounters {

    private final long firstSequence;
    private final Map<TopicPartition, Long> next = new HashMap<>();

    SequenceCounters(long firstSequence) {
        this.firstSequence = firstSequence;
    }

    /** Reserves {@code count} sequences and returns the first. */
    synchronized long reserve(TopicPartition partition, int count) {
        long base = next.getOrDefault(partition, firstSequence);
        next.put(partition, base + count);
        return base;
    }
}
