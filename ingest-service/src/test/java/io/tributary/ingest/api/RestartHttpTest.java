package io.tributary.ingest.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.tributary.client.ClientSettings;
import io.tributary.client.producer.IngestProducer;
import io.tributary.client.producer.ProducerRecord;
import io.tributary.client.producer.ProducerSettings;
import io.tributary.client.producer.RecordMetadata;
import io.tributary.ingest.IngestApplication;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A clean restart of the service on the same data folder: every record, topic config, producer
 * identity and producer sequence state is still there, and new writes continue after the old.
 */
class RestartHttpTest {

    @TempDir
    Path data;

    private ConfigurableApplicationContext context;

    private Http start() {
        context = new SpringApplicationBuilder(IngestApplication.class)
                // Arguments, not builder properties: those are defaults that application.yml overrides.
                .run("--server.port=0", "--ingest.data-dir=" + data, "--spring.jmx.enabled=false",
                        "--spring.lifecycle.timeout-per-shutdown-phase=2s");
        return new Http(Integer.parseInt(context.getEnvironment().getProperty("local.server.port")));
    }

    private void stop() {
        context.close();
        context = null;
    }

    @AfterEach
    void closeContext() {
        if (context != null) {
            context.close();
        }
    }

    private static List<List<JsonNode>> readEverything(Http http, String topic, int partitions) {
        List<List<JsonNode>> all = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            all.add(http.readAll(topic, p));
        }
        return all;
    }

    @Test
    void aRestartKeepsEveryRecordAndTheProducerState() throws Exception {
        Http http = start();
        http.createTopic("restart", 3, Map.of("segment.bytes", "16384", "retention.ms", "-1"));
        List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
        ProducerSettings settings = ProducerSettings.builder(ClientSettings.of(http.base()))
                .batchSize(100).linger(Duration.ofMillis(1)).build();
        try (IngestProducer producer = IngestProducer.create(settings)) {
            for (int i = 0; i < 3_000; i++) {
                acks.add(producer.send("restart", ProducerRecord.ofJson("k" + (i % 97),
                        "{\"i\":" + i + ",\"pad\":\"" + "p".repeat(i % 50) + "\"}")));
            }
            producer.flush();
        }
        for (CompletableFuture<RecordMetadata> f : acks) {
            assertThat(f.get(30, TimeUnit.SECONDS).hasOffset()).isTrue();
        }
        long pid = http.postJson("/api/v1/producers", "{\"name\":\"restart-writer\"}").json().path("producerId").asLong();
        String idempotent = "{\"producerId\":" + pid + ",\"producerEpoch\":0,\"baseSequence\":0,"
                + "\"records\":[{\"partition\":1,\"value\":\"idem\"}]}";
        Http.Response first = http.produce("restart", idempotent);
        assertThat(first.status()).as(first.text()).isEqualTo(200);

        List<List<JsonNode>> before = readEverything(http, "restart", 3);
        JsonNode describedBefore = http.get("/api/v1/topics/restart").json();
        assertThat(before.stream().mapToInt(List::size).sum()).isEqualTo(3_001);
        assertThat(describedBefore.path("partitionDetails").get(0).path("segments").asInt())
                .as("enough data for several segments").isGreaterThan(1);
        stop();

        http = start();
        assertThat(readEverything(http, "restart", 3)).as("every record after the restart").isEqualTo(before);
        JsonNode describedAfter = http.get("/api/v1/topics/restart").json();
        assertThat(describedAfter.path("configs")).isEqualTo(describedBefore.path("configs"));
        for (int p = 0; p < 3; p++) {
            JsonNode a = describedAfter.path("partitionDetails").get(p);
            JsonNode b = describedBefore.path("partitionDetails").get(p);
            assertThat(a.path("logEndOffset")).isEqualTo(b.path("logEndOffset"));
            assertThat(a.path("highWatermark")).isEqualTo(b.path("highWatermark"));
            assertThat(a.path("logStartOffset")).isEqualTo(b.path("logStartOffset"));
        }

        // The retried batch is still known: original offsets, no second copy.
        Http.Response retry = http.produce("restart", idempotent);
        assertThat(retry.status()).as(retry.text()).isEqualTo(200);
        assertThat(retry.json()).isEqualTo(first.json());
        // The name keeps its id and the next epoch fences the old one.
        JsonNode reinit = http.postJson("/api/v1/producers", "{\"name\":\"restart-writer\"}").json();
        assertThat(reinit.path("producerId").asLong()).isEqualTo(pid);
        assertThat(reinit.path("producerEpoch").asInt()).isEqualTo(1);
        assertThat(http.postJson("/api/v1/producers", "{}").json().path("producerId").asLong())
                .as("ids are never handed out twice").isGreaterThan(pid);

        // New writes continue after the old ones.
        Http.Response more = http.produce("restart", "{\"records\":[{\"partition\":0,\"value\":\"after\"}]}");
        assertThat(more.status()).isEqualTo(200);
        long end0 = describedBefore.path("partitionDetails").get(0).path("logEndOffset").asLong();
        assertThat(more.json().path("offsets").get(0).path("offset").asLong()).isEqualTo(end0);
        List<JsonNode> p0 = http.readAll("restart", 0);
        assertThat(p0).hasSize(before.get(0).size() + 1);
        assertThat(p0.subList(0, before.get(0).size())).isEqualTo(before.get(0));
        stop();

        // And a second restart keeps that too.
        http = start();
        assertThat(http.readAll("restart", 0)).isEqualTo(p0);
        assertThat(http.readAll("restart", 1)).isEqualTo(before.get(1));
    }
}
