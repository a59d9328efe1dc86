package io.tributary.ingest.replication;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

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
 * Retention of a partition written through Raft entries (three replicas) stays below each
 * replica's Raft snapshot point, and a replica whose retention waits for that point snapshots
 * ({@link RetentionSnapshots}) long before Ratis's own threshold (10000 entries, left at its default
 * here, so no snapshot would come otherwise). Then every node restarts in turn and replays the
 * entries after its snapshot against the batches retention kept: each comes back, and every
 * acknowledged record at or above the log start is read at its offset through every node.
 */
class RetentionSnapshotClusterTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String TOPIC = "kept";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String PAD = "p".repeat(100);

    private static LoopbackCluster cluster;
    /** Acknowledged records: value -> offset. */
    private static final Map<String, Long> acked = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        cluster = new LoopbackCluster(Files.createTempDirectory("ingest-retention-snapshot-"), 3,
                "--ingest.maintenance.retention-check-interval=200ms").startAll();
        HttpResponse<String> created = cluster.createTopic(1, TOPIC, 1, 3);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void retentionWaitsForEachReplicasSnapshotSoThatEveryReplicaRestarts() throws Exception {
        assertThat(cluster.send(1, "PATCH", "/api/v1/topics/" + TOPIC + "/configs",
                "{\"configs\":{\"segment.bytes\":\"1024\"}}").statusCode()).isEqualTo(200);
        for (int i = 0; i < 40; i++) {
            produce(1 + i % 3, "before-" + i + "-" + PAD);
        }
        assertThat(cluster.send(1, "PATCH", "/api/v1/topics/" + TOPIC + "/configs",
                "{\"configs\":{\"retention.bytes\":\"3000\"}}").statusCode()).isEqualTo(200);
        for (int node = 1; node <= 3; node++) {
            int n = node;
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                assertThat(log(n).logStartOffset()).as("node %d's retention deleted segments", n).isPositive();
                PartitionStateMachine.SnapshotPoint point = sm(n).snapshotPoint();
                assertThat(point).as("node %d took a snapshot", n).isNotNull();
                assertThat(point.offset()).as("node %d's snapshot point", n).isGreaterThanOrEqualTo(log(n).logStartOffset());
            });
        }
        // Entries after the snapshots: what each restart replays against the stored batches.
        for (int i = 0; i < 20; i++) {
            produce(1 + i % 3, "after-" + i + "-" + PAD);
        }

        for (int node = 1; node <= 3; node++) {
            cluster.stop(node);
            cluster.start(node);
            cluster.awaitReady(node);
            int n = node;
            await().atMost(WAIT).untilAsserted(() -> assertThat(sm(n)).as("node %d's replica is back", n).isNotNull());
            produce(n, "restarted-" + n);
        }

        assertThat(acked).containsKeys("after-19-" + PAD, "restarted-1", "restarted-2", "restarted-3");
        for (int node = 1; node <= 3; node++) {
            int n = node;
            await().atMost(WAIT).untilAsserted(() -> {
                // Each replica runs its own retention: read from above every node's log start.
                long start = Math.max(log(1).logStartOffset(), Math.max(log(2).logStartOffset(), log(3).logStartOffset()));
                Map<String, Long> read = new HashMap<>();
                for (JsonNode rec : ClusterAsserts.readPartition(cluster, n, TOPIC, 0, start)) {
                    assertThat(read.put(rec.get("value").asString(), rec.get("offset").asLong()))
                            .as("read twice through node %d", n).isNull();
                }
                Map<String, Long> retained = new HashMap<>();
                acked.forEach((value, offset) -> {
                    if (offset >= start) {
                        retained.put(value, offset);
                    }
                });
                assertThat(retained).containsKeys("restarted-1", "restarted-2", "restarted-3");
                assertThat(read).as("through node %d", n).containsAllEntriesOf(retained);
                assertThat(acked).as("through node %d: only acknowledged records", n).containsAllEntriesOf(read);
            });
        }
    }

    /**
     * Produces one record with acks=all through {@code node}, retrying while a restarted node elects
     * (the value is the Idempotency-Key, so a retry of a write that went through is not written twice).
     */
    private static void produce(int node, String value) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(cluster.baseUrl(node) + "/api/v1/topics/" + TOPIC
                        + "/records")).header("Content-Type", "application/json").header("Idempotency-Key", value)
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"acks\":\"all\",\"records\":[{\"partition\":0,\"value\":\"" + value + "\"}]}"))
                .build();
        HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        for (int attempt = 0; r.statusCode() == 503 && attempt < 60; attempt++) {
            Thread.sleep(500);
            r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        acked.put(value, JSON.readTree(r.body()).get("offsets").get(0).get("offset").asLong());
    }

    private static PartitionLog log(int node) {
        return cluster.context(node).getBean(TopicRegistry.class).partition(TOPIC, 0);
    }

    private static PartitionStateMachine sm(int node) {
        return cluster.context(node).getBean(PartitionViews.class).localStateMachine(TOPIC, 0);
    }
}
