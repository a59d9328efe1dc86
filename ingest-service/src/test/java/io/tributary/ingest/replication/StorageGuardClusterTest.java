package io.tributary.ingest.replication;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The storage guard on a cluster's edges: founded by a bare majority (the third node comes later), and
 * a node that lost its disk during a stop of the whole cluster, restarted together with peers that have
 * not held an election yet — they answer from the registrations they keep on disk, so it is refused.
 * (A wiped node among running peers: {@code ReplicationClusterTest} step 7.)
 */
class StorageGuardClusterTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path root;

    @Test
    void aLostDiskIsRefusedAlsoWhenTheWholeClusterRestarts() throws Exception {
        try (LoopbackCluster cluster = new LoopbackCluster(root, 3)) {
            // Founded by nodes 1 and 2 alone, started one after the other.
            cluster.start(1);
            cluster.start(2);
            cluster.awaitReady(1);
            cluster.awaitReady(2);
            assertThat(cluster.createTopic(1, "guarded", 1, 3).statusCode()).isEqualTo(201);
            assertThat(produce(cluster, 2, "before").statusCode()).isEqualTo(200);
            cluster.start(3);
            cluster.awaitReady(3);
            await().atMost(WAIT).untilAsserted(() -> assertThat(highWatermark(cluster, 3)).isEqualTo(1));

            // Every node stops; node 2's disk is lost meanwhile; all three start again at once.
            for (int id = 1; id <= 3; id++) {
                cluster.stop(id);
            }
            deleteRecursively(cluster.dataDir(2));
            cluster.start(2);
            cluster.start(1);
            cluster.start(3);
            cluster.awaitReady(1);
            cluster.awaitReady(3);
            await().atMost(WAIT).untilAsserted(() -> {
                JsonNode storage = health(cluster, 2).path("components").path("storage");
                assertThat(storage.path("status").asString()).isEqualTo("DOWN");
                assertThat(storage.path("details").path("refused").asString()).contains("knows node 2 as a member");
            });
            assertThat(cluster.send(2, "GET", "/actuator/health/readiness", null).statusCode()).isEqualTo(503);
            // Its API sends clients elsewhere (it knows no topic, but "unknown topic" would be a lie).
            HttpResponse<String> refusedProduce = cluster.send(2, "POST", "/api/v1/topics/guarded/records",
                    "{\"records\":[{\"value\":\"x\"}]}");
            assertThat(refusedProduce.statusCode()).isEqualTo(503);
            JsonNode problem = JSON.readTree(refusedProduce.body());
            assertThat(problem.path("type").asString()).endsWith("/node-not-ready");
            assertThat(problem.path("retriable").asBoolean()).isTrue();
            assertThat(problem.path("detail").asString()).contains("refused");
            assertThat(cluster.context(2).getBean(RaftNode.class).division(PartitionGroups.METADATA_GROUP)).isNull();
            assertThat(Files.exists(cluster.dataDir(2).resolve(NodeStorage.FILE))).as("a refused folder gets no id")
                    .isFalse();
            // The two others carry on: every acknowledged record is there, and new ones are taken.
            assertThat(produce(cluster, 1, "after").statusCode()).isEqualTo(200);
            await().atMost(WAIT).untilAsserted(() -> assertThat(highWatermark(cluster, 3)).isEqualTo(2));
        }
    }

    private static HttpResponse<String> produce(LoopbackCluster cluster, int node, String value) throws Exception {
        // keyed: a 503 may come after the write (the in-sync set changing under it), and the retry must not write
        // it again
        return cluster.produceKeyedRetrying(node, "guarded", "{\"records\":[{\"value\":\"" + value + "\"}]}", value,
                WAIT);
    }

    private static long highWatermark(LoopbackCluster cluster, int node) throws Exception {
        HttpResponse<String> r = cluster.send(node, "GET", "/api/v1/topics/guarded", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("partitionDetails").get(0).get("highWatermark").asLong();
    }

    private static JsonNode health(LoopbackCluster cluster, int node) throws Exception {
        return JSON.readTree(cluster.send(node, "GET", "/actuator/health", null).body());
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
