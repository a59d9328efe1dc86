package io.tributary.clean.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

import io.tributary.clean.dedupe.DedupeClaim;
import io.tributary.clean.dedupe.DedupeSave;
import io.tributary.clean.dedupe.DedupeStore;
import io.tributary.clean.pipeline.PipelineService;
import io.tributary.clean.process.Outcome;
import io.tributary.clean.process.RecordProcessor;
import io.tributary.client.ClientSettings;
import io.tributary.client.ConsumedRecord;
import io.tributary.client.IngestClient;
import io.tributary.client.NewTopic;
import io.tributary.client.ProducerIdentity;
import io.tributary.client.TopicPartition;
import io.tributary.client.consumer.AutoOffsetReset;
import io.tributary.client.consumer.ConsumerSettings;
import io.tributary.client.consumer.GroupConsumer;
import io.tributary.client.consumer.RebalanceListener;
import io.tributary.client.producer.IngestProducer;
import io.tributary.client.producer.ProducerRecord;
import io.tributary.client.producer.ProducerSettings;
import io.tributary.client.producer.SequencedRecord;
import io.tributary.support.identity.TokenMinter;
import io.tributary.testkit.EmbeddedIngest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

/**
 * Upgrading a running deployment to the version with topic ids: a pipeline that already cleaned
 * records under the names of an older version (group {@code clean-<pipeline>}, producers
 * {@code clean-<pipeline>-<source>-<partition>}, no topic id) must carry on with that state for
 * the incarnation of the source it was reading, so nothing already in the sink is written again;
 * only a re-created source is read afresh under the id-suffixed names.
 */
@SpringBootTest(properties = {"spring.datasource.url=jdbc:h2:mem:upgrade-topic-ids", "clean.runner.reconcile-interval=1s",
        "clean.mask-salt=s3cret"})
@AutoConfigureMockMvc
class UpgradeToTopicIdsIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String STEPS = """
            [{"type":"dedupe","field":"/id","window":"1h"},{"type":"insert","field":"/cleaned","value":true}]""";
    private static EmbeddedIngest ingest;

    private ClientSettings asStreamClean() {
        return ClientSettings.of(ingest.url()).withExtraHeaders(identity::authorizationHeaders);
    }

    @Autowired
    MockMvc mvc;

    @Autowired
    DedupeStore dedupeStore;

    /** This service's identity: the older version's names are reserved for Service:stream-clean in ingest. */
    @Autowired
    TokenMinter identity;

    @Autowired
    PipelineService pipelineService;

    @Autowired
    JdbcTemplate jdbc;

    @DynamicPropertySource
    static void ingestUrl(DynamicPropertyRegistry registry) throws Exception {
        Path dataDir = Files.createTempDirectory("clean-upgrade-ingest");
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
            producer.send("up.src", ProducerRecord.ofJson("k" + i, "{\"id\":" + i + "}"));
        }
        producer.flush();
    }

    @Test
    void aPipelineThatRanBeforeTopicIdsKeepsItsStateUntilTheSourceIsReCreated() throws Exception {
        try (IngestClient client = IngestClient.create(asStreamClean());
             IngestProducer producer = IngestProducer.create(ProducerSettings.builder(asStreamClean())
                     .build())) {
            String firstId = client.createTopic(new NewTopic("up.src", 1, 1)).topicId();
            client.createTopic(new NewTopic("up.clean", 1, 1));
            client.createTopic(new NewTopic("up.dlq", 1, 1));
            produce(producer, 0, 10);

            // The older version's worker cleaned offsets 0-9 under the legacy producer name, saved the dedupe
            // state after them, and committed the group clean-upgraded up to offset 7 only (stopped before the
            // last poll's commit).
            ProducerIdentity legacyProducer = client.initProducer("clean-upgraded-up.src-0");
            DedupeClaim claim = dedupeStore.claim("upgraded", "up.src", 0, legacyProducer, Set.of("/id"));
            RecordProcessor processor = pipelineService.compile(List.of(JSON.readTree(STEPS).get(0),
                    JSON.readTree(STEPS).get(1)));
            List<SequencedRecord> written = new ArrayList<>();
            for (ConsumedRecord record : PipelineIntegrationTest.readAll(client, "up.src")) {
                Outcome outcome = processor.process(record.key(), record.value(), record.headers(), record.timestamp(),
                        record.offset(), claim.memory());
                assertThat(outcome).isInstanceOf(Outcome.Output.class);
                written.add(new SequencedRecord(ProducerRecord.ofJson(record.key(),
                        JSON.writeValueAsString(((Outcome.Output) outcome).value())), record.offset()));
            }
            producer.sendSequenced("up.clean", 0, written, legacyProducer).join();
            var keys = claim.memory().state("/id");
            dedupeStore.save(List.of(new DedupeSave(claim, 10, Map.of("/id",
                    new DedupeSave.StateChanges(keys.drainChanges(), keys.newestTimestamp())))));
            commitLegacyGroup(client, 7);

            // The pipeline's row as the older version stored it (no column of the new version set); the runner
            // of the new version picks it up.
            Instant created = Instant.now().minusSeconds(3_600);
            jdbc.update("INSERT INTO pipelines (name, source, sink, dead_letter, steps_json, parallelism, state, "
                    + "revision, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "upgraded", "up.src",
                    "up.clean", "up.dlq", JSON.writeValueAsString(JSON.readTree(STEPS)), 1, "RUNNING", 3,
                    Timestamp.from(created), Timestamp.from(created));

            // After the upgrade: ids 10-19 are new, id 3 a repeat the saved dedupe state must drop.
            produce(producer, 10, 20);
            producer.send("up.src", ProducerRecord.ofJson("k3", "{\"id\":3}"));
            producer.flush();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                JsonNode records = status().path("records");
                return records.path("in").asLong() >= 11 && records.path("deduplicated").asLong() >= 1
                        && PipelineIntegrationTest.count(client, "up.clean") >= 20;
            });
            assertThat(ids(client)).as("each source record exactly once")
                    .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 20).boxed().toList());
            JsonNode counts = status().path("records");
            assertThat(List.of(counts.path("in").asLong(), counts.path("out").asLong(),
                    counts.path("deduplicated").asLong())).containsExactly(11L, 10L, 1L);
            assertThat(status().path("sourceIncarnation").path("topicId").asString()).isEqualTo(firstId);

            // The source is deleted and re-created: its new incarnation is read from its start, ids 0-4 again.
            client.deleteTopic("up.src");
            String secondId = client.createTopic(new NewTopic("up.src", 1, 1)).topicId();
            produce(producer, 0, 5);
            await().atMost(Duration.ofSeconds(60)).until(() -> PipelineIntegrationTest.count(client, "up.clean") >= 25);
            List<Integer> expected = new ArrayList<>(IntStream.range(0, 20).boxed().toList());
            expected.addAll(IntStream.range(0, 5).boxed().toList());
            assertThat(ids(client)).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(status().path("sourceIncarnation").path("topicId").asString()).isEqualTo(secondId);
        }
    }

    /** Commits {@code offset} for up.src partition 0 under the group name of the older version. */
    private void commitLegacyGroup(IngestClient client, long offset) {
        GroupConsumer consumer = new GroupConsumer(ConsumerSettings.builder(asStreamClean(),
                "clean-upgraded", List.of("up.src")).autoOffsetReset(AutoOffsetReset.EARLIEST).build(),
                RebalanceListener.NONE);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> !consumer.poll(Duration.ofMillis(200)).isEmpty()
                    || !consumer.assignment().isEmpty());
            consumer.commitSync(Map.of(new TopicPartition("up.src", 0), offset));
        } finally {
            consumer.close();
        }
    }

    private JsonNode status() throws Exception {
        return JSON.readTree(mvc.perform(get("/api/v1/pipelines/upgraded/status")).andReturn().getResponse()
                .getContentAsString());
    }

    private static List<Integer> ids(IngestClient client) {
        return PipelineIntegrationTest.readAll(client, "up.clean").stream().map(r -> r.value().path("id").asInt())
                .toList();
    }
}
