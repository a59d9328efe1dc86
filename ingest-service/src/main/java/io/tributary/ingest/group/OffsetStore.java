package io.tributary.ingest.group;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.tributary.ingest.log.Bytes;
import io.tributary.ingest.log.FetchResult;
import io.tributary.ingest.log.LogRecord;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.log.ProducerBatch;
import io.tributary.ingest.log.Record;
import io.tributary.ingest.log.RecordBatch;
import io.tributary.ingest.topic.TopicPartition;
import io.tributary.ingest.topic.TopicRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Committed group offsets: a view, kept in memory, of the compacted internal topic
 * {@value #TOPIC}. A group's commits all go to one partition of that topic (its id's hash,
 * {@link GroupPlacement}), so their order there is the order they were made in. Record key
 * {@code group \0 topic \0 partition}, value {@code {"offset":n,"commitTimestamp":ms}}; a
 * tombstone (null value) forgets an offset; newest wins.
 *
 * <p>The view is built only from what is in the local log: per offsets partition it remembers
 * how far it has read, and every read of a group's offsets (and every write) first applies the
 * records added since. On one node a commit is appended (fsynced) to the local log. On a cluster
 * it goes through the Raft group of its offsets partition, from its leader only (the group's
 * coordinator), and is acknowledged once a majority committed it and the leader applied it to
 * its log; every replica's log, and so every node's view, holds the same commits in the same
 * order. A node that becomes coordinator therefore already has every committed offset of its
 * groups in its log (Ratis makes it "leader ready" only after applying all earlier entries).
 *
 * <p>The topic's partition count is fixed when it is first created
 * ({@code ingest.groups.offsets-topic-partitions}); later changes of that setting do not
 * apply to an existing topic, so a group always maps to the same partition.
 *
 * <p>Writes are not synchronised per group: {@link GroupCoordinator} calls them under the
 * group's lock. Catching up is serialised per offsets partition.
 */
@Component
class OffsetStore {

    static final String TOPIC = GroupPlacement.OFFSETS_TOPIC;

    private static final Logger log = LoggerFactory.getLogger(OffsetStore.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int REPLAY_CHUNK_BYTES = 1 << 20;
    private static final char SEPARATOR = '\u0000';

    /** A committed offset: the next offset the group will consume, and when it was committed. */
    record Committed(long offset, long commitTimestamp) {
    }

    private final TopicRegistry topics;
    private final GroupPlacement placement;
    private final Map<String, Map<TopicPartition, Committed>> byGroup = new ConcurrentHashMap<>();
    /** Per offsets partition: the log offset the view has read up to; guarded by {@code viewLocks[p]}. */
    private final long[] viewEnds;
    private final Object[] viewLocks;

    OffsetStore(TopicRegistry topics, GroupPlacement placement) {
        this.topics = topics;
        this.placement = placement;
        int partitions = placement.offsetsTopic().partitions().size();
        this.viewEnds = new long[partitions];
        this.viewLocks = new Object[partitions];
        for (int p = 0; p < partitions; p++) {
            viewLocks[p] = new Object();
        }
        int records = 0;
        for (int p = 0; p < partitions; p++) {
            records += catchUp(p);
        }
        log.info("replayed {} records of {}: committed offsets of {} groups", records, TOPIC, byGroup.size());
        if (!placement.clustered()) {
            // On a cluster no node leads an offsets partition yet at start; see docs/replication.md.
            forgetDeletedTopics();
        }
    }

    GroupPlacement placement() {
        return placement;
    }

    /** Groups that have at least one committed offset. */
    Set<String> groups() {
        for (int p = 0; p < viewEnds.length; p++) {
            catchUp(p);
        }
        return Set.copyOf(byGroup.keySet());
    }

    /** The group's committed offsets (an unmodifiable snapshot; empty when none). */
    Map<TopicPartition, Committed> committed(String group) {
        catchUp(placement.partitionFor(group));
        Map<TopicPartition, Committed> offsets = byGroup.get(group);
        return offsets == null ? Map.of() : Map.copyOf(offsets);
    }

    Committed committed(String group, TopicPartition partition) {
        catchUp(placement.partitionFor(group));
        Map<TopicPartition, Committed> offsets = byGroup.get(group);
        return offsets == null ? null : offsets.get(partition);
    }

    /**
     * Appends the offsets as one batch (all or nothing) and only then makes them visible.
     *
     * @throws io.tributary.ingest.problem.ProblemException on a cluster: COORDINATOR_NOT_AVAILABLE when this
     *         node no longer leads the group's offsets partition, NOT_ENOUGH_REPLICAS when not committed in time
     */
    void commit(String group, Map<TopicPartition, Long> offsets, long nowMs) {
        if (offsets.isEmpty()) {
            return;
        }
        List<LogRecord> records = new ArrayList<>(offsets.size());
        offsets.forEach((tp, offset) -> records.add(new LogRecord(key(group, tp),
                Bytes.utf8("{\"offset\":" + offset + ",\"commitTimestamp\":" + nowMs + "}"), List.of(), nowMs)));
        append(group, records);
    }

    /**
     * Writes tombstones for the partitions' offsets and forgets them. On a cluster only the
     * group's coordinator writes them; elsewhere this does nothing (the view follows the log).
     */
    void delete(String group, Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        if (placement.clustered() && placement.localEpoch(group) < 0) {
            log.debug("not the coordinator of group {}: its coordinator drops its offsets of {}", group, partitions);
            return;
        }
        long now = System.currentTimeMillis();
        List<LogRecord> tombstones = new ArrayList<>(partitions.size());
        for (TopicPartition tp : partitions) {
            tombstones.add(new LogRecord(key(group, tp), null, List.of(), now));
        }
        append(group, tombstones);
    }

    private void append(String group, List<LogRecord> records) {
        int p = placement.partitionFor(group);
        TopicRegistry.Topic topic = placement.offsetsTopic();
        PartitionLog partition = topic.partitions().get(p);
        placement.cluster().appendAsLeader(topic, p, partition.prepare(records, ProducerBatch.NONE));
        catchUp(p);
    }

    /** Applies the records the local log gained since the last call to the view; returns how many. */
    private int catchUp(int p) {
        PartitionLog partition = placement.offsetsTopic().partitions().get(p);
        if (partition == null) {
            return 0; // no replica here (a node added later, or one the partition moved off): nothing to read
        }
        synchronized (viewLocks[p]) {
            int records = 0;
            long offset = Math.max(viewEnds[p], partition.logStartOffset());
            long end = partition.highWatermark();
            while (offset < end) {
                FetchResult result = partition.read(offset, REPLAY_CHUNK_BYTES);
                if (result.isEmpty()) {
                    break;
                }
                for (RecordBatch batch : result.batches()) {
                    for (Record r : batch) {
                        if (r.offset() >= offset) {
                            apply(r);
                            records++;
                        }
                    }
                    offset = Math.max(offset, batch.nextOffset());
                }
            }
            viewEnds[p] = offset;
            return records;
        }
    }

    private void apply(Record r) {
        String[] key = r.key() == null ? new String[0] : r.key().utf8().split(String.valueOf(SEPARATOR), -1);
        if (key.length != 3) {
            log.warn("skipping {} record with an unreadable key at offset {}", TOPIC, r.offset());
            return;
        }
        TopicPartition tp;
        try {
            tp = new TopicPartition(key[1], Integer.parseInt(key[2]));
        } catch (NumberFormatException e) {
            log.warn("skipping {} record with an unreadable partition at offset {}", TOPIC, r.offset());
            return;
        }
        String group = key[0];
        if (r.value() == null) {
            Map<TopicPartition, Committed> current = byGroup.get(group);
            if (current != null) {
                current.remove(tp);
                if (current.isEmpty()) {
                    byGroup.remove(group);
                }
            }
            return;
        }
        try {
            JsonNode value = JSON.readTree(r.value().toArray());
            Committed committed = new Committed(value.path("offset").asLong(), value.path("commitTimestamp").asLong());
            byGroup.computeIfAbsent(group, g -> new ConcurrentHashMap<>()).put(tp, committed);
        } catch (JacksonException e) {
            log.warn("skipping {} record with an unreadable value at offset {}", TOPIC, r.offset());
        }
    }

    /** Offsets of topics (or partitions) that are gone, e.g. deleted while the service was down mid-delete. */
    private void forgetDeletedTopics() {
        for (String group : groups()) {
            List<TopicPartition> gone = committed(group).keySet().stream().filter(tp -> !exists(tp)).toList();
            if (!gone.isEmpty()) {
                log.info("forgetting offsets of group {} for partitions that no longer exist: {}", group, gone);
                delete(group, gone);
            }
        }
    }

    private boolean exists(TopicPartition tp) {
        return topics.exists(tp.topic()) && tp.partition() >= 0
                && tp.partition() < topics.get(tp.topic()).partitions().size();
    }

    private static Bytes key(String group, TopicPartition tp) {
        return Bytes.of((group + SEPARATOR + tp.topic() + SEPARATOR + tp.partition()).getBytes(StandardCharsets.UTF_8));
    }
}
