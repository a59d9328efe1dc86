package io.tributary.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

import io.tributary.analytics.store.JobStore;
import io.tributary.client.ClientSettings;
import io.tributary.client.IngestClient;
import io.tributary.client.NewTopic;
import io.tributary.client.producer.IngestProducer;
import io.tributary.client.producer.ProducerRecord;
import io.tributary.client.producer.ProducerSettings;
import io.tributary.testkit.EmbeddedIngest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A checkpoint written by a version without topic ids (source_topic_id null): the job adopts the
 * source's current id as soon as it starts, durably, and carries on from the checkpoint, neither
 * failing nor reading the source again; a later re-creation of the source is then recognised.
 */
@SpringBootTest(properties = {"spring.datasource.url=jdbc:h2:mem:checkpoint-before-topic-ids-it",
        "analytics.runner.error-backoff=200ms"})
@AutoConfigureMockMvc
class CheckpointBeforeTopicIdsIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long T0 = 1_700_000_040_000L;
    private static EmbeddedIngest ingest;

    @Autowired
    MockMvc mvc;

    @Autowired
    JobStore store;

    @Autowired
    JdbcTemplate jdbc;

    @DynamicPropertySource
    static void ingestUrl(DynamicPropertyRegistry registry) throws Exception {
        Path dataDir = Files.createTempDirectory("analytics-legacy-checkpoint-ingest");
        ingest = EmbeddedIngest.start(dataDir);
        registry.add("analytics.ingest-url", ingest::url);
    }

    @AfterAll
    static void stopIngest() {
        if (ingest != null) {
            ingest.close();
        }
    }

    private static void produce(int from, int to) {
        try (IngestProducer producer = IngestProducer.create(ProducerSettings.builder(ClientSettings.of(ingest.url()))
                .build())) {
            for (int i = from; i < to; i++) {
                producer.send("old.clicks", ProducerRecord.ofJson("u" + i, "{\"ts\":" + (T0 + i)
                        + ",\"country\":\"de\"}"));
            }
            producer.flush();
        }
    }

    private long consumed() {
        return store.offsets(store.checkpoint("oldcount")).values().stream().mapToLong(Long::longValue).sum();
    }

    private JsonNode job() throws Exception {
        return JSON.readTree(mvc.perform(get("/api/v1/jobs/oldcount")).andReturn().getResponse().getContentAsString());
    }

    @Test
    void aCheckpointWithoutSourceTopicIdAdoptsTheCurrentIdAtStartAndResumes() throws Exception {
        try (IngestClient client = IngestClient.create(ClientSettings.of(ingest.url()))) {
            String topicId = client.createTopic(new NewTopic("old.clicks", 1, 1)).topicId();
            produce(0, 10);
            mvc.perform(post("/api/v1/jobs").contentType(MediaType.APPLICATION_JSON).content("""
                    {"name":"oldcount","source":"old.clicks","eventTime":"/ts","watermark":"PT11M",
                     "window":{"type":"tumbling","size":"PT1M"},"groupBy":["/country"],"outputMode":"update",
                     "trigger":{"type":"processing-time","interval":"PT0.2S"},
                     "aggregations":[{"name":"n","function":"count"}]}""")).andExpect(status().isCreated());
            mvc.perform(post("/api/v1/jobs/oldcount/start")).andExpect(status().isOk());
            await().atMost(Duration.ofSeconds(60)).until(() -> consumed() == 10);
            mvc.perform(post("/api/v1/jobs/oldcount/stop")).andExpect(status().isOk());
            await().atMost(Duration.ofSeconds(30)).until(() -> "STOPPED".equals(job().path("status").asString()));

            // As the version before topic ids left it.
            assertThat(jdbc.update("UPDATE analytics_checkpoint SET source_topic_id = NULL WHERE job_name = ?",
                    "oldcount")).isEqualTo(1);

            mvc.perform(post("/api/v1/jobs/oldcount/start")).andExpect(status().isOk());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    store.checkpoint("oldcount").getSourceTopicId()).as("adopted at start, before any new batch")
                    .isEqualTo(topicId));
            assertThat(job().path("status").asString()).isEqualTo("RUNNING");
            assertThat(consumed()).isEqualTo(10);

            produce(10, 15);
            await().atMost(Duration.ofSeconds(60)).until(() -> consumed() == 15);
            JsonNode page = JSON.readTree(mvc.perform(get("/api/v1/jobs/oldcount/results"))
                    .andExpect(status().isOk()).andReturn().getResponse().getContentAsString());
            assertThat(page.path("totalRows").asLong()).isEqualTo(1);
            assertThat(page.path("rows").get(0).path("values").path("n").asLong()).as("nothing read twice")
                    .isEqualTo(15);
        }
    }
}
