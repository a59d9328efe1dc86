package io.tributary.analytics.runner;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.tributary.analytics.job.CompiledJob;
import io.tributary.client.ConsumedRecord;
import io.tributary.client.FetchOptions;
import io.tributary.client.FetchResult;
import io.tributary.client.IngestClient;
import io.tributary.client.IngestException;
import io.tributary.client.OffsetSpec;
import io.tributary.client.TopicPartition;
import tools.jackson.databind.JsonNode;

/**
 * The latest value per record key of a table topic, kept in memory and brought up to the
 * topic's current end before every batch ({@link #refresh}). Records are joined by the text of
 * their {@code key} field; a null value in the table topic deletes its key.
 *
 * <p>The table is not part of the checkpoint: after a restart it is read again from the topic's
 * start, so a batch replayed after a crash joins against the table as it is then, which may be
 * newer than what the lost attempt saw. Not thread-safe; one per job run.
 */
final class TopicJoin extends RecordJoin {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TopicJoin.class);

    private final String topic;
    private final IngestClient ingest;
    private final int maxRecords;
    private final Map<String, JsonNode> table = new HashMap<>();
    private final Map<Integer, Long> positions = new TreeMap<>();

    TopicJoin(CompiledJob.Join spec, IngestClient ingest, int maxRecords) {
        super(spec);
        this.topic = spec.source();
        this.ingest = ingest;
        this.maxRecords = maxRecords;
    }

    int size() {
        return table.size();
    }

    /** Reads every partition of the table topic up to its current end. */
    @Override
    void refresh() {
        if (positions.isEmpty()) {
            int partitions = ingest.describeTopic(topic).partitions();
            for (int p = 0; p < partitions; p++) {
                positions.put(p, ingest.offsetFor(new TopicPartition(topic, p), OffsetSpec.earliest()).offset());
            }
        }
        for (Map.Entry<Integer, Long> entry : positions.entrySet()) {
            TopicPartition partition = new TopicPartition(topic, entry.getKey());
            long position = entry.getValue();
            int ask = maxRecords;
            while (true) {
                FetchResult fetched;
                try {
                    fetched = ingest.fetch(partition, position, FetchOptions.defaults().withMaxRecords(ask));
                } catch (IngestException e) {
                    if (e.status() != 200) { // not an answer that could not be read
                        throw e;
                    }
                    if (ask > 1) { // narrow it down to the unreadable record
                        ask = Math.max(1, ask / 2);
                    } else { // the record at position cannot be read: it never joins anything
                        LOG.warn("join topic {} partition {}: skipping the unreadable record at offset {}: {}",
                                topic, partition.partition(), position, e.getMessage());
                        position++;
                        ask = maxRecords;
                    }
                    continue;
                }
                ask = maxRecords;
                apply(fetched.records());
                long next = Math.max(position, fetched.nextOffset());
                if (fetched.records().isEmpty() || next >= fetched.highWatermark() || next == position) {
                    position = next;
                    break;
                }
                position = next;
            }
            entry.setValue(position);
        }
    }

    private void apply(List<ConsumedRecord> records) {
        for (ConsumedRecord record : records) {
            if (record.key() == null) {
                continue;
            }
            if (record.value() == null || record.value().isNull()) {
                table.remove(record.key());
            } else {
                table.put(record.key(), record.value());
            }
        }
    }

    @Override
    JsonNode lookup(String key) {
        return table.get(key);
    }
}
