package io.tributary.ingest.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.ingest.log.FetchResult;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.log.Record;
import io.tributary.ingest.log.RecordBatch;
import io.tributary.ingest.topic.TopicRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Group commit on a 3-node cluster: concurrent produce requests for one partition, through every
 * node, with one entry in flight per partition and node so that waiting batches share entries.
 * Each request must get the offsets of its own records (checked against every replica's log), a
 * resent idempotent batch inside a shared entry must be answered as the duplicate it is, and the
 * replicas must hold the same batches. Group commit is of the Raft-entry write path ({@code fetch-writes} off,
 * which {@code __consumer_offsets} and a partition while it moves take too).
 */
class GroupCommitClusterTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TOPIC = "grouped";
    private static LoopbackCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        System.setProperty("ingest.replication.max-in-flight-per-partition", "1");
        try {
            cluster = new LoopbackCluster(Files.createTempDirectory("ingest-cluster-group-commit-"), 3,
                    "--ingest.replication.fetch-writes=false").startAll();
        } finally {
            System.clearProperty("ingest.replication.max-in-flight-per-partition");
        }
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static PartitionLog replica(int node) {
        return cluster.context(node).getBean(TopicRegistry.class).get(TOPIC).partitions().get(0);
    }

    /** The node's group-commit metric: entries sent (count) and the batches in them (total). */
    private static DistributionSummary entryBatches(int node) {
        return cluster.context(node).getBean(MeterRegistry.class).get("ingest.replication.entry.batches").summary();
    }

    @Test
    void concurrentRequestsShareEntriesAndEachGetsTheOffsetsOfItsOwnRecords() throws Exception {
        assertThat(cluster.createTopic(1, TOPIC, 1, 3).statusCode()).isIn(200, 201);
        int writers = 8;
        int requests = 40;
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        // values are stored as the JSON text sent, quotes included
        Map<Long, Long> duplicateAnswers = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(writers * 2);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            done.add(pool.submit(() -> {
                for (int i = 0; i < requests; i++) {
                    int node = 1 + (writer + i) % 3;
                    StringBuilder body = new StringBuilder();
                    boolean idempotent = writer % 2 == 0;
                    if (idempotent) {
                        body.append("{\"producerId\":").append(1000 + writer).append(",\"producerEpoch\":0,\"baseSequence\":")
                                .append(i * 3).append(',');
                    } else {
                        body.append('{');
                    }
                    body.append("\"records\":[");
                    for (int j = 0; j < 3; j++) {
                        body.append(j == 0 ? "" : ",").append("{\"value\":\"w").append(writer).append('-').append(i)
                                .append('-').append(j).append("\"}");
                    }
                    body.append("]}");
                    String json = body.toString();
                    // An idempotent writer sends some of its batches twice at once: both copies may share an entry.
                    Future<HttpResponse<String>> twin = idempotent && i % 5 == 0
                            ? pool.submit(() -> produce(1 + (node % 3), json)) : null;
                    HttpResponse<String> r = produce(node, json);
                    JsonNode offsets = JSON.readTree(r.body()).get("offsets");
                    for (int j = 0; j < 3; j++) {
                        assertThat(acknowledged.put("w" + writer + "-" + i + "-" + j, offsets.get(j).get("offset").asLong()))
                                .isNull();
                    }
                    if (twin != null) {
                        JsonNode twinOffsets = JSON.readTree(twin.get(60, TimeUnit.SECONDS).body()).get("offsets");
                        for (int j = 0; j < 3; j++) {
                            assertThat(twinOffsets.get(j).get("offset").asLong()).as("the resent batch's offsets")
                                    .isEqualTo(offsets.get(j).get("offset").asLong());
                        }
                        duplicateAnswers.put(offsets.get(0).get("offset").asLong(), 1L);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(5, TimeUnit.MINUTES);
        }
        pool.shutdown();
        int batches = writers * requests;
        assertThat(acknowledged).hasSize(batches * 3);
        assertThat(duplicateAnswers).isNotEmpty();

        for (int node = 1; node <= 3; node++) {
            int n = node;
            org.awaitility.Awaitility.await().atMost(30, TimeUnit.SECONDS)
                    .until(() -> replica(n).highWatermark() >= batches * 3L);
            Map<Long, String> stored = new HashMap<>();
            for (RecordBatch b : batchesOf(replica(node))) {
                for (Record r : b) {
                    stored.put(r.offset(), r.value().utf8());
                }
            }
            assertThat(stored).as("node %d holds each record once: no resent batch was written twice", node)
                    .hasSize(batches * 3);
            acknowledged.forEach((value, offset) -> assertThat(stored.get(offset))
                    .as("node %d: the acknowledged offset of %s", n, value).isEqualTo("\"" + value + "\""));
        }
        List<RecordBatch> first = batchesOf(replica(1));
        for (int node = 2; node <= 3; node++) {
            List<RecordBatch> other = batchesOf(replica(node));
            assertThat(other).hasSameSizeAs(first);
            for (int i = 0; i < first.size(); i++) {
                RecordBatch a = first.get(i);
                RecordBatch b = other.get(i);
                assertThat(Arrays.copyOfRange(b.array(), b.start(), b.start() + b.sizeInBytes()))
                        .as("batch %d on node %d", i, node)
                        .isEqualTo(Arrays.copyOfRange(a.array(), a.start(), a.start() + a.sizeInBytes()));
            }
        }
        long entries = 0;
        long sent = 0;
        for (int node = 1; node <= 3; node++) {
            entries += entryBatches(node).count();
            sent += (long) entryBatches(node).totalAmount();
        }
        assertThat(sent).as("every request's batch, resent copies included").isEqualTo(batches + duplicateAnswers.size());
        assertThat(entries).as("Raft entries for %d batches: some went together", sent).isLessThan(sent);
    }

    private static HttpResponse<String> produce(int node, String json) throws Exception {
        HttpResponse<String> r = cluster.send(node, "POST", "/api/v1/topics/" + TOPIC + "/records", json);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r;
    }

    private static List<RecordBatch> batchesOf(PartitionLog log) {
        List<RecordBatch> out = new ArrayList<>();
        long offset = log.logStartOffset();
        while (offset < log.highWatermark()) {
            FetchResult r = log.read(offset, 1 << 20);
            if (r.batches().isEmpty()) {
                break;
            }
            for (RecordBatch b : r.batches()) {
                if (b.baseOffset() >= offset) {
                    out.add(b);
                }
            }
            offset = r.batches().get(r.batches().size() - 1).nextOffset();
        }
        return out;
    }
}
