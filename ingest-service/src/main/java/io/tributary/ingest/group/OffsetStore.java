package io.tributary.ingest.group;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.log.Bytes;
import io.tributary.ingest.log.FetchResult;
import io.tributary.ingest.log.LogRecord;
import io.tributary.ingest.log.PartitionLog;
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
 * Committed group offsets, kept in memory and made durable in the compacted internal topic
 * {@value #TOPIC}. A group's commits all go to one partition of that topic (its id's hash),
 * so their order there is the order they were made in. Record key
 * {@code group \0 topic \0 partition}, value {@code {"offset":n,"commitTimestamp":ms}}; a
 * tombstone (null value) forgets an offset. Opening replays every partition, newest wins.
 *
 * <p>The topic's partition count is fixed when it is first created
 * ({@code ingest.groups.offsets-topic-partitions}); later changes of that setting do not
 * apply to an existing topic, so a group always maps to the same partition.
 *
 * <p>Not synchronised per group: {@link GroupCoordinator} calls it under the group's lock.
 */
@Component
class OffsetStore {

    static final String TOPIC = "__consumer_offsets";

    private static final Logger log = LoggerFactory.getLogger(OffsetStore.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int REPLAY_CHUNK_BYTES = 1 << 20;
    private static final char SEPARATOR = '\u0000';

    /** A committed offset: the next offset the group will consume, and when it was committed. */
    record Committed(long offset, long commitTimestamp) {
    }

    private final TopicRegistry topics;
    private final Map<String, Map<TopicPartition, Committed>> byGroup = new ConcurrentHashMap<>();

    OffsetStore(TopicRegistry topics, IngestProperties props) {
        this.topics = topics;
        // flush.messages=1: a commit is fsynced before its 204, so an acknowledged commit survives power loss.
        topics.ensureInternal(TOPIC, props.groups().offsetsTopicPartitions(),
                Map.of("cleanup.policy", "compact", "flush.messages", "1"));
        replay();
        forgetDeletedTopics();
    }

    /** Groups that have at least one committed offset. */
    Set<String> groups() {
        return Set.copyOf(byGroup.keySet());
    }

    /** The group's committed offsets (an unmodifiable snapshot; empty when none). */
    Map<TopicPartition, Committed> committed(String group) {
        Map<TopicPartition, Committed> offsets = byGroup.get(group);
        return offsets == null ? Map.of() : Map.copyOf(offsets);
    }

    Committed committed(String group, TopicPartition partition) {
        Map<TopicPartition, Committed> offsets = byGroup.get(group);
        return offsets == null ? null : offsets.get(partition);
    }

    /** Appends the offsets as one batch (all or nothing) and only then makes them visible. */
    void commit(String group, Map<TopicPartition, Long> offsets, long nowMs) {
        if (offsets.isEmpty()) {
            return;
        }
        List<LogRecord> records = new ArrayList<>(offsets.size());
        offsets.forEach((tp, offset) -> records.add(new LogRecord(key(group, tp),
                Bytes.utf8("{\"offset\":" + offset + ",\"commitTimestamp\":" + nowMs + "}"), List.of(), nowMs)));
        partitionFor(group).append(records);
        Map<TopicPartition, Committed> current = byGroup.computeIfAbsent(group, g -> new ConcurrentHashMap<>());
        offsets.forEach((tp, offset) -> current.put(tp, new Committed(offset, nowMs)));
    }

    /** Writes tombstones for the partitions' offsets and forgets them. */
    void delete(String group, Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        List<LogRecord> tombstones = new ArrayList<>(partitions.size());
        for (TopicPartition tp : partitions) {
            tombstones.add(new LogRecord(key(group, tp), null, List.of(), now));
        }
        partitionFor(group).append(tombstones);
        Map<TopicPartition, Committed> current = byGroup.get(group);
        if (current != null) {
            partitions.forEach(current::remove);
            if (current.isEmpty()) {
                byGroup.remove(group, current);
            }
        }
    }

    private PartitionLog partitionFor(String group) {
        List<PartitionLog> partitions = topics.get(TOPIC).partitions();
        return partitions.get(Math.floorMod(group.hashCode(), partitions.size()));
    }

    private void replay() {
        int records = 0;
        for (PartitionLog partition : topics.get(TOPIC).partitions()) {
            long offset = partition.logStartOffset();
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
        }
        log.info("replayed {} records of {}: committed offsets of {} groups", records, TOPIC, byGroup.size());
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
