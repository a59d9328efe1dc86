package io.tributary.ingest.replication;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Read your writes on a cluster: once a produce is acknowledged through one node, a fetch at its
 * offset through any other node returns it, and every node's latest offset and describe are past it. Followers
 * apply committed entries a little after the leader, so without a read barrier a fetch sent to a
 * follower right after the acknowledgement would answer from an older log (416, or no record).
 */
class ReadYourWritesClusterTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TOPIC = "ryw";
    private static final int ROUNDS = 150;

    private static LoopbackCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = new LoopbackCluster(Files.createTempDirectory("ingest-ryw-"), 3).startAll();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void anAcknowledgedRecordIsReadableThroughEveryNodeAtOnce() throws Exception {
        HttpResponse<String> created = cluster.createTopic(1, TOPIC, 1, 3);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        awaitTopicOnEveryNode();

        List<String> misses = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            int writer = 1 + i % 3;
            HttpResponse<String> produced = cluster.send(writer, "POST", "/api/v1/topics/" + TOPIC + "/records",
                    "{\"records\":[{\"partition\":0,\"value\":" + i + "}]}");
            assertThat(produced.statusCode()).as(produced.body()).isEqualTo(200);
            long offset = JSON.readTree(produced.body()).get("offsets").get(0).get("offset").asLong();
            for (int reader = 1; reader <= 3; reader++) {
                if (reader == writer) {
                    continue;
                }
                // A read that starts below this node's high watermark must not stop short of it either.
                long from = Math.max(0, offset - 1);
                HttpResponse<String> span = cluster.send(reader, "GET", "/api/v1/topics/" + TOPIC
                        + "/partitions/0/records?offset=" + from + "&maxRecords=10", null);
                JsonNode spanRecords = span.statusCode() == 200 ? JSON.readTree(span.body()).get("records") : null;
                if (spanRecords == null || spanRecords.isEmpty()
                        || spanRecords.get(spanRecords.size() - 1).get("offset").asLong() < offset) {
                    misses.add("a read from " + from + " via node " + reader + " ended before " + offset + ": "
                            + span.statusCode() + " " + span.body());
                }
                // Describe next: the reads below catch this node up with the leader themselves.
                JsonNode described = JSON.readTree(cluster.send(reader, "GET", "/api/v1/topics/" + TOPIC, null).body())
                        .get("partitionDetails").get(0);
                if (described.get("highWatermark").asLong() <= offset) {
                    misses.add("describe on node " + reader + " shows high watermark "
                            + described.get("highWatermark").asLong() + " after " + offset + " was acknowledged");
                }
                HttpResponse<String> fetched = cluster.send(reader, "GET", "/api/v1/topics/" + TOPIC
                        + "/partitions/0/records?offset=" + offset + "&maxRecords=1", null);
                JsonNode records = fetched.statusCode() == 200 ? JSON.readTree(fetched.body()).get("records") : null;
                if (records == null || records.isEmpty() || records.get(0).get("offset").asLong() != offset
                        || records.get(0).get("value").asInt() != i) {
                    misses.add("record " + i + " at " + offset + " via node " + reader + ": " + fetched.statusCode()
                            + " " + fetched.body());
                }
                HttpResponse<String> latest = cluster.send(reader, "GET", "/api/v1/topics/" + TOPIC
                        + "/partitions/0/offsets?at=latest", null);
                long highWatermark = JSON.readTree(latest.body()).get("offset").asLong();
                if (highWatermark <= offset) {
                    misses.add("latest offset " + highWatermark + " on node " + reader + " after " + offset
                            + " was acknowledged");
                }
            }
        }
        assertThat(misses).as("reads that missed an acknowledged write").isEmpty();
    }

    private void awaitTopicOnEveryNode() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (int node = 1; node <= 3; node++) {
            while (cluster.send(node, "GET", "/api/v1/topics/" + TOPIC, null).statusCode() != 200) {
                assertThat(System.nanoTime()).as("topic visible on node " + node).isLessThan(deadline);
                Thread.sleep(50);
            }
        }
    }
}
