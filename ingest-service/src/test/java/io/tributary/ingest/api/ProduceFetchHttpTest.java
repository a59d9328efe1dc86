package io.tributary.ingest.api;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.tributary.client.ClientSettings;
import io.tributary.client.Partitioner;
import io.tributary.client.producer.IngestProducer;
import io.tributary.client.producer.ProducerRecord;
import io.tributary.client.producer.ProducerSettings;
import io.tributary.client.producer.RecordMetadata;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The produce and fetch paths over real HTTP: ordering and placement of many keyed records, the
 * murmur2 partitioner against Kafka's, NDJSON, byte-exact values, long-polling and the
 * all-or-nothing rule.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ProduceFetchHttpTest {

    private static final Path DATA = Http.tempDataDir("produce-fetch");

    @DynamicPropertySource
    static void dataDir(DynamicPropertyRegistry registry) {
        registry.add("ingest.data-dir", DATA::toString);
    }

    @LocalServerPort
    int port;

    Http http;

    @BeforeEach
    void setUp() {
        http = new Http(port);
    }

    @Test
    void tenThousandKeyedRecordsComeBackCompleteAndInOrderPerPartition() throws Exception {
        http.createTopic("orders", 3, Map.of());
        int n = 10_000;
        List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>(n);
        ProducerSettings settings = ProducerSettings.builder(ClientSettings.of(http.base()))
                .batchSize(300).linger(Duration.ofMillis(2)).build();
        try (IngestProducer producer = IngestProducer.create(settings)) {
            for (int i = 0; i < n; i++) {
                String key = "customer-" + (i % 701);
                acks.add(producer.send("orders", ProducerRecord.ofJson(key, "{\"seq\":" + i + ",\"key\":\"" + key + "\"}")));
            }
            producer.flush();
        }
        Map<Long, RecordMetadata> acked = new HashMap<>();
        for (int i = 0; i < n; i++) {
            RecordMetadata m = acks.get(i).get(30, TimeUnit.SECONDS);
            assertThat(m.hasOffset()).isTrue();
            acked.put((long) i, m);
        }

        Set<Long> seen = new HashSet<>();
        int total = 0;
        for (int p = 0; p < 3; p++) {
            List<JsonNode> records = http.readAll("orders", p);
            long lastSeq = -1;
            long expectedOffset = 0;
            for (JsonNode r : records) {
                String key = r.path("key").asString();
                long seq = r.path("value").path("seq").asLong();
                assertThat(r.path("partition").asInt()).isEqualTo(p);
                assertThat(r.path("offset").asLong()).as("offsets are dense").isEqualTo(expectedOffset++);
                assertThat(Partitioner.partitionForKey(key, 3)).as("partition of key %s", key).isEqualTo(p);
                assertThat(r.path("value").path("key").asString()).isEqualTo(key);
                assertThat(seq).as("produce order within partition %d", p).isGreaterThan(lastSeq);
                lastSeq = seq;
                assertThat(seen.add(seq)).as("record %d appears once", seq).isTrue();
                RecordMetadata m = acked.get(seq);
                assertThat(m.partition()).isEqualTo(p);
                assertThat(m.offset()).isEqualTo(r.path("offset").asLong());
                total++;
            }
        }
        assertThat(total).isEqualTo(n);
        assertThat(seen).hasSize(n);
    }

    /**
     * The produce answer lists each record's place in request order, as the OpenAPI document describes it: an
     * {@code offsets} array of {partition, offset, timestamp} objects (pinned, so that a change of how the answer
     * is written cannot change its shape or its schema apart).
     */
    @Test
    void theProduceAnswerListsEveryRecordsPlaceInRequestOrderAsTheOpenApiDocumentSays() {
        http.createTopic("answers", 2, Map.of());
        Http.Response r = http.produce("answers", """
                {"records":[{"value":1,"partition":1,"timestamp":1000},{"value":2,"partition":0,"timestamp":2000},
                 {"value":3,"partition":1,"timestamp":3000}]}""");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode answer = r.json();
        assertThat(answer.propertyNames()).containsExactly("offsets");
        assertThat(answer.get("offsets").toString()).isEqualTo("[{\"partition\":1,\"offset\":0,\"timestamp\":1000},"
                + "{\"partition\":0,\"offset\":0,\"timestamp\":2000},{\"partition\":1,\"offset\":1,\"timestamp\":3000}]");

        JsonNode schemas = http.get("/v3/api-docs").json().path("components").path("schemas");
        JsonNode offsets = schemas.path("ProduceResponse").path("properties").path("offsets");
        assertThat(offsets.path("type").asString()).isEqualTo("array");
        assertThat(offsets.path("items").path("$ref").asString()).isEqualTo("#/components/schemas/RecordOffset");
        JsonNode place = schemas.path("RecordOffset").path("properties");
        assertThat(place.propertyNames()).containsExactly("partition", "offset", "timestamp");
        assertThat(place.path("partition").path("format").asString()).isEqualTo("int32");
        assertThat(place.path("offset").path("format").asString()).isEqualTo("int64");
        assertThat(place.path("timestamp").path("format").asString()).isEqualTo("int64");
    }

    @Test
    void partitionerAgreesWithKafkaAndTheServerPlacesKeysWhereItSays() {
        Random random = new Random(42);
        List<String> keys = new ArrayList<>(List.of("", "a", "ab", "abc", "abcd", "abcde", "ünïcødé", "日本語のキー",
                "emoji-😀-🎉", "\u0000nul", "x".repeat(1000)));
        for (int i = 0; i < 5_000; i++) {
            keys.add(randomString(random));
        }
        int[] counts = {1, 2, 3, 7, 16, 100, 1000};
        for (String key : keys) {
            byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
            for (int n : counts) {
                int kafka = Utils.toPositive(Utils.murmur2(bytes)) % n;
                assertThat(Partitioner.partitionForKey(key, n)).as("key %s over %d partitions", key, n).isEqualTo(kafka);
                assertThat(Partitioner.partitionForKey(bytes, n)).isEqualTo(kafka);
            }
        }

        http.createTopic("placement", 7, Map.of());
        List<String> sample = keys.subList(0, 300);
        List<Map<String, Object>> records = new ArrayList<>();
        for (String key : sample) {
            records.add(Map.of("key", key, "value", Map.of("k", key)));
        }
        Http.Response r = http.produce("placement", Http.JSON.writeValueAsString(Map.of("records", records)));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode offsets = r.json().path("offsets");
        assertThat(offsets.size()).isEqualTo(sample.size());
        for (int i = 0; i < sample.size(); i++) {
            int expected = Utils.toPositive(Utils.murmur2(sample.get(i).getBytes(StandardCharsets.UTF_8))) % 7;
            assertThat(offsets.get(i).path("partition").asInt()).as("key %s", sample.get(i)).isEqualTo(expected);
        }
        int stored = 0;
        for (int p = 0; p < 7; p++) {
            for (JsonNode rec : http.readAll("placement", p)) {
                String key = rec.path("key").asString();
                assertThat(rec.path("value").path("k").asString()).as("key text round-trips").isEqualTo(key);
                int expected = Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % 7;
                assertThat(p).as("stored partition of key %s", key).isEqualTo(expected);
                stored++;
            }
        }
        assertThat(stored).isEqualTo(sample.size());
    }

    private static String randomString(Random random) {
        int len = random.nextInt(40);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i++) {
            switch (random.nextInt(4)) {
                case 0 -> sb.append((char) ('a' + random.nextInt(26)));
                case 1 -> sb.append((char) (0xa0 + random.nextInt(0x700)));
                case 2 -> sb.appendCodePoint(0x1F300 + random.nextInt(0x300));
                default -> sb.append((char) (0x4e00 + random.nextInt(0x5000)));
            }
        }
        return sb.toString();
    }

    static final List<String> TRICKY_VALUES = List.of(
            "1.10",
            "1e400",
            "-0",
            "0.1e-7",
            "123456789012345678901234567890.000000000000000000001",
            "{\"a\":{\"b\":[1,2.50,{\"c\":null}]},\"d\":\"x\"}",
            "{ \"spaced\" : [ 1 , 2 ] }",
            "\"quote \\\" backslash \\\\ newline \\n tab \\t slash \\/ u \\u00e9 surrogate \\ud83d\\ude00\"",
            "\"ünïcødé 日本語 😀\"",
            "[]",
            "{}",
            "true",
            "false",
            "\"\"");

    @Test
    void ndjsonBulkProduceKeepsEveryValueByteExact() {
        http.createTopic("ndjson", 1, Map.of());
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < TRICKY_VALUES.size(); i++) {
            body.append("{\"key\":\"k").append(i).append("\",\"value\":").append(TRICKY_VALUES.get(i))
                    .append(",\"headers\":{\"n\":\"").append(i).append("\"}}\n");
        }
        Http.Response r = http.send("POST", "/api/v1/topics/ndjson/records", "application/x-ndjson",
                body.toString().getBytes(StandardCharsets.UTF_8), Map.of());
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("offsets").size()).isEqualTo(TRICKY_VALUES.size());

        // The same values again through the JSON envelope, with the value last in each object.
        StringBuilder json = new StringBuilder("{\"records\":[");
        for (int i = 0; i < TRICKY_VALUES.size(); i++) {
            json.append(i == 0 ? "" : ",").append("{\"key\":\"j").append(i).append("\",\"value\":")
                    .append(TRICKY_VALUES.get(i)).append('}');
        }
        json.append("]}");
        r = http.produce("ndjson", json.toString());
        assertThat(r.status()).as(r.text()).isEqualTo(200);

        Http.Response fetched = http.fetch("ndjson", 0, 0, "maxRecords=1000");
        assertThat(fetched.status()).as(fetched.text()).isEqualTo(200);
        List<String> expected = new ArrayList<>(TRICKY_VALUES);
        expected.addAll(TRICKY_VALUES);
        assertThat(Http.rawValues(fetched.body())).containsExactlyElementsOf(expected);
        JsonNode records = fetched.json().path("records");
        for (int i = 0; i < TRICKY_VALUES.size(); i++) {
            assertThat(records.get(i).path("key").asString()).isEqualTo("k" + i);
            assertThat(records.get(i).path("headers").path("n").asString()).isEqualTo(String.valueOf(i));
        }
    }

    @Test
    void longPollReturnsTheRecordProducedWhileWaiting() throws Exception {
        http.createTopic("longpoll", 1, Map.of());
        assertThat(http.produce("longpoll", "{\"records\":[{\"value\":1}]}").status()).isEqualTo(200);
        // A wait far longer than the answer may take: an answer within half of it means the append woke the poll.
        double parkedBefore = parkedFetches();
        CompletableFuture<Http.Response> waiting = CompletableFuture.supplyAsync(
                () -> http.fetch("longpoll", 0, 1, "maxWaitMs=30000"));
        // The server's own count says the fetch is parked: only then is the record produced "while waiting".
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> parkedFetches() == parkedBefore + 1);
        assertThat(waiting).as("nothing to return yet: the fetch is parked").isNotDone();
        Http.Response produced = http.produce("longpoll", "{\"records\":[{\"key\":\"late\",\"value\":{\"late\":true}}]}");
        assertThat(produced.status()).as(produced.text()).isEqualTo(200);

        Http.Response r = waiting.get(15, TimeUnit.SECONDS);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode records = r.json().path("records");
        assertThat(records.size()).as("the long poll returned data rather than timing out").isEqualTo(1);
        assertThat(records.get(0).path("offset").asLong()).isEqualTo(1);
        assertThat(records.get(0).path("key").asString()).isEqualTo("late");
        assertThat(r.json().path("nextOffset").asLong()).isEqualTo(2);
    }

    /** Long-poll fetches parked on this node right now (the gauge ingest.fetch.parked). */
    private double parkedFetches() {
        Http.Response r = http.get("/actuator/metrics/ingest.fetch.parked");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json().path("measurements").get(0).path("value").asDouble();
    }

    @Test
    void longPollWithoutDataReturnsEmptyWhenTheWaitRunsOut() {
        http.createTopic("quiet", 1, Map.of());
        Http.Response r = http.fetch("quiet", 0, 0, "maxWaitMs=300");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("records").size()).isZero();
        assertThat(r.json().path("nextOffset").asLong()).isZero();
        assertThat(r.json().path("highWatermark").asLong()).isZero();
    }

    @Test
    void aRequestWithOneBadRecordWritesNothing() {
        http.createTopic("atomic", 3, Map.of("max.message.bytes", "1024"));
        Http.Response seed = http.produce("atomic",
                "{\"records\":[{\"partition\":0,\"value\":0},{\"partition\":1,\"value\":1},{\"partition\":2,\"value\":2}]}");
        assertThat(seed.status()).as(seed.text()).isEqualTo(200);
        List<Long> before = http.logEndOffsets("atomic");
        assertThat(before).containsExactly(1L, 1L, 1L);

        String good = "{\"partition\":0,\"value\":\"a\"},{\"partition\":1,\"value\":\"b\"},{\"key\":\"k\",\"value\":\"c\"}";
        Http.assertProblem(http.produce("atomic", "{\"records\":[" + good + ",{\"partition\":3,\"value\":1}]}"),
                400, "invalid-request");
        Http.assertProblem(http.produce("atomic", "{\"records\":[" + good + ",{\"value\":1,\"vaule\":2}]}"),
                400, "invalid-request");
        Http.assertProblem(http.produce("atomic", "{\"records\":[" + good + ",{\"key\":17,\"value\":1}]}"),
                400, "invalid-request");
        Http.assertProblem(http.produce("atomic", "{\"records\":[" + good + ",{\"value\":1,\"headers\":{\"h\":1}}]}"),
                400, "invalid-request");
        Http.assertProblem(http.produce("atomic", "{\"records\":[" + good + ",{\"partition\":2,\"value\":\""
                + "x".repeat(2000) + "\"}]}"), 413, "record-too-large");
        Http.assertProblem(http.produce("atomic", "{\"records\":[" + good + ",{\"value\":1}"), 400, "invalid-request");
        Http.Response ndjson = http.send("POST", "/api/v1/topics/atomic/records", "application/x-ndjson",
                "{\"partition\":0,\"value\":1}\n{\"partition\":1,\"value\":2}\n{\"partition\":2,\"value\":tru}\n"
                        .getBytes(StandardCharsets.UTF_8), Map.of());
        Http.assertProblem(ndjson, 400, "invalid-request");
        assertThat(http.logEndOffsets("atomic")).isEqualTo(before);

        http.createTopic("atomic-compacted", 3, Map.of("cleanup.policy", "compact"));
        Http.assertProblem(http.produce("atomic-compacted", "{\"records\":[{\"key\":\"a\",\"partition\":0,\"value\":1},"
                + "{\"key\":\"b\",\"partition\":1,\"value\":1},{\"partition\":2,\"value\":1}]}"), 400, "invalid-record");
        Http.assertProblem(http.produce("atomic-compacted", "{\"records\":[{\"key\":\"a\",\"value\":1},"
                + "{\"key\":\"b\",\"value\":2},{\"value\":3}]}"), 400, "invalid-record");
        assertThat(http.logEndOffsets("atomic-compacted")).containsExactly(0L, 0L, 0L);
    }
}
