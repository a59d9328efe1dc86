package io.tributary.clean.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
import tools.jackson.databind.node.ObjectNode;

import static io.tributary.clean.it.PipelineIntegrationTest.count;
import static io.tributary.clean.it.PipelineIntegrationTest.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * Fault test: a stream of good records carrying poison ones — a value too deep for the consumer
 * to read at all, one deeper than the pipeline's depth limit, absurd event times, values that break
 * a step (a failed cast, a value the schema refuses, invalid JSON, a value on which a schema
 * pattern backtracks catastrophically) — flows into a
 * running pipeline. Every good record must come out cleaned exactly as an oracle computed here
 * says, every poison one must be in the dead letters with its step and reason, and the pipeline
 * must stay RUNNING with exact counters.
 */
@SpringBootTest(properties = {"spring.datasource.url=jdbc:h2:mem:poison-it", "clean.runner.reconcile-interval=1s",
        "clean.runner.max-value-depth=20", "clean.runner.max-poll-records=50"})
@AutoConfigureMockMvc
class PoisonRecordsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int GOOD = 400;
    private static Path dataDir;
    private static EmbeddedIngest ingest;

    @Autowired
    MockMvc mvc;

    @DynamicPropertySource
    static void ingestUrl(DynamicPropertyRegistry registry) throws Exception {
        dataDir = Files.createTempDirectory("clean-poison-ingest");
        ingest = EmbeddedIngest.start(dataDir);
        registry.add("clean.ingest-url", ingest::url);
    }

    @AfterAll
    static void stopIngest() {
        if (ingest != null) {
            ingest.close();
        }
    }

    private static final String STEPS = """
            [{"type":"validate","schema":{"type":"object","required":["id","amount","ts"],
              "properties":{"id":{"type":"integer"},"code":{"type":"string","pattern":"^a+$"},
                "tag":{"type":"string","pattern":"(.*a){25}$"}}}},
             {"type":"cast","field":"/amount","to":"double"},
             {"type":"timestamp","field":"/ts","format":"epoch-millis"},
             {"type":"insert","field":"/cleaned","value":true}]""";

    /** A poison record: its key, its value as JSON text, and the dead-letter step and reason it must get. */
    private record Poison(String key, String value, String step, String reason) {
    }

    private static String nested(int depth) {
        return "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
    }

    @Test
    void shouldCleanEveryGoodRecordAndDeadLetterEveryPoisonOneWithoutStopping() throws Exception {
        long now = System.currentTimeMillis();
        List<Poison> poisons = new ArrayList<>(List.of(
                new Poison("deep-30", nested(30), "parse", "nested more than 20 levels"),
                new Poison("year-9999", "{\"id\":1,\"amount\":1,\"ts\":253402300799000}", "2:timestamp",
                        "max-future"),
                new Poison("ts-max", "{\"id\":2,\"amount\":1,\"ts\":9223372036854775807}", "2:timestamp",
                        "out of range"),
                new Poison("ts-negative", "{\"id\":3,\"amount\":1,\"ts\":-86400000000}", "2:timestamp", "max-past"),
                new Poison("bad-amount", "{\"id\":4,\"amount\":\"abc\",\"ts\":" + now + "}", "1:cast", ""),
                new Poison("bad-code", "{\"id\":5,\"amount\":1,\"ts\":" + now + ",\"code\":\"b\"}", "0:validate",
                        "does not match"),
                new Poison("broken-json", "\"{broken\"", "parse", "invalid JSON"),
                // The pattern backtracks for hours on this tag: the budget gives up, the record is dead-lettered.
                new Poison("backtracking", "{\"id\":6,\"amount\":1,\"ts\":" + now + ",\"tag\":\""
                        + "a".repeat(40) + "!\"}", "0:validate", "clean.runner.regex-budget")));
        Map<Integer, JsonNode> expectedClean = new HashMap<>();
        try (IngestClient client = IngestClient.create(ClientSettings.of(ingest.url()));
             IngestProducer producer = IngestProducer.create(ProducerSettings.builder(ClientSettings.of(ingest.url()))
                     .build())) {
            client.createTopic(new NewTopic("raw.poison", 3, 1));
            mvc.perform(post("/api/v1/pipelines").contentType(MediaType.APPLICATION_JSON).content("""
                    {"name":"poison","source":"raw.poison","sink":"clean.poison","deadLetter":"dlq.poison",
                     "steps":%s}""".formatted(STEPS))).andExpect(status().isCreated());

            int poisonIndex = 0;
            for (int i = 0; i < GOOD; i++) {
                long ts = now - i * 1_000L;
                producer.send("raw.poison", ProducerRecord.ofJson("k" + i,
                        "{\"id\":" + i + ",\"amount\":\"" + i + ".5\",\"ts\":" + ts + ",\"code\":\"aaa\"}"));
                // The oracle: what the four steps make of a good record, computed independently.
                ObjectNode cleaned = JSON.createObjectNode().put("id", i).put("amount", i + 0.5)
                        .put("ts", Instant.ofEpochMilli(ts).toString()).put("code", "aaa").put("cleaned", true);
                expectedClean.put(i, cleaned);
                if (i % 50 == 25 && poisonIndex < poisons.size()) {
                    Poison poison = poisons.get(poisonIndex++);
                    producer.send("raw.poison", ProducerRecord.ofJson(poison.key(), poison.value()));
                }
            }
            while (poisonIndex < poisons.size()) {
                Poison poison = poisons.get(poisonIndex++);
                producer.send("raw.poison", ProducerRecord.ofJson(poison.key(), poison.value()));
            }
            producer.flush();
            // 498 levels: the log takes it as NDJSON (if its produce limit allows) but no poll answer holding
            // it can be read as a whole. Whatever the log accepts must end in the dead letters.
            String deep = nested(498);
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(ingest.url() + "/api/v1/topics/raw.poison/records"))
                    .header("Content-Type", "application/x-ndjson")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"deep-498\",\"value\":" + deep + "}\n"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() / 100 == 2) {
                // Step parse either way: "unreadable value" when the poll answer could not be read as a whole,
                // "nested more than 20 levels" when it could.
                poisons.add(new Poison("deep-498", deep, "parse", ""));
            } else {
                assertThat(answer.statusCode()).isBetween(400, 499);
            }
            // Good records after the poison ones: they must flow too.
            for (int i = GOOD; i < GOOD + 20; i++) {
                long ts = now - i * 1_000L;
                producer.send("raw.poison", ProducerRecord.ofJson("k" + i,
                        "{\"id\":" + i + ",\"amount\":\"" + i + ".5\",\"ts\":" + ts + ",\"code\":\"aaa\"}"));
                expectedClean.put(i, JSON.createObjectNode().put("id", i).put("amount", i + 0.5)
                        .put("ts", Instant.ofEpochMilli(ts).toString()).put("code", "aaa").put("cleaned", true));
            }
            producer.flush();
            int total = expectedClean.size() + poisons.size();

            await().atMost(Duration.ofSeconds(90)).until(() -> pipelineStatus().path("records").path("in").asLong() == total
                    && count(client, "clean.poison") == expectedClean.size()
                    && count(client, "dlq.poison") == poisons.size());

            Map<Integer, JsonNode> clean = new HashMap<>();
            for (ConsumedRecord record : readAll(client, "clean.poison")) {
                assertThat(clean.put(record.value().path("id").asInt(), record.value())).isNull();
            }
            assertThat(clean).isEqualTo(expectedClean);

            Map<String, ConsumedRecord> dead = new HashMap<>();
            for (ConsumedRecord record : readAll(client, "dlq.poison")) {
                assertThat(dead.put(record.key(), record)).isNull();
            }
            assertThat(dead.keySet()).containsExactlyInAnyOrderElementsOf(poisons.stream().map(Poison::key).toList());
            for (Poison poison : poisons) {
                ConsumedRecord record = dead.get(poison.key());
                assertThat(record.headers().get("step")).as(poison.key()).isEqualTo(poison.step());
                assertThat(record.headers().get("reason")).as(poison.key()).contains(poison.reason());
                assertThat(record.headers()).containsKeys("source.topic", "source.partition", "source.offset");
            }
            if (dead.containsKey("deep-498")) {
                // Too deep to be written again as JSON: kept as its text.
                assertThat(dead.get("deep-498").value().asString()).isEqualTo(deep);
            }

            JsonNode status = pipelineStatus();
            assertThat(status.path("state").asString()).isEqualTo("RUNNING");
            JsonNode counts = status.path("records");
            assertThat(List.of(counts.path("in").asLong(), counts.path("out").asLong(), counts.path("filtered").asLong(),
                    counts.path("deduplicated").asLong(), counts.path("deadLettered").asLong(),
                    counts.path("alreadyWritten").asLong()))
                    .containsExactly((long) total, (long) expectedClean.size(), 0L, 0L, (long) poisons.size(), 0L);
        }
    }

    private JsonNode pipelineStatus() throws Exception {
        return JSON.readTree(mvc.perform(get("/api/v1/pipelines/poison/status")).andReturn().getResponse()
                .getContentAsString());
    }
}
