package io.tributary.ingest.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** Idempotent producers (id, epoch, sequence) and the Idempotency-Key header, over HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class IdempotenceHttpTest {

    private static final Path DATA = Http.tempDataDir("idempotence");

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

    private JsonNode initProducer(String name) {
        Http.Response r = http.postJson("/api/v1/producers", name == null ? "{}" : "{\"name\":\"" + name + "\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json();
    }

    /** {@code ingest_produce_records_total} of a topic, from the Prometheus endpoint. */
    private double producedRecordsMetric(String topic) {
        String prometheus = http.get("/actuator/prometheus").text();
        return prometheus.lines().filter(l -> l.startsWith("ingest_produce_records_total{")
                && l.contains("topic=\"" + topic + "\"")).mapToDouble(l -> Double.parseDouble(
                        l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static String idempotent(long producerId, int epoch, long baseSequence, String records) {
        return "{\"producerId\":" + producerId + ",\"producerEpoch\":" + epoch + ",\"baseSequence\":" + baseSequence
                + ",\"records\":[" + records + "]}";
    }

    @Test
    void aRetriedSequenceGetsTheOriginalOffsetsAndIsWrittenOnce() {
        http.createTopic("idem", 2, Map.of());
        JsonNode id = initProducer(null);
        long pid = id.path("producerId").asLong();
        int epoch = id.path("producerEpoch").asInt();
        assertThat(epoch).isZero();
        assertThat(initProducer(null).path("producerId").asLong()).as("anonymous producers get fresh ids").isNotEqualTo(pid);

        String records = "{\"partition\":0,\"value\":\"a\"},{\"partition\":1,\"value\":\"b\"},{\"partition\":0,\"value\":\"c\"}";
        Http.Response first = http.produce("idem", idempotent(pid, epoch, 0, records));
        assertThat(first.status()).as(first.text()).isEqualTo(200);
        for (int attempt = 0; attempt < 3; attempt++) {
            Http.Response retry = http.produce("idem", idempotent(pid, epoch, 0, records));
            assertThat(retry.status()).as(retry.text()).isEqualTo(200);
            assertThat(retry.json().path("offsets")).isEqualTo(first.json().path("offsets"));
        }
        assertThat(http.logEndOffsets("idem")).containsExactly(2L, 1L);
        assertThat(producedRecordsMetric("idem")).as("retries answered as duplicates are not counted again")
                .isEqualTo(3.0);

        Http.Response next = http.produce("idem", idempotent(pid, epoch, 3, "{\"partition\":0,\"value\":\"d\"}"));
        assertThat(next.status()).as(next.text()).isEqualTo(200);
        assertThat(next.json().path("offsets").get(0).path("offset").asLong()).isEqualTo(2);

        // Overlapping what was written without being the same batch: out of order.
        Http.assertProblem(http.produce("idem", idempotent(pid, epoch, 2, "{\"partition\":0,\"value\":\"x\"},"
                + "{\"partition\":0,\"value\":\"y\"}")), 409, "out-of-order-sequence");
        assertThat(http.logEndOffsets("idem")).containsExactly(3L, 1L);

        List<String> values = http.readAll("idem", 0).stream().map(r -> r.path("value").asString()).toList();
        assertThat(values).containsExactly("a", "c", "d");
    }

    @Test
    void aNewEpochOfANamedProducerFencesTheOldOne() {
        http.createTopic("fencing", 1, Map.of());
        JsonNode first = initProducer("pipeline-orders-0");
        long pid = first.path("producerId").asLong();
        Http.Response written = http.produce("fencing", idempotent(pid, 0, 0, "{\"value\":1}"));
        assertThat(written.status()).as(written.text()).isEqualTo(200);

        JsonNode second = initProducer("pipeline-orders-0");
        assertThat(second.path("producerId").asLong()).as("a name keeps its id").isEqualTo(pid);
        assertThat(second.path("producerEpoch").asInt()).isEqualTo(1);

        Http.Response newer = http.produce("fencing", idempotent(pid, 1, 1L << 32, "{\"value\":2}"));
        assertThat(newer.status()).as(newer.text()).isEqualTo(200);
        JsonNode problem = Http.assertProblem(http.produce("fencing", idempotent(pid, 0, 1, "{\"value\":3}")),
                409, "producer-fenced");
        assertThat(problem.path("retriable").asBoolean()).isFalse();
        assertThat(http.logEndOffsets("fencing")).containsExactly(2L);
    }

    @Test
    void aNewEpochFencesTheOldOneEvenBeforeTheNewHolderWrites() {
        http.createTopic("fencing-early", 1, Map.of());
        long pid = initProducer("pipeline-early-0").path("producerId").asLong();
        assertThat(http.produce("fencing-early", idempotent(pid, 0, 0, "{\"value\":1}")).status()).isEqualTo(200);

        assertThat(initProducer("pipeline-early-0").path("producerEpoch").asInt()).isEqualTo(1);
        // The zombie of epoch 0 keeps writing before the new instance has sent anything.
        Http.assertProblem(http.produce("fencing-early", idempotent(pid, 0, 1, "{\"value\":\"zombie\"}")),
                409, "producer-fenced");
        assertThat(http.logEndOffsets("fencing-early")).containsExactly(1L);
    }

    @Test
    void anIdempotencyKeyRetryReturnsTheSameOffsetsAndWritesOnce() throws Exception {
        http.createTopic("keyed-retry", 3, Map.of());
        String body = "{\"records\":[{\"key\":\"a\",\"value\":1},{\"key\":\"b\",\"value\":2},{\"value\":3}]}";
        Map<String, String> key = Map.of("Idempotency-Key", "order-4711");
        Http.Response first = http.postJson("/api/v1/topics/keyed-retry/records", body, key);
        assertThat(first.status()).as(first.text()).isEqualTo(200);
        List<Long> after = http.logEndOffsets("keyed-retry");
        assertThat(after.stream().mapToLong(Long::longValue).sum()).isEqualTo(3);

        List<CompletableFuture<Http.Response>> retries = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            retries.add(CompletableFuture.supplyAsync(() -> http.postJson("/api/v1/topics/keyed-retry/records", body, key)));
        }
        for (CompletableFuture<Http.Response> f : retries) {
            Http.Response retry = f.get(30, TimeUnit.SECONDS);
            assertThat(retry.status()).as(retry.text()).isEqualTo(200);
            assertThat(retry.json()).isEqualTo(first.json());
        }
        assertThat(http.logEndOffsets("keyed-retry")).isEqualTo(after);

        Http.assertProblem(http.postJson("/api/v1/topics/keyed-retry/records",
                "{\"records\":[{\"key\":\"a\",\"value\":999}]}", key), 422, "idempotency-key-reused");
        assertThat(http.logEndOffsets("keyed-retry")).isEqualTo(after);

        // A new key writes again.
        Http.Response other = http.postJson("/api/v1/topics/keyed-retry/records", body,
                Map.of("Idempotency-Key", "order-4712"));
        assertThat(other.status()).isEqualTo(200);
        assertThat(http.logEndOffsets("keyed-retry").stream().mapToLong(Long::longValue).sum()).isEqualTo(6);
    }

    @Test
    void aConcurrentFirstUseOfAnIdempotencyKeyWritesOnce() throws Exception {
        http.createTopic("keyed-race", 1, Map.of());
        String body = "{\"records\":[{\"value\":\"once\"}]}";
        Map<String, String> key = Map.of("Idempotency-Key", "race-1");
        List<CompletableFuture<Http.Response>> attempts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            attempts.add(CompletableFuture.supplyAsync(() -> http.postJson("/api/v1/topics/keyed-race/records", body, key)));
        }
        JsonNode answer = null;
        for (CompletableFuture<Http.Response> f : attempts) {
            Http.Response r = f.get(30, TimeUnit.SECONDS);
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            if (answer == null) {
                answer = r.json();
            }
            assertThat(r.json()).isEqualTo(answer);
        }
        assertThat(http.logEndOffsets("keyed-race")).containsExactly(1L);
    }

    @Test
    void aFailedAttemptDoesNotUseUpItsIdempotencyKey() {
        http.createTopic("keyed-fail", 1, Map.of("cleanup.policy", "compact"));
        Map<String, String> key = Map.of("Idempotency-Key", "fix-and-retry");
        Http.assertProblem(http.postJson("/api/v1/topics/keyed-fail/records", "{\"records\":[{\"value\":1}]}", key),
                400, "invalid-record");
        // The key did not stick to the failed body: the corrected request is written...
        Http.Response fixed = http.postJson("/api/v1/topics/keyed-fail/records",
                "{\"records\":[{\"key\":\"k\",\"value\":1}]}", key);
        assertThat(fixed.status()).as(fixed.text()).isEqualTo(200);
        // ...once.
        Http.Response again = http.postJson("/api/v1/topics/keyed-fail/records",
                "{\"records\":[{\"key\":\"k\",\"value\":1}]}", key);
        assertThat(again.json()).isEqualTo(fixed.json());
        assertThat(http.logEndOffsets("keyed-fail")).containsExactly(1L);
    }

    @Test
    void anIdempotentRequestSpanningPartitionsIsAllOrNothingOnASequenceError() {
        http.createTopic("idem-span", 2, Map.of());
        long pid = initProducer(null).path("producerId").asLong();
        // Partition 1 has seen sequences 0..4 of this producer.
        Http.Response seeded = http.produce("idem-span", idempotent(pid, 0, 0,
                "{\"partition\":1,\"value\":0},{\"partition\":1,\"value\":1},{\"partition\":1,\"value\":2},"
                        + "{\"partition\":1,\"value\":3},{\"partition\":1,\"value\":4}"));
        assertThat(seeded.status()).as(seeded.text()).isEqualTo(200);
        // Record 0 (sequence 2) is new to partition 0; record 1 (sequence 3) overlaps partition 1.
        Http.assertProblem(http.produce("idem-span", idempotent(pid, 0, 2,
                "{\"partition\":0,\"value\":\"p0\"},{\"partition\":1,\"value\":\"p1\"}")), 409, "out-of-order-sequence");
        assertThat(http.logEndOffsets("idem-span")).as("nothing written on any partition").containsExactly(0L, 5L);
    }
}
