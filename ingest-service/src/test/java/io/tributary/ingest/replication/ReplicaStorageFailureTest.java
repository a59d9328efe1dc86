package io.tributary.ingest.replication;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import io.tributary.ingest.topic.TopicRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A replica whose partition log fails while applying (here: the log closed under it, so every
 * append throws, as after a disk error) leaves that partition's group, reports the node not
 * ready and stops serving the partition from its own log: reads through it are answered by a
 * healthy replica, and the group keeps acknowledging writes with the other two.
 */
class ReplicaStorageFailureTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TOPIC = "disk";
    private static final int BROKEN = 2;

    private static LoopbackCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = new LoopbackCluster(Files.createTempDirectory("ingest-storage-failure-"), 3).startAll();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private long produce(int node, int value) throws Exception {
        HttpResponse<String> r = cluster.send(node, "POST", "/api/v1/topics/" + TOPIC + "/records",
                "{\"records\":[{\"partition\":0,\"value\":" + value + "}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("offsets").get(0).get("offset").asLong();
    }

    @Test
    void aReplicaWhoseLogFailsStepsAsideAndTheGroupGoesOn() throws Exception {
        HttpResponse<String> created = cluster.createTopic(1, TOPIC, 1, 3);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        List<Long> acked = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            acked.add(produce(1, i));
        }
        assertThat(cluster.send(BROKEN, "GET", "/actuator/health/readiness", null).statusCode()).isEqualTo(200);

        // The disk of node 2 fails for this partition: every append from now on throws.
        cluster.context(BROKEN).getBean(TopicRegistry.class).partition(TOPIC, 0).close();

        for (int i = 5; i < 25; i++) {
            acked.add(produce(i % 2 == 0 ? 1 : 3, i)); // through the healthy nodes, acks=all
        }
        HttpResponse<String> readiness = cluster.send(BROKEN, "GET", "/actuator/health/readiness", null);
        assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(503);
        HttpResponse<String> health = cluster.send(BROKEN, "GET", "/actuator/health", null);
        assertThat(health.body()).contains(TOPIC + "-0");

        // Reads through the broken node come from a healthy replica: every acknowledged record.
        HttpResponse<String> fetched = cluster.send(BROKEN, "GET", "/api/v1/topics/" + TOPIC
                + "/partitions/0/records?offset=0&maxRecords=100", null);
        assertThat(fetched.statusCode()).as(fetched.body()).isEqualTo(200);
        List<Long> offsets = new ArrayList<>();
        for (JsonNode r : JSON.readTree(fetched.body()).get("records")) {
            offsets.add(r.get("offset").asLong());
        }
        assertThat(offsets).containsExactlyElementsOf(acked);
        // And a produce through it still reaches the group.
        long more = produce(BROKEN, 99);
        assertThat(more).isGreaterThan(acked.get(acked.size() - 1));
    }
}
