package io.tributary.ingest.replication;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.topic.TopicRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Retention and compaction of partitions written through Raft entries (three replicas) stay below
 * each replica's Raft snapshot point, and a replica whose retention or compaction waits for that
 * point snapshots ({@link CleanupSnapshots}) long before Ratis's own threshold (10000 entries, left
 * at its default here, so no snapshot would come otherwise). Then every node restarts in turn and
 * replays the entries after its snapshot against the batches kept: each comes back, and reads
 * through every node give what the oracle (the acknowledged records) says they must. On the Raft-entry write path
 * ({@code fetch-writes} off; {@code __consumer_offsets} is always written so): a fetched partition replays no
 * entries, so no snapshot point holds its cleanup back.
 */
class CleanupSnapshotsClusterTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String PAD = "p".repeat(100);

    private static LoopbackCluster cluster;
    /** Acknowledged records per topic: value -> offset. */
    private static final Map<String, Map<String, Long>> acked = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        cluster = new LoopbackCluster(Files.createTempDirectory("ingest-cleanup-snapshots-"), 3,
                "--ingest.replication.fetch-writes=false",
                "--ingest.maintenance.retention-check-interval=200ms",
                "--ingest.maintenance.compaction-interval=200ms").startAll();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void retentionWaitsForEachReplicasSnapshotSoThatEveryReplicaRestarts() throws Exception {
        String topic = "kept";
        create(topic, Map.of("segment.bytes", "1024"));
        for (int i = 0; i < 40; i++) {
            produce(topic, 1 + i % 3, null, "before-" + i + "-" + PAD);
        }
        configure(topic, Map.of("retention.bytes", "3000"));
        for (int node = 1; node <= 3; node++) {
            int n = node;
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                PartitionLog log = log(n, topic);
                assertThat(log.logStartOffset()).as("node %d's retention deleted segments (%s, %s)", n, log,
                        log.config()).isPositive();
                assertSnapshotCovers(n, topic, log(n, topic).logStartOffset());
            });
        }
        // Entries after the snapshots: what each restart replays against the stored batches.
        for (int i = 0; i < 20; i++) {
            produce(topic, 1 + i % 3, null, "after-" + i + "-" + PAD);
        }
        restartEachNode(topic);

        for (int node = 1; node <= 3; node++) {
            int n = node;
            await().atMost(WAIT).untilAsserted(() -> {
                // Each replica runs its own retention: read from above every node's log start.
                long start = 0;
                for (int other = 1; other <= 3; other++) {
                    start = Math.max(start, log(other, topic).logStartOffset());
                }
                Map<String, Long> read = read(n, topic, start);
                Map<String, Long> retained = new HashMap<>();
                long from = start;
                acked.get(topic).forEach((value, offset) -> {
                    if (offset >= from) {
                        retained.put(value, offset);
                    }
                });
                assertThat(retained).containsKeys("restarted-1", "restarted-2", "restarted-3");
                assertThat(read).as("through node %d", n).containsAllEntriesOf(retained);
                assertThat(acked.get(topic)).as("through node %d: only acknowledged records", n)
                        .containsAllEntriesOf(read);
            });
        }
    }

    @Test
    void compactionWaitsForEachReplicasSnapshotSoThatEveryReplicaRestarts() throws Exception {
        String topic = "latest";
        create(topic, Map.of("segment.bytes", "1024", "cleanup.policy", "compact"));
        Map<String, String> newest = new HashMap<>();
        for (int i = 0; i < 60; i++) {
            String key = "key-" + i % 5;
            String value = key + "-v" + i + "-" + PAD;
            produce(topic, 1 + i % 3, key, value);
            newest.put(key, value);
        }
        for (int node = 1; node <= 3; node++) {
            int n = node;
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                assertThat(read(n, topic, 0)).as("node %d compacted", n).hasSizeLessThan(60);
                assertSnapshotCovers(n, topic, 1);
            });
        }
        for (int i = 0; i < 10; i++) {
            String key = "key-" + i % 5;
            String value = key + "-after-" + i + "-" + PAD;
            produce(topic, 1 + i % 3, key, value);
            newest.put(key, value);
        }
        restartEachNode(topic);
        newest.put("restart", "restarted-3");

        for (int node = 1; node <= 3; node++) {
            int n = node;
            await().atMost(WAIT).untilAsserted(() -> {
                Map<String, Long> read = read(n, topic, 0);
                assertThat(acked.get(topic)).as("through node %d: only acknowledged records, at their offsets", n)
                        .containsAllEntriesOf(read);
                for (String value : newest.values()) {
                    assertThat(read).as("the newest value of its key through node %d", n)
                            .containsEntry(value, acked.get(topic).get(value));
                }
            });
        }
    }

    // --- helpers -----------------------------------------------------------------------------

    private static void create(String topic, Map<String, String> configs) throws Exception {
        HttpResponse<String> created = cluster.createTopic(1, topic, 1, 3);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        configure(topic, configs);
    }

    /**
     * Changes configs and waits until every node has them: the metadata group and the partition's
     * group are separate Raft groups, so a node may apply records produced next before the change
     * (its segments would then be cut otherwise than the test means).
     */
    private static void configure(String topic, Map<String, String> configs) throws Exception {
        HttpResponse<String> r = cluster.send(1, "PATCH", "/api/v1/topics/" + topic + "/configs",
                "{\"configs\":" + JSON.writeValueAsString(configs) + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        for (int node = 1; node <= 3; node++) {
            int n = node;
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(cluster.context(n).getBean(TopicRegistry.class)
                    .get(topic).metadata().configs()).as("node %d's configs", n).containsAllEntriesOf(configs));
        }
    }

    /** A snapshot of node {@code node}'s replica covers offsets below {@code offset} at least. */
    private static void assertSnapshotCovers(int node, String topic, long offset) {
        PartitionStateMachine sm = cluster.context(node).getBean(PartitionViews.class).localStateMachine(topic, 0);
        assertThat(sm).isNotNull();
        assertThat(sm.snapshotPoint()).as("node %d took a snapshot", node).isNotNull();
        assertThat(sm.snapshotPoint().offset()).as("node %d's snapshot point", node).isGreaterThanOrEqualTo(offset);
    }

    /**
     * Stops and starts each node in turn (no snapshot on stop in tests: a replay), then writes
     * through it (key "restart": the newest value of that key is then the last node's).
     */
    private static void restartEachNode(String topic) throws Exception {
        for (int node = 1; node <= 3; node++) {
            cluster.stop(node);
            cluster.start(node);
            cluster.awaitReady(node);
            int n = node;
            await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.context(n).getBean(PartitionViews.class)
                    .localStateMachine(topic, 0)).as("node %d's replica is back", n).isNotNull());
            produce(topic, n, "restart", "restarted-" + n);
        }
    }

    /** The records read through {@code node} from {@code offset} on: value -> offset, none read twice. */
    private static Map<String, Long> read(int node, String topic, long offset) throws Exception {
        Map<String, Long> read = new HashMap<>();
        for (JsonNode rec : ClusterAsserts.readPartition(cluster, node, topic, 0, offset)) {
            assertThat(read.put(rec.get("value").asString(), rec.get("offset").asLong()))
                    .as("read twice through node %d", node).isNull();
        }
        return read;
    }

    /**
     * Produces one record with acks=all through {@code node}, retrying while a restarted node elects
     * (the value is the Idempotency-Key, so a retry of a write that went through is not written twice).
     */
    private static void produce(String topic, int node, String key, String value) throws Exception {
        String record = (key == null ? "" : "\"key\":\"" + key + "\",") + "\"partition\":0,\"value\":\"" + value + "\"";
        HttpRequest request = HttpRequest.newBuilder(URI.create(cluster.baseUrl(node) + "/api/v1/topics/" + topic
                        + "/records")).header("Content-Type", "application/json").header("Idempotency-Key", value)
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"acks\":\"all\",\"records\":[{" + record + "}]}"))
                .build();
        HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        for (int attempt = 0; r.statusCode() == 503 && attempt < 60; attempt++) {
            Thread.sleep(500);
            r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        acked.computeIfAbsent(topic, t -> new ConcurrentHashMap<>())
                .put(value, JSON.readTree(r.body()).get("offsets").get(0).get("offset").asLong());
    }

    private static PartitionLog log(int node, String topic) {
        return cluster.context(node).getBean(TopicRegistry.class).partition(topic, 0);
    }
}
