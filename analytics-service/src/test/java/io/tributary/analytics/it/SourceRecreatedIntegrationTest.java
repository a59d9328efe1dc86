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
 * A job's source deleted and re-created under it: the checkpoint's offsets belong to the deleted
 * topic, so the job must not apply them to the new one (which would skip its first records). As
 * a Spark query with failOnDataLoss (its default), the job fails and says why and what to do;
 * after a reset it reads the new topic from its beginning.
 */
@SpringBootTest(properties = {"spring.datasource.url=jdbc:h2:mem:source-recreated-it",
        "analytics.runner.error-backoff=200ms"})
@AutoConfigureMockMvc
class SourceRecreatedIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long T0 = 1_700_000_040_000L;
    private static EmbeddedIngest ingest;

    @Autowired
    MockMvc mvc;

    @Autowired
    JobStore store;

    @DynamicPropertySource
    static void ingestUrl(DynamicPropertyRegistry registry) throws Exception {
        Path dataDir = Files.createTempDirectory("analytics-recreated-ingest");
        ingest = EmbeddedIngest.start(dataDir);
        registry.add("analytics.ingest-url", ingest::url);
    }

    @AfterAll
    static void stopIngest() {
        if (ingest != null) {
            ingest.close();
        }
    }

    private static void produce(int count) {
        try (IngestProducer producer = IngestProducer.create(ProducerSettings.builder(ClientSettings.of(ingest.url()))
                .build())) {
            for (int i = 0; i < count; i++) {
                producer.send("re.clicks", ProducerRecord.ofJson("u" + i, "{\"ts\":" + (T0 + i) + ",\"country\":\"de\"}"));
            }
            producer.flush();
        }
    }

    private long consumed() {
        return store.offsets(store.checkpoint("recount")).values().stream().mapToLong(Long::longValue).sum();
    }

    private JsonNode job() throws Exception {
        return JSON.readTree(mvc.perform(get("/api/v1/jobs/recount")).andReturn().getResponse().getContentAsString());
    }

    @Test
    void aJobOnAReCreatedSourceFailsWithAClearErrorAndReadsTheNewTopicAfterAReset() throws Exception {
        try (IngestClient client = IngestClient.create(ClientSettings.of(ingest.url()))) {
            client.createTopic(new NewTopic("re.clicks", 1, 1));
            produce(10);
            mvc.perform(post("/api/v1/jobs").contentType(MediaType.APPLICATION_JSON).content("""
                    {"name":"recount","source":"re.clicks","eventTime":"/ts","watermark":"PT11M",
                     "window":{"type":"tumbling","size":"PT1M"},"groupBy":["/country"],"outputMode":"update",
                     "trigger":{"type":"processing-time","interval":"PT0.2S"},
                     "aggregations":[{"name":"n","function":"count"}]}""")).andExpect(status().isCreated());
            mvc.perform(post("/api/v1/jobs/recount/start")).andExpect(status().isOk());
            await().atMost(Duration.ofSeconds(60)).until(() -> consumed() == 10);

            client.deleteTopic("re.clicks");
            client.createTopic(new NewTopic("re.clicks", 1, 1));
            produce(20);

            await().atMost(Duration.ofSeconds(60)).until(() -> "FAILED".equals(job().path("status").asString()));
            String error = job().path("lastError").asString();
            assertThat(error).contains("re.clicks", "deleted and re-created", "reset");
            assertThat(consumed()).as("no offset of the new topic was committed").isEqualTo(10);

            mvc.perform(post("/api/v1/jobs/recount/reset")).andExpect(status().isOk());
            mvc.perform(post("/api/v1/jobs/recount/start")).andExpect(status().isOk());
            await().atMost(Duration.ofSeconds(60)).until(() -> consumed() == 20);
            assertThat(job().path("status").asString()).isEqualTo("RUNNING");
        }
    }
}
