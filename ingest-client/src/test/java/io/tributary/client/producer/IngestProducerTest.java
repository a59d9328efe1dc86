package io.tributary.client.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.tributary.client.ClientSettings;
import io.tributary.client.FakeIngestServer;
import io.tributary.client.FakeIngestServer.Reply;
import io.tributary.client.FakeIngestServer.Request;
import io.tributary.client.IngestException;
import io.tributary.client.Partitioner;
import io.tributary.client.ProblemKind;
import io.tributary.client.ProducerIdentity;
import tools.jackson.databind.JsonNode;

class IngestProducerTest {

    private static final String RECORDS = "/api/v1/topics/orders/records";
    private static final Duration NEVER = Duration.ofHours(1);

    private final FakeLog log = new FakeLog();
    private FakeIngestServer server;
    private IngestProducer producer;

    @BeforeEach
    void startServer() {
        server = FakeIngestServer.start();
        server.on("POST", "/api/v1/producers", r -> Reply.ok(Map.of("producerId", 7, "producerEpoch", 3)));
        server.on("GET", "/api/v1/topics/orders", r -> Reply.ok(Map.of("name", "orders", "partitions", 4)));
        server.on("POST", RECORDS, log::append);
    }

    @AfterEach
    void stop() {
        if (producer != null) {
            producer.close();
        }
        server.close();
    }

    private IngestProducer producer(Consumer<ProducerSettings.Builder> tuning) {
        ProducerSettings.Builder builder = ProducerSettings.builder(ClientSettings.of(server.baseUrl()))
                .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(20));
        tuning.accept(builder);
        producer = IngestProducer.create(builder.build());
        return producer;
    }

    private static ProducerRecord record(String key, int id) {
        return ProducerRecord.ofJson(key, "{\"id\":" + id + "}");
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldRetryABatchWhoseAttemptTimedOutOnTheNextNodeWithTheSameSequence() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        server.on("POST", RECORDS, r -> {
            release.await(10, TimeUnit.SECONDS); // a node that stopped answering
            return log.append(r);
        });
        try (FakeIngestServer other = FakeIngestServer.start()) {
            other.on("POST", RECORDS, log::append);
            ProducerSettings settings = ProducerSettings.builder(
                            ClientSettings.of(server.baseUrl() + "," + other.baseUrl())
                                    .withRequestTimeout(Duration.ofMillis(300)))
                    .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(20)).linger(Duration.ZERO).build();
            producer = IngestProducer.create(settings);

            RecordMetadata written = await(producer.send("orders", record(null, 1).withPartition(0)));

            assertThat(written.offset()).isEqualTo(0);
            Request first = server.requests("POST", RECORDS).get(0);
            Request retry = other.requests("POST", RECORDS).get(0);
            assertThat(retry.body()).isEqualTo(first.body());
            assertThat(retry.json().path("producerId").asLong()).isEqualTo(7);
            producer.close();
            producer = null;
        } finally {
            release.countDown();
        }
    }

    @Test
    void shouldRetryAKeyOnlyBatchWhoseAttemptTimedOutOnTheNextNodeWithTheSameKey() throws Exception {
        // Not idempotent: the batch carries only an Idempotency-Key, which every replica of the
        // partition remembers on a cluster, so a retry elsewhere cannot write it twice.
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        server.on("POST", RECORDS, r -> {
            release.await(10, TimeUnit.SECONDS);
            return log.append(r);
        });
        try (FakeIngestServer other = FakeIngestServer.start()) {
            other.on("POST", RECORDS, log::append);
            ProducerSettings settings = ProducerSettings.builder(
                            ClientSettings.of(server.baseUrl() + "," + other.baseUrl())
                                    .withRequestTimeout(Duration.ofMillis(300)))
                    .idempotent(false).retryBackoff(Duration.ofMillis(5), Duration.ofMillis(20))
                    .linger(Duration.ZERO).build();
            producer = IngestProducer.create(settings);

            RecordMetadata written = await(producer.send("orders", record(null, 1).withPartition(0)));

            assertThat(written.offset()).isEqualTo(0);
            Request first = server.requests("POST", RECORDS).get(0);
            Request retry = other.requests("POST", RECORDS).get(0);
            assertThat(retry.header("Idempotency-Key")).isNotBlank().isEqualTo(first.header("Idempotency-Key"));
            assertThat(retry.body()).isEqualTo(first.body());
            producer.close();
            producer = null;
        } finally {
            release.countDown();
        }
    }

    @Test
    void shouldSendAFullBatchAsOneRequestWithoutWaitingForLinger() throws Exception {
        producer(b -> b.batchSize(3).linger(NEVER));

        List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sent.add(producer.send("orders", record(null, i).withPartition(2)));
        }

        assertThat(await(sent.get(2)).offset()).isEqualTo(2);
        assertThat(sent).extracting(f -> f.join().offset()).containsExactly(0L, 1L, 2L);
        assertThat(sent).extracting(f -> f.join().partition()).containsOnly(2);
        List<Request> requests = server.requests("POST", RECORDS);
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).json().path("records")).hasSize(3);
    }

    @Test
    void shouldSplitRecordsIntoBatchesOfBatchSize() throws Exception {
        producer(b -> b.batchSize(2).linger(NEVER));

        List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            sent.add(producer.send("orders", record(null, i).withPartition(0)));
        }
        await(sent.get(3));

        assertThat(server.requests("POST", RECORDS)).extracting(r -> r.json().path("records").size())
                .containsExactly(2, 2);
    }

    @Test
    void shouldSendALingeringBatchWithoutFlush() throws Exception {
        producer(b -> b.batchSize(100).linger(Duration.ofMillis(20)));

        CompletableFuture<RecordMetadata> first = producer.send("orders", record(null, 1).withPartition(1));
        CompletableFuture<RecordMetadata> second = producer.send("orders", record(null, 2).withPartition(1));

        assertThat(await(second).offset()).isEqualTo(1);
        assertThat(await(first).offset()).isEqualTo(0);
        assertThat(server.requests("POST", RECORDS)).hasSize(1);
    }

    @Test
    void shouldRouteKeyedRecordsToTheirPartitionerPartition() throws Exception {
        producer(b -> b.linger(NEVER));
        List<String> keys = List.of("alice", "bob", "carol", "dave", "erin", "frank");

        List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
        keys.forEach(key -> sent.add(producer.send("orders", record(key, 1))));
        producer.flush();

        for (int i = 0; i < keys.size(); i++) {
            assertThat(sent.get(i).join().partition()).isEqualTo(Partitioner.partitionForKey(keys.get(i), 4));
        }
        for (Request request : server.requests("POST", RECORDS)) {
            for (JsonNode record : request.json().path("records")) {
                assertThat(record.path("partition").asInt())
                        .isEqualTo(Partitioner.partitionForKey(record.path("key").asString(), 4));
            }
        }
        assertThat(server.requests("GET", "/api/v1/topics/orders")).as("partition count is cached").hasSize(1);
    }

    @Test
    void shouldSpreadKeylessRecordsRoundRobin() throws Exception {
        producer(b -> b.linger(NEVER));

        List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            sent.add(producer.send("orders", record(null, i)));
        }
        producer.flush();

        assertThat(sent).extracting(f -> f.join().partition()).containsExactlyInAnyOrder(0, 1, 2, 3);
    }

    @Test
    void shouldEmbedJsonTextValuesAsJsonNotAsStrings() throws Exception {
        producer(b -> b.linger(NEVER));

        producer.send("orders", ProducerRecord.ofJson("k", "{\"amount\": 12.50}").withHeader("source", "test")
                .withTimestamp(42));
        producer.flush();

        JsonNode sent = server.requests("POST", RECORDS).get(0).json().path("records").get(0);
        assertThat(sent.path("value").isObject()).isTrue();
        assertThat(sent.path("value").path("amount").decimalValue()).isEqualByComparingTo("12.50");
        assertThat(sent.path("headers").path("source").asString()).isEqualTo("test");
        assertThat(sent.path("timestamp").asLong()).isEqualTo(42);
    }

    @Test
    void shouldFailTheFutureOfAValueThatIsNotJson() {
        producer(b -> b.linger(NEVER));

        CompletableFuture<RecordMetadata> sent = producer.send("orders", ProducerRecord.ofJson("k", "{oops"));

        assertThatThrownBy(() -> await(sent)).hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRetryWithTheSameBaseSequenceAfterUnavailableAndRetriableProblems() throws Exception {
        server.on("POST", RECORDS, new FailFirst(log,
                Reply.problem(503, "unavailable", "leader moving", true),
                Reply.problem(409, "not-leader", "try again", true))::handle);
        producer(b -> b.batchSize(2).linger(NEVER));

        CompletableFuture<RecordMetadata> first = producer.send("orders", record(null, 1).withPartition(0));
        CompletableFuture<RecordMetadata> second = producer.send("orders", record(null, 2).withPartition(0));

        assertThat(await(second).offset()).isEqualTo(1);
        assertThat(await(first).offset()).isEqualTo(0);
        List<Request> attempts = server.requests("POST", RECORDS);
        assertThat(attempts).hasSize(3);
        assertThat(attempts).extracting(Request::body).containsOnly(attempts.get(0).body());
        assertThat(attempts.get(0).json().path("producerId").asLong()).isEqualTo(7);
        assertThat(attempts.get(0).json().path("producerEpoch").asInt()).isEqualTo(3);
        assertThat(attempts.get(0).json().path("baseSequence").asLong()).isZero();
    }

    @Test
    void shouldFailTheBatchWithTheProblemDetailOnANonRetriableBadRequest() {
        server.on("POST", RECORDS, r -> Reply.problem(400, "bad-request", "timestamp must be positive", false));
        producer(b -> b.batchSize(2).linger(NEVER));

        CompletableFuture<RecordMetadata> first = producer.send("orders", record(null, 1).withPartition(0));
        CompletableFuture<RecordMetadata> second = producer.send("orders", record(null, 2).withPartition(0));

        for (CompletableFuture<RecordMetadata> future : List.of(first, second)) {
            assertThatThrownBy(() -> await(future))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOfSatisfying(IngestException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.kind()).isEqualTo(ProblemKind.BAD_REQUEST);
                        assertThat(e.detail()).isEqualTo("timestamp must be positive");
                        assertThat(e.retriable()).isFalse();
                    });
        }
        assertThat(server.requests("POST", RECORDS)).hasSize(1);
    }

    @Test
    void shouldGiveUpAfterMaxAttempts() {
        server.on("POST", RECORDS, r -> Reply.problem(503, "unavailable", "down", true));
        producer(b -> b.linger(NEVER).maxAttempts(3));

        CompletableFuture<RecordMetadata> sent = producer.send("orders", record(null, 1).withPartition(0));
        producer.flush();

        assertThatThrownBy(sent::join).hasCauseInstanceOf(IngestException.class);
        assertThat(server.requests("POST", RECORDS)).hasSize(3);
    }

    @Test
    void shouldCompleteWithUnknownOffsetsWhenTheServiceReportsAnOldDuplicate() throws Exception {
        server.on("POST", RECORDS, r -> Reply.problem(409, "duplicate-sequence", "already written", false));
        producer(b -> b.linger(NEVER));

        CompletableFuture<RecordMetadata> sent = producer.send("orders", record(null, 1).withPartition(3));
        producer.flush();

        RecordMetadata metadata = await(sent);
        assertThat(metadata.hasOffset()).isFalse();
        assertThat(metadata.offset()).isEqualTo(RecordMetadata.UNKNOWN);
        assertThat(metadata.partition()).isEqualTo(3);
    }

    @Test
    void shouldFailLaterSendsOnceFenced() {
        server.on("POST", RECORDS, r -> Reply.problem(409, "producer-fenced", "epoch 4 exists", false));
        producer(b -> b.linger(NEVER));

        CompletableFuture<RecordMetadata> fenced = producer.send("orders", record(null, 1).withPartition(0));
        producer.flush();
        CompletableFuture<RecordMetadata> later = producer.send("orders", record(null, 2).withPartition(0));

        assertThatThrownBy(fenced::join).cause().isInstanceOfSatisfying(IngestException.class,
                e -> assertThat(e.kind()).isEqualTo(ProblemKind.PRODUCER_FENCED));
        assertThatThrownBy(later::join).cause().isInstanceOf(IngestException.class);
        assertThat(server.requests("POST", RECORDS)).hasSize(1);
    }

    @Test
    void shouldNumberConsecutiveBatchesOfAPartitionWithIncreasingSequences() throws Exception {
        producer(b -> b.batchSize(2).linger(NEVER));

        for (int i = 0; i < 5; i++) {
            producer.send("orders", record(null, i).withPartition(1));
        }
        producer.flush();

        assertThat(server.requests("POST", RECORDS))
                .extracting(r -> r.json().path("baseSequence").asLong())
                .containsExactly(0L, 2L, 4L);
    }

    @Test
    void shouldStartANamedProducersSequencesAboveEveryEarlierEpoch() throws Exception {
        producer(b -> b.linger(NEVER).producerName("orders-writer"));

        producer.send("orders", record(null, 1).withPartition(0));
        producer.flush();

        assertThat(server.requests("POST", "/api/v1/producers").get(0).json().path("name").asString())
                .isEqualTo("orders-writer");
        assertThat(server.requests("POST", RECORDS).get(0).json().path("baseSequence").asLong())
                .as("epoch 3 numbers from 3 << 32").isEqualTo(3L << 32);
    }

    @Test
    void shouldDrainAllPartitionsOnClose() throws Exception {
        producer(b -> b.linger(NEVER));

        List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            sent.add(producer.send("orders", record(null, i)));
        }
        producer.close();

        assertThat(sent).allSatisfy(f -> assertThat(f).isCompleted());
        assertThat(sent).extracting(f -> f.join().offset()).containsOnly(0L, 1L);
        assertThat(server.requests("POST", RECORDS)).hasSize(4);
        assertThatThrownBy(() -> producer.send("orders", record(null, 9))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldFailSendAfterMaxBlockWhenBufferMemoryIsUsedUp() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server.on("POST", RECORDS, r -> {
            release.await(10, TimeUnit.SECONDS);
            return log.append(r);
        });
        producer(b -> b.linger(Duration.ZERO).maxBatchBytes(200).bufferMemory(200).maxBlock(Duration.ofMillis(50)));

        CompletableFuture<RecordMetadata> inFlight = producer.send("orders",
                ProducerRecord.ofJson(null, "\"" + "x".repeat(100) + "\"").withPartition(0));
        server.awaitRequests("POST", RECORDS, 1);
        CompletableFuture<RecordMetadata> blocked = producer.send("orders",
                ProducerRecord.ofJson(null, "\"" + "y".repeat(100) + "\"").withPartition(0));

        assertThatThrownBy(blocked::join).cause().isInstanceOf(BufferExhaustedException.class);
        release.countDown();
        assertThat(await(inFlight).offset()).isZero();
    }

    @Test
    void shouldSendAnExplicitBatchUnderTheCallersIdentityAndSequence() throws Exception {
        server.on("POST", RECORDS, new FailFirst(log, Reply.problem(503, "unavailable", "try later", true))::handle);
        producer(b -> b.idempotent(false));
        ProducerIdentity derived = new ProducerIdentity(99, 5);

        List<RecordMetadata> written = await(producer.sendBatch("orders", 2,
                List.of(record("a", 1), record("b", 2)), derived, 1_000));

        assertThat(written).extracting(RecordMetadata::offset).containsExactly(0L, 1L);
        assertThat(written).extracting(RecordMetadata::partition).containsOnly(2);
        List<Request> attempts = server.requests("POST", RECORDS);
        assertThat(attempts).hasSize(2);
        JsonNode body = attempts.get(1).json();
        assertThat(body.path("producerId").asLong()).isEqualTo(99);
        assertThat(body.path("producerEpoch").asInt()).isEqualTo(5);
        assertThat(body.path("baseSequence").asLong()).isEqualTo(1_000);
        assertThat(attempts.get(0).body()).isEqualTo(attempts.get(1).body());
        assertThat(server.requests("POST", "/api/v1/producers")).isEmpty();
    }

    @Test
    void shouldKeepTheIdempotencyKeyAcrossRetriesWhenNotIdempotent() throws Exception {
        server.on("POST", RECORDS, new FailFirst(log, Reply.problem(503, "unavailable", "try later", true))::handle);
        producer(b -> b.idempotent(false).linger(NEVER));

        CompletableFuture<RecordMetadata> sent = producer.send("orders", record(null, 1).withPartition(0));
        producer.flush();

        assertThat(await(sent).offset()).isZero();
        List<Request> attempts = server.requests("POST", RECORDS);
        assertThat(attempts).hasSize(2);
        assertThat(attempts.get(0).header("Idempotency-Key")).isNotBlank()
                .isEqualTo(attempts.get(1).header("Idempotency-Key"));
        assertThat(attempts.get(0).json().has("baseSequence")).isFalse();
    }

    /** Answers the first requests with the given failures, then appends to the log. */
    @Test
    void shouldSendPerRecordSequencesAndResendTheSameBodyOnRetry() throws Exception {
        server.on("POST", RECORDS, new FailFirst(log, Reply.problem(503, "unavailable", "try later", true))::handle);
        producer(b -> b.idempotent(false));
        ProducerIdentity derived = new ProducerIdentity(7, 2);

        List<RecordMetadata> written = await(producer.sendSequenced("orders", 1,
                List.of(new SequencedRecord(record("a", 1), 10), new SequencedRecord(record("b", 2), 14)), derived));

        assertThat(written).extracting(RecordMetadata::offset).containsExactly(0L, 1L);
        List<Request> attempts = server.requests("POST", RECORDS);
        assertThat(attempts).hasSize(2);
        JsonNode body = attempts.get(1).json();
        assertThat(body.path("producerId").asLong()).isEqualTo(7);
        assertThat(body.path("producerEpoch").asInt()).isEqualTo(2);
        assertThat(body.has("baseSequence")).isFalse();
        assertThat(body.path("records").findValuesAsString("sequence")).containsExactly("10", "14");
        assertThat(body.path("records").findValues("partition")).extracting(JsonNode::asInt).containsOnly(1);
        assertThat(attempts.get(0).body()).isEqualTo(attempts.get(1).body());
    }

    @Test
    void shouldWriteTreeValuesAsTheyAreWithPerRecordSequencesAndResendTheSameBody() throws Exception {
        server.on("POST", RECORDS, new FailFirst(log, Reply.problem(503, "unavailable", "try later", true))::handle);
        producer(b -> b.idempotent(false));
        JsonNode value = io.tributary.client.internal.Json.MAPPER.readTree(
                "{\"s\":\"quote \\\" and \\u00e9\",\"n\":1.5,\"a\":[true,null],\"o\":{}}");

        List<RecordMetadata> written = await(producer.sendSequencedTrees("orders", 2, List.of(
                new SequencedTree("a", value, Map.of("h", "v"), 1_000L, 3),
                new SequencedTree(null, null, Map.of(), null, 8)), new ProducerIdentity(7, 2)));

        assertThat(written).extracting(RecordMetadata::offset).containsExactly(0L, 1L);
        List<Request> attempts = server.requests("POST", RECORDS);
        assertThat(attempts).hasSize(2);
        assertThat(attempts.get(0).body()).isEqualTo(attempts.get(1).body());
        JsonNode body = attempts.get(1).json();
        assertThat(body.path("producerEpoch").asInt()).isEqualTo(2);
        assertThat(body.path("acks").asString()).isEqualTo("all");
        JsonNode first = body.path("records").get(0);
        assertThat(first.path("value")).isEqualTo(value);
        assertThat(first.path("key").asString()).isEqualTo("a");
        assertThat(first.path("headers").path("h").asString()).isEqualTo("v");
        assertThat(first.path("timestamp").asLong()).isEqualTo(1_000L);
        JsonNode second = body.path("records").get(1);
        assertThat(second.path("key").isNull()).isTrue();
        assertThat(second.path("value").isNull()).isTrue();
        assertThat(second.has("timestamp")).isFalse();
        assertThat(body.path("records").findValuesAsString("sequence")).containsExactly("3", "8");
        assertThat(body.path("records").findValues("partition")).extracting(JsonNode::asInt).containsOnly(2);
        assertThatThrownBy(() -> producer.sendSequencedTrees("orders", 0, List.of(
                new SequencedTree("a", value, Map.of(), null, 5), new SequencedTree("b", value, Map.of(), null, 5)),
                new ProducerIdentity(7, 2)).join()).cause().hasMessageContaining("must increase");
    }

    @Test
    void shouldRefuseSequencesThatDoNotIncrease() {
        producer(b -> b.idempotent(false));

        CompletableFuture<List<RecordMetadata>> sent = producer.sendSequenced("orders", 0,
                List.of(new SequencedRecord(record("a", 1), 5), new SequencedRecord(record("b", 2), 5)),
                new ProducerIdentity(7, 0));

        assertThatThrownBy(sent::join).cause().isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must increase");
        assertThat(server.requests("POST", RECORDS)).isEmpty();
    }

    @Test
    void shouldReportAnOverlappingSequenceAsOutOfOrder() {
        server.on("POST", RECORDS, r -> Reply.problem(409, "out-of-order-sequence", "already written up to 9", false,
                "lastSequence", 9));
        producer(b -> b.idempotent(false));

        CompletableFuture<List<RecordMetadata>> sent = producer.sendSequenced("orders", 0,
                List.of(new SequencedRecord(record("a", 1), 5)), new ProducerIdentity(7, 0));

        assertThatThrownBy(sent::join).cause().isInstanceOfSatisfying(IngestException.class,
                e -> assertThat(e.kind()).isEqualTo(ProblemKind.OUT_OF_ORDER_SEQUENCE));
    }

    private static final class FailFirst {
        private final FakeLog log;
        private final List<Reply> failures;
        private final AtomicInteger seen = new AtomicInteger();

        FailFirst(FakeLog log, Reply... failures) {
            this.log = log;
            this.failures = List.of(failures);
        }

        Reply handle(Request request) {
            int attempt = seen.getAndIncrement();
            return attempt < failures.size() ? failures.get(attempt) : log.append(request);
        }
    }
}
