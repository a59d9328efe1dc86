package io.tributary.ingest.replication;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.topic.TopicRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 10: the bounds on a partition's producer memory decide by log time, never by a replica's
 * clock, so every replica forgets the same producers and gives the same verdicts.
 */
class ProducerStateClusterTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Read by each node at start (LoopbackCluster's own arguments win, these are not among them). */
    private static final Map<String, String> LIMITS = Map.of(
            "ingest.limits.max-producers-per-partition", "3",
            "ingest.limits.producer-state-retention", "1h");

    private static LoopbackCluster cluster;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        LIMITS.forEach(System::setProperty);
        try {
            cluster = new LoopbackCluster(Files.createTempDirectory("ingest-cluster-pstate-"), 3).startAll();
        } finally {
            LIMITS.keySet().forEach(System::clearProperty);
        }
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private HttpResponse<String> post(int node, String path, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(cluster.baseUrl(node) + path))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private long produce(int node, long producerId, long sequence, String timestamp) throws Exception {
        String body = "{\"producerId\":" + producerId + ",\"producerEpoch\":0,\"baseSequence\":" + sequence
                + ",\"records\":[{\"value\":\"v" + producerId + "\"" + timestamp + "}]}";
        HttpResponse<String> r = post(node, "/api/v1/topics/pstate/records", body);
        for (int attempt = 0; r.statusCode() == 503 && attempt < 30; attempt++) {
            Thread.sleep(1000); // retriable (a leader election): the same sequence again is safe
            r = post(node, "/api/v1/topics/pstate/records", body);
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("offsets").get(0).get("offset").asLong();
    }

    private static PartitionLog replica(int node) {
        return cluster.context(node).getBean(TopicRegistry.class).get("pstate").partitions().get(0);
    }

    private static List<Long> sequences(int node, List<Long> ids) {
        List<Long> out = new ArrayList<>();
        for (long id : ids) {
            out.add(replica(node).lastSequence(id));
        }
        return out;
    }

    private void awaitSameLogEnd() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            long end = replica(1).logEndOffset();
            assertThat(replica(2).logEndOffset()).isEqualTo(end);
            assertThat(replica(3).logEndOffset()).isEqualTo(end);
        });
    }

    @Test
    void everyReplicaForgetsTheSameProducers() throws Exception {
        // The groups may still be electing their first leaders: a 503 is retriable (409: an earlier try committed).
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(post(1, "/api/v1/topics",
                "{\"name\":\"pstate\",\"partitions\":1,\"replicationFactor\":3}").statusCode()).isIn(201, 409));
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            HttpResponse<String> r = post(1 + i % 3, "/api/v1/producers", "{}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            ids.add(JSON.readTree(r.body()).get("producerId").asLong());
        }
        long threeHoursAgo = System.currentTimeMillis() - Duration.ofHours(3).toMillis();
        produce(1, ids.get(0), 0, ",\"timestamp\":" + threeHoursAgo);
        long[] offsets = new long[ids.size()];
        for (int i = 1; i < ids.size(); i++) {
            offsets[i] = produce(1 + i % 3, ids.get(i), 0, ""); // stamped "now" by the node that takes it
        }
        awaitSameLogEnd();

        List<Long> onNode1 = sequences(1, ids);
        assertThat(onNode1).containsExactly(-1L, -1L, -1L, -1L, -1L, 0L, 0L, 0L);
        assertThat(sequences(2, ids)).isEqualTo(onNode1);
        assertThat(sequences(3, ids)).isEqualTo(onNode1);

        // A retry of a remembered producer is a duplicate on every replica; one of a forgotten producer is
        // written again, also on every replica.
        assertThat(produce(2, ids.get(7), 0, "")).isEqualTo(offsets[7]);
        long rewritten = produce(3, ids.get(1), 0, "");
        assertThat(rewritten).isGreaterThan(offsets[7]);
        awaitSameLogEnd();
        assertThat(replica(1).logEndOffset()).isEqualTo(rewritten + 1);
        List<Long> after = sequences(1, ids);
        assertThat(after).containsExactly(-1L, 0L, -1L, -1L, -1L, -1L, 0L, 0L);
        assertThat(sequences(2, ids)).isEqualTo(after);
        assertThat(sequences(3, ids)).isEqualTo(after);
        for (int node = 1; node <= 3; node++) {
            assertThat(replica(node).producerCount()).isEqualTo(3);
        }
    }
}
