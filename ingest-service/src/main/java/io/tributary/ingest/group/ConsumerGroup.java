package io.tributary.ingest.group;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Meter;
import io.tributary.ingest.topic.TopicPartition;

/** A consumer group's membership, generation and gauges; guarded by synchronising on it. */
final class ConsumerGroup {
    final String id;
    int generation;
    /** The coordinator epoch the members joined under (always 0 on a single node); see GroupPlacement. */
    long epoch;
    final Map<String, GroupMember> members = new TreeMap<>();
    volatile int memberCount;
    /** When the offsets-retention check last saw members (0: not since start). */
    long lastSeenActiveMs;
    /** Removed from the coordinator's map; a request holding it must look again. */
    boolean dead;
    /** Polls of members without partitions, parked until their wait ends or the group rebalances. */
    final Set<CompletableFuture<Void>> idlePolls = ConcurrentHashMap.newKeySet();
    Meter membersGauge;
    final Map<TopicPartition, Meter> lagGauges = new HashMap<>();

    ConsumerGroup(String id) {
        this.id = id;
    }

    String state() {
        return members.isEmpty() ? "Empty" : "Stable";
    }
}
