package io.tributary.clean.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

import io.tributary.clean.config.CleanProperties;
import io.tributary.clean.runner.IngestGateway;
import io.tributary.clean.runner.IngestUnavailableException;
import io.tributary.client.ClientSettings;
import io.tributary.client.ConsumedRecord;
import io.tributary.client.IngestClient;
import io.tributary.client.IngestException;
import io.tributary.client.NewTopic;
import io.tributary.client.ProducerIdentity;
import io.tributary.client.producer.IngestProducer;
import io.tributary.client.producer.ProducerRecord;
import io.tributary.client.producer.ProducerSettings;
import io.tributary.client.producer.RecordMetadata;
import io.tributary.client.producer.SequencedTree;
import io.tributary.support.identity.TokenMinter;
import io.tributary.testkit.EmbeddedIngest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static io.tributary.clean.it.PipelineIntegrationTest.count;
import static io.tributary.clean.it.PipelineIntegrationTest.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * Fault test: the sink refuses what it cannot take ({@code max.message.bytes} of 2 KiB, so a
 * poll's batch is too large as a whole and one cleaned record is too large on its own), and the
 * dead-letter topic (8 KiB) refuses one record that is too large for it too. The good records
 * around them must all be in the sink exactly once, the one the sink refused in the dead letters
 * with its value and the reason, the one neither topic takes in the dead letters as an envelope
 * without its value, and the pipeline RUNNING. The same again with the worker failing at the
 * worst moments (a sink write after a refusal acknowledged but its answer lost; the dead letter of
 * a refused record lost, then written with its answer lost): the replays must neither skip the
 * refused records nor write anything twice.
 */
@SpringBootTest(properties = {"spring.datasource.url=jdbc:h2:mem:refused-it", "clean.runner.reconcile-interval=1s",
        "clean.runner.max-poll-records=50"})
@AutoConfigureMockMvc
class RefusedRecordsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int GOOD = 300;
    private static Path dataDir;
    private static EmbeddedIngest ingest;

    @Autowired
    MockMvc mvc;

    @DynamicPropertySource
    static void ingestUrl(DynamicPropertyRegistry registry) throws Exception {
        dataDir = Files.createTempDirectory("clean-refused-ingest");
        ingest = EmbeddedIngest.start(dataDir);
        registry.add("clean.ingest-url", ingest::url);
    }

    @AfterAll
    static void stopIngest() {
        if (ingest != null) {
            ingest.close();
        }
    }

    @Test
    void shouldDeadLetterWhatTheSinkRefusesAndKeepEveryGoodRecordExactlyOnce() throws Exception {
        String big = "b".repeat(4_000);
        String huge = "h".repeat(20_000);
        try (IngestClient client = IngestClient.create(ClientSettings.of(ingest.url()));
             IngestProducer producer = IngestProducer.create(ProducerSettings.builder(ClientSettings.of(ingest.url()))
                     .build())) {
            client.createTopic(new NewTopic("raw.refused", 2, 1));
            client.createTopic(new NewTopic("clean.refused", 2, 1, Map.of("max.message.bytes", "2048")));
            client.createTopic(new NewTopic("dlq.refused", 2, 1, Map.of("max.message.bytes", "8192")));
            mvc.perform(post("/api/v1/pipelines").contentType(MediaType.APPLICATION_JSON).content("""
                    {"name":"refused","source":"raw.refused","sink":"clean.refused","deadLetter":"dlq.refused",
                     "steps":[{"type":"insert","field":"/cleaned","value":true}]}""")).andExpect(status().isCreated());

            for (int i = 0; i < GOOD; i++) {
                producer.send("raw.refused", ProducerRecord.ofJson("k" + i, "{\"id\":" + i + ",\"note\":\"fine\"}"));
                if (i == 100) {
                    producer.send("raw.refused", ProducerRecord.ofJson("big", "{\"id\":-1,\"pad\":\"" + big + "\"}"));
                }
                if (i == 200) {
                    producer.send("raw.refused", ProducerRecord.ofJson("huge", "{\"id\":-2,\"pad\":\"" + huge + "\"}"));
                }
            }
            producer.flush();

            await().atMost(Duration.ofSeconds(90)).until(() -> count(client, "clean.refused") == GOOD
                    && count(client, "dlq.refused") == 2);

            Map<Integer, Integer> seen = new HashMap<>();
            for (ConsumedRecord record : readAll(client, "clean.refused")) {
                seen.merge(record.value().path("id").asInt(), 1, Integer::sum);
                assertThat(record.value().path("cleaned").asBoolean()).isTrue();
            }
            assertThat(seen).hasSize(GOOD).allSatisfy((id, times) -> assertThat(times).as("id " + id).isEqualTo(1));
            assertThat(seen.keySet()).allSatisfy(id -> assertThat(id).isBetween(0, GOOD - 1));

            Map<String, ConsumedRecord> dead = new HashMap<>();
            for (ConsumedRecord record : readAll(client, "dlq.refused")) {
                assertThat(dead.put(record.key(), record)).isNull();
            }
            assertThat(dead).containsOnlyKeys("big", "huge");
            ConsumedRecord bigDead = dead.get("big");
            assertThat(bigDead.value().path("pad").asString()).isEqualTo(big);
            assertThat(bigDead.headers()).containsEntry("step", "sink").containsEntry("source.topic", "raw.refused")
                    .containsKeys("source.partition", "source.offset");
            assertThat(bigDead.headers().get("reason")).contains("clean.refused").contains("max.message.bytes");

            ConsumedRecord hugeDead = dead.get("huge");
            JsonNode envelope = hugeDead.value();
            assertThat(envelope.path("valueOmitted").asBoolean()).isTrue();
            assertThat(envelope.path("valueBytes").asLong()).isGreaterThan(20_000);
            assertThat(envelope.path("source").path("topic").asString()).isEqualTo("raw.refused");
            assertThat(envelope.path("source").path("offset").asLong())
                    .isEqualTo(Long.parseLong(hugeDead.headers().get("source.offset")));
            assertThat(envelope.path("reason").asString()).contains("dlq.refused");
            assertThat(hugeDead.headers()).containsEntry("step", "sink").containsEntry("value.omitted", "true");
            assertThat(hugeDead.headers().get("reason")).contains("clean.refused");

            JsonNode status = pipelineStatus();
            assertThat(status.path("state").asString()).isEqualTo("RUNNING");
            JsonNode counts = status.path("records");
            assertThat(List.of(counts.path("in").asLong(), counts.path("out").asLong(),
                    counts.path("deadLettered").asLong(), counts.path("refused").asLong(),
                    counts.path("valueOmitted").asLong()))
                    .containsExactly((long) GOOD + 2, (long) GOOD + 2, 0L, 2L, 1L);
        }
    }

    @Test
    void shouldNeitherSkipNorDuplicateWhenTheWorkerFailsAroundARefusal() throws Exception {
        String big = "b".repeat(4_000);
        String huge = "h".repeat(20_000);
        try (IngestClient client = IngestClient.create(ClientSettings.of(ingest.url()));
             IngestProducer producer = IngestProducer.create(ProducerSettings.builder(ClientSettings.of(ingest.url()))
                     .build())) {
            client.createTopic(new NewTopic("raw.replay", 2, 1));
            client.createTopic(new NewTopic("clean.replay", 2, 1, Map.of("max.message.bytes", "2048")));
            client.createTopic(new NewTopic("dlq.replay", 2, 1, Map.of("max.message.bytes", "8192")));
            mvc.perform(post("/api/v1/pipelines").contentType(MediaType.APPLICATION_JSON).content("""
                    {"name":"replay","source":"raw.replay","sink":"clean.replay","deadLetter":"dlq.replay",
                     "steps":[{"type":"insert","field":"/cleaned","value":true}]}""")).andExpect(status().isCreated());
            for (int i = 0; i < GOOD; i++) {
                producer.send("raw.replay", ProducerRecord.ofJson("k" + i, "{\"id\":" + i + ",\"note\":\"fine\"}"));
                if (i % 100 == 50) {
                    producer.send("raw.replay", ProducerRecord.ofJson("big" + i, "{\"id\":-1,\"pad\":\"" + big
                            + "\"}"));
                }
                if (i == 120) {
                    producer.send("raw.replay", ProducerRecord.ofJson("huge", "{\"id\":-2,\"pad\":\"" + huge
                            + "\"}"));
                }
            }
            producer.flush();

            await().atMost(Duration.ofSeconds(120)).until(() -> count(client, "clean.replay") == GOOD
                    && count(client, "dlq.replay") == 4 && "RUNNING".equals(replayState()));
            assertThat(FaultyGateway.faults.get()).as("faults injected").isEqualTo(3);

            Map<Integer, Integer> seen = new HashMap<>();
            for (ConsumedRecord record : readAll(client, "clean.replay")) {
                seen.merge(record.value().path("id").asInt(), 1, Integer::sum);
            }
            assertThat(seen).hasSize(GOOD).allSatisfy((id, times) -> assertThat(times).as("id " + id).isEqualTo(1));
            Map<String, ConsumedRecord> dead = new HashMap<>();
            for (ConsumedRecord record : readAll(client, "dlq.replay")) {
                assertThat(dead.put(record.key(), record)).as(record.key()).isNull();
            }
            assertThat(dead).containsOnlyKeys("big50", "big150", "big250", "huge");
            assertThat(dead.get("big150").value().path("pad").asString()).isEqualTo(big);
            assertThat(dead.get("huge").value().path("valueOmitted").asBoolean()).isTrue();
        }
    }

    @Test
    void shouldDeadLetterRecordsTheSinkRefusesAsInvalid() throws Exception {
        // A compacted sink takes no keyless record (400 invalid-record): those are dead-lettered, the rest flows.
        try (IngestClient client = IngestClient.create(ClientSettings.of(ingest.url()));
             IngestProducer producer = IngestProducer.create(ProducerSettings.builder(ClientSettings.of(ingest.url()))
                     .build())) {
            client.createTopic(new NewTopic("raw.keyless", 1, 1));
            client.createTopic(new NewTopic("clean.keyless", 1, 1, Map.of("cleanup.policy", "compact")));
            mvc.perform(post("/api/v1/pipelines").contentType(MediaType.APPLICATION_JSON).content("""
                    {"name":"keyless","source":"raw.keyless","sink":"clean.keyless","deadLetter":"dlq.keyless",
                     "steps":[{"type":"insert","field":"/cleaned","value":true}]}""")).andExpect(status().isCreated());
            for (int i = 0; i < 100; i++) {
                producer.send("raw.keyless", ProducerRecord.ofJson(i % 40 == 7 ? null : "k" + i, "{\"id\":" + i + "}"));
            }
            producer.flush();

            await().atMost(Duration.ofSeconds(90)).until(() -> count(client, "clean.keyless") == 97
                    && count(client, "dlq.keyless") == 3);
            List<ConsumedRecord> dead = readAll(client, "dlq.keyless");
            assertThat(dead).extracting(record -> record.value().path("id").asInt()).containsExactly(7, 47, 87);
            assertThat(dead).allSatisfy(record -> {
                assertThat(record.headers()).containsEntry("step", "sink");
                assertThat(record.headers().get("reason")).contains("400").contains("key");
            });
            assertThat(readAll(client, "clean.keyless")).extracting(record -> record.value().path("id").asInt())
                    .doesNotContain(7, 47, 87).doesNotHaveDuplicates().hasSize(97);
            assertThat(JSON.readTree(mvc.perform(get("/api/v1/pipelines/keyless/status")).andReturn().getResponse()
                    .getContentAsString()).path("state").asString()).isEqualTo("RUNNING");
        }
    }

    private String replayState() throws Exception {
        return JSON.readTree(mvc.perform(get("/api/v1/pipelines/replay/status")).andReturn().getResponse()
                .getContentAsString()).path("state").asString();
    }

    private JsonNode pipelineStatus() throws Exception {
        return JSON.readTree(mvc.perform(get("/api/v1/pipelines/refused/status")).andReturn().getResponse()
                .getContentAsString());
    }

    /** The real gateway, failing three times on the "replay" pipeline's topics, each fault once. */
    static final class FaultyGateway extends IngestGateway {

        static final AtomicInteger faults = new AtomicInteger();
        private final AtomicBoolean sinkRefused = new AtomicBoolean();
        private final AtomicBoolean ackLostAfterRefusal = new AtomicBoolean();
        private final AtomicInteger refusedDeadLetters = new AtomicInteger();

        FaultyGateway(CleanProperties properties, TokenMinter identity) {
            super(properties, identity);
        }

        @Override
        public List<RecordMetadata> send(String topic, int partition, List<SequencedTree> records,
                                         ProducerIdentity identity) {
            if (topic.equals("clean.replay")) {
                List<RecordMetadata> written;
                try {
                    written = super.send(topic, partition, records, identity);
                } catch (IngestException e) {
                    if (e.status() == 413 && records.size() == 1) {
                        sinkRefused.set(true);
                    }
                    throw e;
                }
                if (sinkRefused.get() && ackLostAfterRefusal.compareAndSet(false, true)) {
                    faults.incrementAndGet();
                    throw new IngestUnavailableException("injected: the answer to a sink write after a refusal was lost",
                            null);
                }
                return written;
            }
            if (topic.equals("dlq.replay") && records.stream().anyMatch(r -> "sink".equals(r.headers().get("step")))) {
                int seen = refusedDeadLetters.incrementAndGet();
                if (seen == 1) {
                    faults.incrementAndGet();
                    throw new IngestUnavailableException("injected: the dead letter of a refused record was lost", null);
                }
                List<RecordMetadata> written = super.send(topic, partition, records, identity);
                if (seen == 2) {
                    faults.incrementAndGet();
                    throw new IngestUnavailableException("injected: the answer to a refused record's dead letter was lost",
                            null);
                }
                return written;
            }
            return super.send(topic, partition, records, identity);
        }
    }

    @TestConfiguration
    static class Faults {
        @Bean
        @Primary
        IngestGateway faultyGateway(CleanProperties properties, TokenMinter identity) {
            return new FaultyGateway(properties, identity);
        }
    }
}
