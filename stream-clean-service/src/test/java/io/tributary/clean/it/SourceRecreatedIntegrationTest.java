package io.tributary.clean.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

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
import io.tributary.client.ConsumedRecord;
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
 * A source topic deleted and re-created under a running pipeline: the new topic's offsets start
 * at 0 again, below what the pipeline wrote for the old one, and its keys repeat the old ones.
 * Every record of the new topic must still be cleaned (a new group, producer and dedupe state
 * for the new incarnation), and the status tells which incarnation is read.
 */
@SpringBootTest(properties = {"spring.datasource.url=jdbc:h2:mem:source-recreated", "clean.runner.reconcile-interval=1s",
        "clean.mask-salt=s3cret"})
@AutoConfigureMockMvc
class SourceRecreatedIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static EmbeddedIngest ingest;

    @Autowired
    MockMvc mvc;

    @DynamicPropertySource
    static void ingestUrl(DynamicPropertyRegistry registry) throws Exception {
        Path dataDir = Files.createTempDirectory("clean-recreated-ingest");
        ingest = EmbeddedIngest.start(dataDir);
        registry.add("clean.ingest-url", ingest::url);
    }

    @AfterAll
    static void stopIngest() {
        if (ingest != null) {
            ingest.close();
        }
    }

    private static void produce(IngestProducer producer, int from, int to) {
        for (int i = from; i < to; i++) {
            producer.send("re.src", ProducerRecord.ofJson("k" + i, "{\"id\":" + i + "}"));
        }
        producer.flush();
    }

    @Test
    void everyRecordOfAReCreatedSourceIsCleaned() throws Exception {
        try (IngestClient client = IngestClient.create(ClientSettings.of(ingest.url()));
             IngestProducer producer = IngestProducer.create(ProducerSettings.builder(ClientSettings.of(ingest.url()))
                     .build())) {
            String firstId = client.createTopic(new NewTopic("re.src", 1, 1)).topicId();
            produce(producer, 0, 10);
            mvc.perform(post("/api/v1/pipelines").contentType(MediaType.APPLICATION_JSON).content("""
                    {"name":"recreated","source":"re.src","sink":"re.clean","deadLetter":"re.dlq",
                     "steps":[{"type":"dedupe","field":"/id","window":"1h"},
                              {"type":"insert","field":"/cleaned","value":true}]}""")).andExpect(status().isCreated());
            await().atMost(Duration.ofSeconds(60)).until(() -> PipelineIntegrationTest.count(client, "re.clean") == 10);

            client.deleteTopic("re.src");
            String secondId = client.createTopic(new NewTopic("re.src", 1, 1)).topicId();
            assertThat(secondId).isNotEqualTo(firstId);
            // Offsets 0..19 again, ids 0..9 repeating the old topic's.
            produce(producer, 0, 20);

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                    PipelineIntegrationTest.count(client, "re.clean")).as("records in the sink").isGreaterThanOrEqualTo(30));
            List<Integer> ids = new ArrayList<>();
            for (ConsumedRecord r : PipelineIntegrationTest.readAll(client, "re.clean")) {
                ids.add(r.value().path("id").asInt());
            }
            List<Integer> expected = new ArrayList<>(IntStream.range(0, 10).boxed().toList());
            expected.addAll(IntStream.range(0, 20).boxed().toList());
            assertThat(ids).containsExactlyInAnyOrderElementsOf(expected);

            JsonNode status = JSON.readTree(mvc.perform(get("/api/v1/pipelines/recreated/status")).andReturn()
                    .getResponse().getContentAsString());
            assertThat(status.path("sourceIncarnation").path("topicId").asString()).isEqualTo(secondId);
            assertThat(status.path("sourceIncarnation").path("previousTopicId").asString()).isEqualTo(firstId);
            assertThat(status.path("sourceIncarnation").path("changedAt").isMissingNode()).isFalse();
        }
    }
}
