package io.tributary.clean.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.client.ClientSettings;
import io.tributary.client.ConsumedRecord;
import io.tributary.client.IngestClient;
import io.tributary.client.NewTopic;
import io.tributary.client.producer.IngestProducer;
import io.tributary.client.producer.ProducerRecord;
import io.tributary.client.producer.ProducerSettings;
import io.tributary.testkit.EmbeddedIngest;
import io.tributary.testkit.ServiceProcess;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances of the cleaning service (separate JVMs sharing one H2 database in mixed mode)
 * share a pipeline's partitions through its consumer group; when one stops, the other takes
 * over all partitions and nothing is lost or duplicated.
 */
class ScalingTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int PARTITIONS = 4;

    @TempDir
    Path temp;

    private EmbeddedIngest ingest;
    private ServiceProcess first;
    private ServiceProcess second;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() throws Exception {
        for (ServiceProcess process : new ServiceProcess[] {first, second}) {
            if (process != null) {
                process.kill();
            }
        }
        if (ingest != null) {
            ingest.close();
        }
    }

    @Test
    void shouldShareThePartitionsBetweenTwoInstancesAndRebalanceWhenOneStops() throws Exception {
        ingest = EmbeddedIngest.start(Files.createDirectories(temp.resolve("ingest")));
        Path data = Files.createDirectories(temp.resolve("clean-db"));
        String sharedDb = "--spring.datasource.url=jdbc:h2:file:" + data.resolve("clean").toAbsolutePath()
                + ";AUTO_SERVER=TRUE;WRITE_DELAY=0";
        ClientSettings settings = ClientSettings.of(ingest.url());
        try (IngestClient client = IngestClient.create(settings);
             IngestProducer producer = IngestProducer.create(ProducerSettings.builder(settings).build())) {
            client.createTopic(new NewTopic("raw.scale", PARTITIONS, 1));
            first = CleanServiceProcess.start(ingest.url(), data, temp.resolve("first.log"), sharedDb)
                    .awaitReady(Duration.ofSeconds(90));
            second = CleanServiceProcess.start(ingest.url(), data, temp.resolve("second.log"), sharedDb)
                    .awaitReady(Duration.ofSeconds(90));
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(first.url() + "/api/v1/pipelines"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"name":"scale","source":"raw.scale","sink":"clean.scale","deadLetter":"dlq.scale",
                             "steps":[{"type":"insert","field":"/cleaned","value":true}]}""")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

            // Both instances run the pipeline (the second learns of it from the shared database) and split the partitions.
            await().atMost(Duration.ofSeconds(60)).until(() -> ownedPartitions(first).size() == 2
                    && ownedPartitions(second).size() == 2);
            Set<Integer> owned = new HashSet<>(ownedPartitions(first));
            owned.addAll(ownedPartitions(second));
            assertThat(owned).containsExactlyInAnyOrder(0, 1, 2, 3);

            send(producer, 0, 2_000);
            await().atMost(Duration.ofSeconds(60)).until(() -> PipelineIntegrationTest.count(client, "clean.scale") == 2_000);
            assertThat(recordsIn(first)).isPositive();
            assertThat(recordsIn(second)).isPositive();
            assertThat(recordsIn(first) + recordsIn(second)).isEqualTo(2_000);

            // The second instance stops gracefully: it leaves the group and the first takes every partition.
            second.close();
            second = null;
            await().atMost(Duration.ofSeconds(60)).until(() -> ownedPartitions(first).size() == PARTITIONS);
            send(producer, 2_000, 4_000);
            CaughtUp.await(client, "raw.scale", () -> status(first));

            List<ConsumedRecord> clean = PipelineIntegrationTest.readAll(client, "clean.scale");
            Set<Integer> ids = new HashSet<>();
            clean.forEach(record -> assertThat(ids.add(record.value().path("id").asInt())).isTrue());
            assertThat(ids).hasSize(4_000).allMatch(id -> id >= 0 && id < 4_000);
        }
    }

    private static void send(IngestProducer producer, int from, int to) {
        for (int i = from; i < to; i++) {
            producer.send("raw.scale", ProducerRecord.ofJson("k" + i, "{\"id\":" + i + "}"));
        }
        producer.flush();
    }

    private JsonNode status(ServiceProcess process) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(process.url()
                + "/api/v1/pipelines/scale/status")).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    private Set<Integer> ownedPartitions(ServiceProcess process) throws Exception {
        Set<Integer> partitions = new HashSet<>();
        status(process).path("partitions").forEach(p -> partitions.add(p.path("partition").asInt()));
        return partitions;
    }

    private long recordsIn(ServiceProcess process) throws Exception {
        return status(process).path("records").path("in").asLong();
    }
}
