package io.tributary.ingest.replication;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The partition and producer-name caps on the cluster path (through the metadata Raft group):
 * checked before a command is proposed, so the replicated apply never refuses.
 */
class ClusterLimitsTest {

    /** Read by each node at start (LoopbackCluster's own arguments win, these are not among them). */
    private static final Map<String, String> LIMITS = Map.of(
            "ingest.limits.max-partitions-per-topic", "4",
            "ingest.limits.max-partitions", "10",
            "ingest.limits.max-producer-names", "1");

    private static LoopbackCluster cluster;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        LIMITS.forEach(System::setProperty);
        try {
            cluster = new LoopbackCluster(Files.createTempDirectory("ingest-cluster-limits-"), 1).startAll();
        } finally {
            LIMITS.keySet().forEach(System::clearProperty); // bound at start; keep other test classes clean
        }
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private HttpResponse<String> post(String path, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(cluster.baseUrl(1) + path))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> create(String name, int partitions) throws Exception {
        return post("/api/v1/topics", "{\"name\":\"" + name + "\",\"partitions\":" + partitions
                + ",\"replicationFactor\":1}");
    }

    @Test
    void capsAreCheckedBeforeProposing() throws Exception {
        HttpResponse<String> wide = create("cl.wide", 5);
        assertThat(wide.statusCode()).as(wide.body()).isEqualTo(400);
        assertThat(wide.body()).contains("invalid-topic").contains("max-partitions-per-topic");
        HttpResponse<String> first = create("cl.first", 4);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        HttpResponse<String> over = create("cl.second", 3);
        assertThat(over.statusCode()).as(over.body()).isEqualTo(422);
        assertThat(over.body()).contains("limit-reached").contains("\"retriable\":false");

        assertThat(post("/api/v1/producers", "{\"name\":\"a\"}").statusCode()).isEqualTo(200);
        assertThat(post("/api/v1/producers", "{\"name\":\"a\"}").statusCode()).isEqualTo(200);
        HttpResponse<String> names = post("/api/v1/producers", "{\"name\":\"b\"}");
        assertThat(names.statusCode()).as(names.body()).isEqualTo(422);
        assertThat(names.body()).contains("max-producer-names");
    }
}
