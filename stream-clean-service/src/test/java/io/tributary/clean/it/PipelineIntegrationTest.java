package io.tributary.clean.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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

import io.tributary.clean.dedupe.DedupeClaim;
import io.tributary.clean.dedupe.DedupeSave;
import io.tributary.clean.dedupe.DedupeStore;
import io.tributary.clean.pipeline.PipelineService;
import io.tributary.client.ClientSettings;
import io.tributary.client.ConsumedRecord;
import io.tributary.client.FetchOptions;
import io.tributary.client.IngestClient;
import io.tributary.client.NewTopic;
import io.tributary.client.TopicDescription;
import io.tributary.client.TopicPartition;
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
 * A multi-step pipeline against a real ingest-service: raw records in, exactly the expected
 * cleaned and dead-letter records out, then pause and resume.
 */
@SpringBootTest(properties = {"spring.datasource.url=jdbc:h2:mem:pipeline-it", "clean.runner.reconcile-interval=1s",
        "clean.mask-salt=s3cret"})
@AutoConfigureMockMvc
class PipelineIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int RECORDS = 300;
    private static Path dataDir;
    private static EmbeddedIngest ingest;

    @Autowired
    MockMvc mvc;

    @Autowired
    io.tributary.clean.runner.PipelineRunner runner;

    @Autowired
    DedupeStore dedupeStore;

    /** This service's identity: the tests' own clients play a predecessor instance of the pipelines. */
    @Autowired
    io.tributary.support.identity.TokenMinter identity;

    @Autowired
    PipelineService pipelineService;

    /** Client settings as stream-clean itself (a pipeline's reserved producer names are the service's). */
    ClientSettings asStreamClean() {
        return ClientSettings.of(ingest.url()).withExtraHeaders(identity::authorizationHeaders);
    }

    @DynamicPropertySource
    static void ingestUrl(DynamicPropertyRegistry registry) throws Exception {
        dataDir = Files.createTempDirectory("clean-it-ingest");
        ingest = EmbeddedIngest.start(dataDir);
        registry.add("clean.ingest-url", ingest::url);
    }

    @AfterAll
    static void stopIngest() {
        if (ingest != null) {
            ingest.close();
        }
    }

    /** Record i: every 10th-with-remainder 3 lacks its id, 5 has a non-numeric amount, 7 a zero amount, 9 is not JSON. */
    private static ProducerRecord raw(int i) {
        String key = "k" + i;
        return switch (i % 10) {
            case 3 -> ProducerRecord.ofJson(key, "{\"amount\":5,\"email\":\"u" + i + "@x.io\",\"ts\":1700000000000}");
            case 5 -> ProducerRecord.ofJson(key, "{\"id\":" + i + ",\"amount\":\"abc\",\"email\":\"u@x.io\",\"ts\":1}");
            case 7 -> ProducerRecord.ofJson(key, "{\"id\":" + i + ",\"amount\":0,\"email\":\"u@x.io\",\"ts\":1}");
            case 9 -> ProducerRecord.ofJson(key, "\"{broken " + i + "\"");
            default -> ProducerRecord.ofJson(key, "{\"id\":" + i + ",\"amount\":\"" + i + ".5\",\"email\":\"user" + i
                    + "@example.com\",\"ts\":" + (1700000000000L + i) + ",\"internal\":{\"trace\":" + i + "}}");
        };
    }

    private static final String STEPS = """
            [{"type":"validate","schema":{"type":"object","required":["id","amount","email","ts"],
              "properties":{"id":{"type":"integer"}}}},
             {"type":"cast","field":"/amount","to":"double"},
             {"type":"filter","expression":"amount > 0"},
             {"type":"mask","field":"/email","method":"keep-last","keep":11},
             {"type":"timestamp","field":"/ts","format":"epoch-millis"},
             {"type":"drop","fields":["/internal"]},
             {"type":"insert","field":"/source","value":"web"},
             {"type":"dedupe","field":"/id","window":"1h"}]""";

    /** The first 20 clean records' ids, sent a second time (same key, so the same partition, a later offset). */
    private static final List<Integer> REPEATED = java.util.stream.IntStream.range(0, RECORDS)
            .filter(i -> i % 10 != 3 && i % 10 != 5 && i % 10 != 7 && i % 10 != 9).limit(20).boxed().toList();

    private JsonNode pipelineStatus(String pipeline) throws Exception {
        return JSON.readTree(mvc.perform(get("/api/v1/pipelines/" + pipeline + "/status")).andReturn().getResponse()
                .getContentAsString());
    }

    @Test
    void shouldCleanRawRecordsIntoTheSinkAndDeadLetterTheBadOnesExactlyOnce() throws Exception {
        try (IngestClient client = IngestClient.create(asStreamClean());
             IngestProducer producer = IngestProducer.create(ProducerSettings.builder(asStreamClean())
                     .build())) {
            client.createTopic(new NewTopic("raw.orders", 3, 1));
            for (int i = 0; i < RECORDS; i++) {
                producer.send("raw.orders", raw(i));
            }
            REPEATED.forEach(i -> producer.send("raw.orders", raw(i)));
            producer.flush();

            mvc.perform(post("/api/v1/pipelines").contentType(MediaType.APPLICATION_JSON).content("""
                    {"name":"orders","source":"raw.orders","sink":"clean.orders","deadLetter":"dlq.orders",
                     "steps":%s}""".formatted(STEPS))).andExpect(status().isCreated());

            CaughtUp.await(client, "raw.orders", () -> pipelineStatus("orders"));

            List<ConsumedRecord> clean = readAll(client, "clean.orders");
            List<ConsumedRecord> dead = readAll(client, "dlq.orders");
            assertThat(clean).hasSize(180);
            assertThat(dead).hasSize(90);

            Set<Integer> expectedClean = new HashSet<>();
            for (int i = 0; i < RECORDS; i++) {
                if (i % 10 != 3 && i % 10 != 5 && i % 10 != 7 && i % 10 != 9) {
                    expectedClean.add(i);
                }
            }
            Map<Integer, JsonNode> byId = new HashMap<>();
            for (ConsumedRecord record : clean) {
                assertThat(byId.put(record.value().path("id").asInt(), record.value())).isNull();
            }
            assertThat(byId.keySet()).isEqualTo(expectedClean);
            assertThat(byId.get(42)).isEqualTo(JSON.readTree("""
                    {"id":42,"amount":42.5,"email":"*******example.com","ts":"2023-11-14T22:13:20.042Z","source":"web"}"""));
            ConsumedRecord clean42 = clean.stream().filter(r -> r.value().path("id").asInt() == 42).findFirst().orElseThrow();
            assertThat(clean42.key()).isEqualTo("k42");

            Map<String, Integer> deadByStep = new HashMap<>();
            Set<String> deadKeys = new HashSet<>();
            for (ConsumedRecord record : dead) {
                deadByStep.merge(record.headers().get("step"), 1, Integer::sum);
                assertThat(deadKeys.add(record.key())).isTrue();
                assertThat(record.headers()).containsKeys("reason", "source.topic", "source.partition", "source.offset",
                        "timestamp");
                assertThat(record.headers().get("source.topic")).isEqualTo("raw.orders");
            }
            assertThat(deadByStep).isEqualTo(Map.of("0:validate", 30, "1:cast", 30, "parse", 30));
            ConsumedRecord broken = dead.stream().filter(r -> r.key().equals("k19")).findFirst().orElseThrow();
            assertThat(broken.value().asString()).isEqualTo("{broken 19");
            assertThat(broken.headers().get("reason")).startsWith("invalid JSON");
            ConsumedRecord original = readAll(client, "raw.orders").stream().filter(r -> "k19".equals(r.key()))
                    .findFirst().orElseThrow();
            assertThat(broken.headers().get("source.partition")).isEqualTo(Integer.toString(original.partition()));
            assertThat(broken.headers().get("source.offset")).isEqualTo(Long.toString(original.offset()));

            String status = mvc.perform(get("/api/v1/pipelines/orders/status")).andExpect(status().isOk())
                    .andReturn().getResponse().getContentAsString();
            JsonNode statusJson = JSON.readTree(status);
            assertThat(statusJson.path("state").asString()).isEqualTo("RUNNING");
            JsonNode counts = statusJson.path("records");
            assertThat(List.of(counts.path("in").asLong(), counts.path("out").asLong(), counts.path("filtered").asLong(),
                    counts.path("deduplicated").asLong(), counts.path("deadLettered").asLong(),
                    counts.path("alreadyWritten").asLong()))
                    .containsExactly(320L, 180L, 30L, 20L, 90L, 0L);
            assertThat(counts.path("perSecond").isNumber()).isTrue();
            JsonNode steps = statusJson.path("steps");
            assertThat(steps.get(0)).isEqualTo(JSON.readTree(
                    "{\"step\":\"parse\",\"in\":320,\"filtered\":0,\"deduplicated\":0,\"deadLettered\":30}"));
            assertThat(steps.get(1)).isEqualTo(JSON.readTree(
                    "{\"step\":\"0:validate\",\"in\":290,\"filtered\":0,\"deduplicated\":0,\"deadLettered\":30}"));
            assertThat(steps.get(3)).isEqualTo(JSON.readTree(
                    "{\"step\":\"2:filter\",\"in\":230,\"filtered\":30,\"deduplicated\":0,\"deadLettered\":0}"));
            assertThat(steps.get(8)).isEqualTo(JSON.readTree(
                    "{\"step\":\"7:dedupe\",\"in\":200,\"filtered\":0,\"deduplicated\":20,\"deadLettered\":0}"));

            // Pause: nothing flows (and the workers forget their dedupe state); resume: the backlog is cleaned,
            // still exactly once, and repeats of records cleaned before the pause are dropped with the state
            // loaded back from the database.
            mvc.perform(post("/api/v1/pipelines/orders/pause")).andExpect(status().isOk());
            // paused: no worker left that could write
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                JsonNode paused = pipelineStatus("orders");
                return paused.path("state").asString().equals("PAUSED") && paused.path("workers").asInt() == 0;
            });
            for (int i = RECORDS; i < RECORDS + 10; i++) {
                producer.send("raw.orders", ProducerRecord.ofJson("k" + i, "{\"id\":" + i
                        + ",\"amount\":1,\"email\":\"e\",\"ts\":1700000000000}"));
            }
            REPEATED.subList(0, 5).forEach(i -> producer.send("raw.orders", raw(i)));
            producer.flush();
            assertThat(count(client, "clean.orders")).isEqualTo(180);
            mvc.perform(post("/api/v1/pipelines/orders/resume")).andExpect(status().isOk());
            await().atMost(Duration.ofSeconds(30)).until(() -> JSON.readTree(mvc.perform(
                    get("/api/v1/pipelines/orders/status")).andReturn().getResponse().getContentAsString())
                    .path("records").path("deduplicated").asLong() == 25);
            CaughtUp.await(client, "raw.orders", () -> pipelineStatus("orders"));
            assertThat(readAll(client, "clean.orders")).hasSize(190);
            assertThat(readAll(client, "dlq.orders")).hasSize(90);

            mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete(
                    "/api/v1/pipelines/orders")).andExpect(status().isNoContent());
            await().atMost(Duration.ofSeconds(30)).until(() -> !runner.states().containsKey("orders"));
        }
    }

    @Test
    void shouldSkipOutputsAPredecessorWroteWithoutCommittingItsOffsets() throws Exception {
        try (IngestClient client = IngestClient.create(asStreamClean());
             IngestProducer producer = IngestProducer.create(ProducerSettings.builder(asStreamClean())
                     .build())) {
            client.createTopic(new NewTopic("raw.takeover", 1, 1));
            client.createTopic(new NewTopic("clean.takeover", 1, 1));
            for (int i = 0; i < 20; i++) {
                producer.send("raw.takeover", ProducerRecord.ofJson(null, "{\"id\":" + i + "}").withPartition(0));
            }
            producer.flush();
            // A predecessor wrote the outputs of source offsets 0-9 under the partition's producer, then crashed
            // before committing: the group has no committed offset.
            var predecessor = client.initProducer("clean-takeover-raw.takeover-0-"
                    + client.describeTopic("raw.takeover").topicId());
            List<io.tributary.client.producer.SequencedRecord> written = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                written.add(new io.tributary.client.producer.SequencedRecord(ProducerRecord.ofJson(null,
                        "{\"id\":" + i + ",\"by\":\"predecessor\"}"), i));
            }
            producer.sendSequenced("clean.takeover", 0, written, predecessor).join();

            mvc.perform(post("/api/v1/pipelines").contentType(MediaType.APPLICATION_JSON).content("""
                    {"name":"takeover","source":"raw.takeover","sink":"clean.takeover","deadLetter":"dlq.takeover",
                     "steps":[{"type":"insert","field":"/by","value":"pipeline"}]}""")).andExpect(status().isCreated());
            CaughtUp.await(client, "raw.takeover", () -> pipelineStatus("takeover"));

            List<ConsumedRecord> clean = readAll(client, "clean.takeover");
            assertThat(clean).hasSize(20);
            for (int i = 0; i < 20; i++) {
                assertThat(clean.get(i).value().path("id").asInt()).isEqualTo(i);
                assertThat(clean.get(i).value().path("by").asString()).isEqualTo(i < 10 ? "predecessor" : "pipeline");
            }
            JsonNode status = JSON.readTree(mvc.perform(get("/api/v1/pipelines/takeover/status")).andReturn()
                    .getResponse().getContentAsString());
            assertThat(status.path("records").path("alreadyWritten").asLong()).isEqualTo(10);
            mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete(
                    "/api/v1/pipelines/takeover")).andExpect(status().isNoContent());
        }
    }

    /**
     * The crash between saving the dedupe state and committing the offsets: a predecessor wrote
     * offsets 0-2 and saved the state after them, but the group has no committed offset. Offset 1
     * repeats offset 0 and was dropped; offset 2's newer timestamp then pushed offset 0's key out
     * of the window. Replaying 0-2 with that saved state would let offset 1 through (its key is
     * forgotten), to a sink partition where nothing after offset 0 was written — a duplicate. The
     * new owner must instead resume at the saved offset.
     */
    @Test
    void shouldResumeAfterTheOffsetsOfASavedDedupeStateNotReplayThem() throws Exception {
        String keyA = "a";
        String keyB = java.util.stream.IntStream.range(0, 100).mapToObj(i -> "b" + i)
                .filter(k -> io.tributary.client.Partitioner.partitionForKey(k, 2)
                        != io.tributary.client.Partitioner.partitionForKey(keyA, 2)).findFirst().orElseThrow();
        long t = System.currentTimeMillis() - 600_000;
        List<ProducerRecord> raw = List.of(
                ProducerRecord.ofJson(keyA, "{\"id\":\"A\"}").withTimestamp(t),
                ProducerRecord.ofJson(keyA, "{\"id\":\"A\"}").withTimestamp(t + 5_000),
                ProducerRecord.ofJson(keyB, "{\"id\":\"B\"}").withTimestamp(t + 120_000),
                ProducerRecord.ofJson(keyB, "{\"id\":\"C\"}").withTimestamp(t + 121_000),
                ProducerRecord.ofJson(keyB, "{\"id\":\"B\"}").withTimestamp(t + 125_000));
        String steps = "[{\"type\":\"dedupe\",\"field\":\"/id\",\"window\":\"1m\"}]";
        try (IngestClient client = IngestClient.create(asStreamClean());
             IngestProducer producer = IngestProducer.create(ProducerSettings.builder(asStreamClean())
                     .build())) {
            client.createTopic(new NewTopic("raw.resume", 1, 1));
            client.createTopic(new NewTopic("clean.resume", 2, 1));
            raw.forEach(record -> producer.send("raw.resume", record.withPartition(0)));
            producer.flush();

            // The predecessor: processes offsets 0-2 as the worker does, writes what passed, saves the state.
            var predecessor = client.initProducer("clean-resume-raw.resume-0-"
                    + client.describeTopic("raw.resume").topicId());
            DedupeClaim claim = dedupeStore.claim("resume", "raw.resume", 0, predecessor, java.util.Set.of("/id"));
            io.tributary.clean.process.RecordProcessor processor = pipelineService.compile(List.of(JSON.readTree(steps)
                    .get(0)));
            for (int offset = 0; offset < 3; offset++) {
                ProducerRecord record = raw.get(offset);
                io.tributary.clean.process.Outcome outcome = processor.process(record.key(),
                        JSON.readTree(record.valueJson()), Map.of(), record.timestamp(), offset, claim.memory());
                if (outcome instanceof io.tributary.clean.process.Outcome.Output) {
                    int partition = io.tributary.client.Partitioner.partitionForKey(record.key(), 2);
                    producer.sendSequenced("clean.resume", partition, List.of(new io.tributary.client.producer
                            .SequencedRecord(ProducerRecord.ofJson(record.key(), record.valueJson()), offset)),
                            predecessor).join();
                } else {
                    assertThat(offset).as("only the repeat at offset 1 is dropped").isEqualTo(1);
                }
            }
            assertThat(claim.memory().state("/id").size()).as("A was forgotten").isEqualTo(1);
            var keys = claim.memory().state("/id");
            dedupeStore.save(List.of(new DedupeSave(claim, 3, Map.of("/id",
                    new DedupeSave.StateChanges(keys.drainChanges(), keys.newestTimestamp())))));

            mvc.perform(post("/api/v1/pipelines").contentType(MediaType.APPLICATION_JSON).content("""
                    {"name":"resume","source":"raw.resume","sink":"clean.resume","deadLetter":"dlq.resume",
                     "steps":%s}""".formatted(steps))).andExpect(status().isCreated());
            CaughtUp.await(client, "raw.resume", () -> pipelineStatus("resume"));

            List<String> ids = readAll(client, "clean.resume").stream().map(r -> r.value().path("id").asString())
                    .sorted().toList();
            assertThat(ids).containsExactly("A", "B", "C");
            JsonNode counts = JSON.readTree(mvc.perform(get("/api/v1/pipelines/resume/status")).andReturn()
                    .getResponse().getContentAsString()).path("records");
            assertThat(List.of(counts.path("in").asLong(), counts.path("out").asLong(),
                    counts.path("deduplicated").asLong(), counts.path("alreadyWritten").asLong()))
                    .containsExactly(2L, 1L, 1L, 0L);
            mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete(
                    "/api/v1/pipelines/resume")).andExpect(status().isNoContent());
        }
    }

    static long count(IngestClient client, String topic) {
        try {
            TopicDescription description = client.describeTopic(topic);
            return description.partitionDetails().stream().mapToLong(p -> p.highWatermark() - p.logStartOffset()).sum();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    static List<ConsumedRecord> readAll(IngestClient client, String topic) {
        List<ConsumedRecord> records = new ArrayList<>();
        TopicDescription description = client.describeTopic(topic);
        for (int p = 0; p < description.partitions(); p++) {
            long offset = 0;
            while (true) {
                var result = client.fetch(new TopicPartition(topic, p), offset, FetchOptions.defaults());
                records.addAll(result.records());
                if (result.records().isEmpty() || result.nextOffset() >= result.highWatermark()) {
                    break;
                }
                offset = result.nextOffset();
            }
        }
        return records;
    }
}
