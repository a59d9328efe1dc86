package io.tributary.clean.it;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

import io.tributary.client.ClientSettings;
import io.tributary.client.IngestClient;
import io.tributary.client.NewTopic;
import io.tributary.client.producer.IngestProducer;
import io.tributary.client.producer.ProducerRecord;
import io.tributary.client.producer.ProducerSettings;
import io.tributary.testkit.EmbeddedIngest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * While the ingest service is down the pipeline waits and says so in its status and in health;
 * when it is back the pipeline resumes by itself, losing and duplicating nothing.
 */
@SpringBootTest(properties = {"spring.datasource.url=jdbc:h2:mem:outage-it", "clean.runner.reconcile-interval=1s",
        "clean.runner.session-timeout=3s", "clean.runner.heartbeat-interval=500ms", "clean.ingest.retry-attempts=2",
        "clean.ingest.retry-backoff=50ms", "clean.ingest.open-wait=1s"})
@AutoConfigureMockMvc
class IngestOutageTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static Path dataDir;
    private static int port;
    private static EmbeddedIngest ingest;

    @Autowired
    MockMvc mvc;

    @DynamicPropertySource
    static void ingestUrl(DynamicPropertyRegistry registry) throws Exception {
        dataDir = Files.createTempDirectory("clean-outage-ingest");
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ingest = EmbeddedIngest.start(dataDir, port);
        registry.add("clean.ingest-url", ingest::url);
    }

    @AfterAll
    static void stopIngest() {
        if (ingest != null) {
            ingest.close();
        }
    }

    private JsonNode pipelineStatus() throws Exception {
        return JSON.readTree(mvc.perform(get("/api/v1/pipelines/outage/status")).andReturn().getResponse()
                .getContentAsString());
    }

    @Test
    void shouldReportTheOutageAndResumeWithoutLossWhenIngestIsBack() throws Exception {
        String url = ingest.url();
        try (IngestClient client = IngestClient.create(ClientSettings.of(url))) {
            client.createTopic(new NewTopic("raw.outage", 2, 1));
            produce(url, 0, 500);
            mvc.perform(post("/api/v1/pipelines").contentType(MediaType.APPLICATION_JSON).content("""
                    {"name":"outage","source":"raw.outage","sink":"clean.outage","deadLetter":"dlq.outage",
                     "steps":[{"type":"insert","field":"/ok","value":true}]}""")).andExpect(status().isCreated());
            await().atMost(Duration.ofSeconds(60)).until(() -> PipelineIntegrationTest.count(client, "clean.outage") == 500);

            ingest.close();
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    pipelineStatus().path("state").asString().equals("INGEST_UNAVAILABLE"));
            assertThat(pipelineStatus().path("lastError").path("message").asString()).contains("unavailable");
            mvc.perform(get("/actuator/health")).andExpect(status().isServiceUnavailable());

            ingest = EmbeddedIngest.start(dataDir, port);
            produce(url, 500, 1_000);
            await().atMost(Duration.ofSeconds(60)).until(() -> pipelineStatus().path("state").asString()
                    .equals("RUNNING"));
            CaughtUp.await(client, "raw.outage", this::pipelineStatus);
            Set<Integer> ids = new HashSet<>();
            PipelineIntegrationTest.readAll(client, "clean.outage")
                    .forEach(record -> assertThat(ids.add(record.value().path("id").asInt())).isTrue());
            assertThat(ids).hasSize(1_000);
            mvc.perform(get("/actuator/health")).andExpect(status().isOk());
            mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete(
                    "/api/v1/pipelines/outage")).andExpect(status().isNoContent());
        }
    }

    private static void produce(String url, int from, int to) {
        try (IngestProducer producer = IngestProducer.create(ProducerSettings.builder(ClientSettings.of(url)).build())) {
            for (int i = from; i < to; i++) {
                producer.send("raw.outage", ProducerRecord.ofJson("k" + i, "{\"id\":" + i + "}"));
            }
            producer.flush();
        }
    }
}
