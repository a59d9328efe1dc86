package io.tributary.client.producer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;

import io.tributary.client.Partitioner;

/**
 * Picks a record's partition the way the service would: explicit partition, else the key's
 * {@link Partitioner} partition, else round-robin per topic. Partition counts are cached.
 */
final class PartitionRouter {

    private record CachedCount(int partitions, long fetchedNanos) {
    }

    private final ToIntFunction<String> partitionCountLookup;
    private final long maxAgeNanos;
    private final Map<String, CachedCount> counts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> roundRobin = new ConcurrentHashMap<>();

    PartitionRouter(ToIntFunction<String> partitionCountLookup, Duration maxAge) {
        this.partitionCountLookup = partitionCountLookup;
        this.maxAgeNanos = maxAge.toNanos();
    }

    int partitionFor(String topic, ProducerRecord record) {
        if (record.partition() != null) {
            return record.partition();
        }
        int partitions = partitionCount(topic);
        if (record.key() != null) {
            return Partitioner.partitionForKey(record.key(), partitions);
        }
        int next = roundRobin.computeIfAbsent(topic, t -> new AtomicInteger()).getAndIncrement();
        return Math.floorMod(next, partitions);
    }

    private int partitionCount(String topic) {
        long now = System.nanoTime();
        CachedCount cached = counts.get(topic);
        if (cached == null || now - cached.fetchedNanos() > maxAgeNanos) {
            cached = new CachedCount(partitionCountLookup.applyAsInt(topic), now);
            counts.put(topic, cached);
        }
        return cached.partitions();
    }
}
