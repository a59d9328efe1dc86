package io.tributary.analytics.runner;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.tributary.analytics.engine.ResultRow;
import io.tributary.analytics.engine.Window;
import io.tributary.client.IngestClient;
import io.tributary.client.Partitioner;
import io.tributary.client.ProducerIdentity;
import io.tributary.client.producer.IngestProducer;
import io.tributary.client.producer.ProducerRecord;
import io.tributary.client.producer.SequencedRecord;
import tools.jackson.databind.json.JsonMapper;

/**
 * Publishes each committed batch's emitted rows to the job's output topic, exactly once. The job
 * writes under one producer named {@code analytics-job-<job>} (taking it bumps the epoch, which
 * fences an instance that ran the job before), and row {@code i} of batch {@code b} carries the
 * sequence {@code b * 1,000,000 + i}. Publishing follows the batch's commit; if it does not
 * finish (crash, ingest down), the next run first publishes the last committed batch again from
 * the stored results ({@link #publish} skips what the log already holds, by the last sequence per
 * partition), so every emitted row is in the topic once. Rows are keyed by their group values, so
 * one group's updates stay in order on one partition.
 *
 * <p>Used by both engines: a spark job publishes from its driver's commit ({@code spark.SparkJobRun}), where a
 * batch that fails to publish fails in Spark and is replayed with the same id and rows.
 *
 * <p>Record value: {@code {"job","batchId","windowStart","windowEnd","group":{"/pointer":value},"values":{...}}}.
 */
public final class ResultPublisher {

    static final long ROWS_PER_BATCH = 1_000_000L;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ResultPublisher.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String job;
    private final String topic;
    private final List<String> groupBy;
    private final IngestProducer producer;
    private final ProducerIdentity identity;
    private final int partitions;
    private final Map<Integer, Long> lastSequences;

    public ResultPublisher(String job, String topic, List<String> groupBy, IngestClient ingest,
                           IngestProducer producer) {
        this.job = job;
        this.topic = topic;
        this.groupBy = groupBy;
        this.producer = producer;
        this.identity = ingest.initProducer("analytics-job-" + job);
        this.partitions = ingest.describeTopic(topic).partitions();
        this.lastSequences = new HashMap<>(ingest.lastSequences(identity.producerId(), topic));
    }

    /** Writes the rows of a committed batch that the topic does not hold yet, and waits for them. */
    public void publish(long batchId, List<ResultRow> rows) {
        if (rows.size() >= ROWS_PER_BATCH) {
            throw new IllegalStateException("batch " + batchId + " emitted " + rows.size() + " rows; at most "
                    + (ROWS_PER_BATCH - 1) + " can be published per batch");
        }
        Map<Integer, List<SequencedRecord>> byPartition = new TreeMap<>();
        for (int i = 0; i < rows.size(); i++) {
            ResultRow row = rows.get(i);
            String key = key(row.key().group());
            int partition = Partitioner.partitionForKey(key, partitions);
            long sequence = batchId * ROWS_PER_BATCH + i;
            if (sequence > lastSequences.getOrDefault(partition, -1L)) {
                byPartition.computeIfAbsent(partition, p -> new ArrayList<>())
                        .add(new SequencedRecord(ProducerRecord.ofJson(key, value(batchId, row)), sequence));
            }
        }
        Map<Integer, CompletableFuture<?>> sends = new TreeMap<>();
        byPartition.forEach((partition, records) ->
                sends.put(partition, producer.sendSequenced(topic, partition, records, identity)));
        for (Map.Entry<Integer, CompletableFuture<?>> send : sends.entrySet()) {
            try {
                send.getValue().join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
            List<SequencedRecord> records = byPartition.get(send.getKey());
            lastSequences.put(send.getKey(), records.get(records.size() - 1).sequence());
        }
        LOG.debug("job {}: batch {} published {} of its {} rows to {}", job, batchId,
                byPartition.values().stream().mapToInt(List::size).sum(), rows.size(), topic);
    }

    private static String key(List<String> group) {
        return group.size() == 1 ? String.valueOf(group.get(0)) : JSON.writeValueAsString(group);
    }

    private String value(long batchId, ResultRow row) {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("job", job);
        value.put("batchId", batchId);
        Window window = row.key().window();
        value.put("windowStart", window.isGlobal() ? null : Instant.ofEpochMilli(window.start()).toString());
        value.put("windowEnd", window.isGlobal() ? null : Instant.ofEpochMilli(window.end()).toString());
        Map<String, String> group = new LinkedHashMap<>();
        for (int i = 0; i < groupBy.size(); i++) {
            group.put(groupBy.get(i), row.key().group().get(i));
        }
        value.put("group", group);
        value.put("values", row.values());
        return JSON.writeValueAsString(value);
    }
}
