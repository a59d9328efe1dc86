package io.tributary.client.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.tributary.client.ClientSettings;
import io.tributary.client.ConsumedRecord;
import io.tributary.client.IngestException;
import io.tributary.client.internal.Json;
import io.tributary.client.FakeIngestServer;
import io.tributary.client.FakeIngestServer.Reply;
import io.tributary.client.TopicPartition;
import tools.jackson.databind.JsonNode;

class GroupConsumerTest {

    private static final String GROUP = "/api/v1/groups/billing";
    private static final String JOIN = GROUP + "/members";
    private static final String OFFSETS = GROUP + "/offsets";
    private static final TopicPartition P0 = new TopicPartition("orders", 0);
    private static final TopicPartition P1 = new TopicPartition("orders", 1);
    private static final TopicPartition P2 = new TopicPartition("orders", 2);

    /**
     * Where a test's waker waits for the server: a thread of its own. On the common pool (one thread on two cores) it
     * would hold up the JDK HTTP client, which needs that pool for its first answer in a JVM on Java 25.
     */
    private static final Executor WAKER = task -> Thread.ofVirtual().name("test-waker").start(task);

    private final RecordingListener listener = new RecordingListener();
    private FakeIngestServer server;
    private GroupConsumer consumer;

    @BeforeEach
    void startServer() {
        server = FakeIngestServer.start();
        server.on("POST", JOIN, r -> Reply.ok(membership("m1", 1, P0, P1)));
        server.on("GET", JOIN + "/m1/records", r -> Reply.ok(poll(1, List.of(P0, P1))));
        server.on("POST", JOIN + "/m1/heartbeat", r -> Reply.ok(membership("m1", 1, P0, P1)));
        server.on("POST", OFFSETS, r -> Reply.noContent());
        server.on("DELETE", JOIN + "/.*", r -> Reply.noContent());
    }

    @AfterEach
    void stop() {
        if (consumer != null) {
            consumer.close();
        }
        server.close();
    }

    private GroupConsumer consumer(Consumer<ConsumerSettings.Builder> tuning) {
        ConsumerSettings.Builder builder = ConsumerSettings.builder(ClientSettings.of(server.baseUrl()), "billing",
                List.of("orders")).pollWait(Duration.ZERO).autoOffsetReset(AutoOffsetReset.EARLIEST);
        tuning.accept(builder);
        consumer = new GroupConsumer(builder.build(), listener);
        return consumer;
    }

    @Test
    void shouldJoinPollAndCommitTheOffsetAfterEachReturnedRecord() throws Exception {
        server.on("GET", JOIN + "/m1/records", r -> Reply.ok(poll(1, List.of(P0, P1),
                record(P0, 5), record(P0, 6), record(P1, 9))));
        consumer(b -> b.sessionTimeout(Duration.ofSeconds(10)).maxPollRecords(50));

        List<ConsumedRecord> records = consumer.poll(Duration.ofSeconds(5));
        consumer.commitSync();

        assertThat(records).extracting(ConsumedRecord::offset).containsExactly(5L, 6L, 9L);
        assertThat(records.get(0).value().path("n").asInt()).isEqualTo(5);
        assertThat(records.get(0).key()).isEqualTo("key-5");
        JsonNode join = server.requests("POST", JOIN).get(0).json();
        assertThat(join.path("topics").get(0).asString()).isEqualTo("orders");
        assertThat(join.path("sessionTimeoutMs").asLong()).isEqualTo(10_000);
        assertThat(join.path("autoOffsetReset").asString()).isEqualTo("earliest");
        assertThat(server.requests("GET", JOIN + "/m1/records").get(0).query()).containsEntry("maxRecords", "50");
        JsonNode commit = server.requests("POST", OFFSETS).get(0).json();
        assertThat(commit.path("memberId").asString()).isEqualTo("m1");
        assertThat(commit.path("generation").asInt()).isEqualTo(1);
        assertThat(committed(commit)).containsExactlyInAnyOrderEntriesOf(Map.of(P0, 7L, P1, 10L));
        assertThat(listener.assigned).containsExactly(List.of(P0, P1));
    }

    @Test
    void shouldHandOverTheReadableRecordsOfAPollAnswerAndMarkTheOneWhoseValueCannotBeRead() {
        // beyond the reader's nesting limit, so the answer cannot be read as a whole
        int depth = Json.MAX_NESTING_DEPTH + 10;
        String deep = "[".repeat(depth) + "]".repeat(depth);
        String answer = """
                {"generation":1,"assignments":[{"topic":"orders","partition":0}],"records":[
                 {"topic":"orders","partition":0,"offset":4,"timestamp":1004,"key":"a","value":{"n":4},"headers":{}},
                 {"topic":"orders","partition":0,"offset":5,"timestamp":1005,"key":"b","value":%s,"headers":{"h":"x"}},
                 {"topic":"orders","partition":0,"offset":6,"timestamp":1006,"key":"c","value":{"n":6},"headers":{}}]}"""
                .formatted(deep);
        server.on("GET", JOIN + "/m1/records", r -> Reply.ok(answer));

        List<ConsumedRecord> records = consumer(b -> { }).poll(Duration.ofSeconds(5));

        assertThat(records).extracting(ConsumedRecord::offset).containsExactly(4L, 5L, 6L);
        assertThat(records.get(0).valueError()).isNull();
        assertThat(records.get(0).value().path("n").asInt()).isEqualTo(4);
        assertThat(records.get(2).value().path("n").asInt()).isEqualTo(6);
        ConsumedRecord poison = records.get(1);
        assertThat(poison.key()).isEqualTo("b");
        assertThat(poison.timestamp()).isEqualTo(1005L);
        assertThat(poison.headers()).containsEntry("h", "x");
        assertThat(poison.valueError()).contains("nesting depth");
        assertThat(poison.rawValue()).isEqualTo(deep);
        assertThat(poison.value().isNull()).isTrue();
    }

    @Test
    void shouldCommitExplicitOffsets() throws Exception {
        consumer(b -> { });
        consumer.poll(Duration.ZERO);

        consumer.commitSync(Map.of(P1, 42L));

        assertThat(committed(server.requests("POST", OFFSETS).get(0).json())).containsExactly(Map.entry(P1, 42L));
    }

    @Test
    void shouldThrowCommitFailedAfterRefreshingTheAssignmentWhenTheCommitIsFenced() {
        server.on("GET", JOIN + "/m1/records", r -> Reply.ok(poll(1, List.of(P0, P1), record(P0, 3))));
        server.on("POST", OFFSETS, r -> Reply.problem(409, "rebalance-in-progress", "generation 2 is current", false));
        server.on("POST", JOIN + "/m1/heartbeat", r -> Reply.ok(membership("m1", 2, P1, P2)));
        consumer(b -> { });
        consumer.poll(Duration.ofSeconds(5));

        assertThatThrownBy(consumer::commitSync)
                .isInstanceOf(CommitFailedException.class)
                .satisfies(e -> assertThat(((CommitFailedException) e).getCause().status()).isEqualTo(409));

        assertThat(consumer.assignment()).containsExactlyInAnyOrder(P1, P2);
        assertThat(listener.revoked).containsExactly(List.of(P0));
        assertThat(listener.assigned).containsExactly(List.of(P0, P1), List.of(P2));
    }

    @Test
    void shouldCommitAgainUnderTheNewGenerationWhenARebalanceLeftItEveryPartition() throws Exception {
        server.on("GET", JOIN + "/m1/records", r -> Reply.ok(poll(1, List.of(P0, P1), record(P0, 3), record(P1, 9))));
        server.on("POST", OFFSETS, r -> r.json().path("generation").asInt() == 1
                ? Reply.problem(409, "rebalance-in-progress", "generation 2 is current", false) : Reply.noContent());
        // Another member joined and left again, or took a partition of another topic: this one kept both.
        server.on("POST", JOIN + "/m1/heartbeat", r -> Reply.ok(membership("m1", 2, P0, P1)));
        consumer(b -> { });
        consumer.poll(Duration.ofSeconds(5));

        consumer.commitSync();

        List<JsonNode> commits = server.requests("POST", OFFSETS).stream().map(FakeIngestServer.Request::json).toList();
        assertThat(commits).hasSize(2);
        assertThat(commits.get(1).path("generation").asInt()).isEqualTo(2);
        assertThat(committed(commits.get(1))).containsExactlyInAnyOrderEntriesOf(Map.of(P0, 4L, P1, 10L));
        assertThat(listener.revoked).isEmpty();
    }

    @Test
    void shouldCommitThePartitionsStillOwnedAndNameTheOnesThatMovedWhenARebalanceTookSome() throws Exception {
        server.on("GET", JOIN + "/m1/records", r -> Reply.ok(poll(1, List.of(P0, P1), record(P0, 3), record(P1, 9))));
        server.on("POST", OFFSETS, r -> r.json().path("generation").asInt() == 1
                ? Reply.problem(409, "rebalance-in-progress", "generation 2 is current", false) : Reply.noContent());
        server.on("POST", JOIN + "/m1/heartbeat", r -> Reply.ok(membership("m1", 2, P1, P2)));
        consumer(b -> { });
        consumer.poll(Duration.ofSeconds(5));

        assertThatThrownBy(consumer::commitSync)
                .isInstanceOf(CommitFailedException.class)
                .hasMessageContaining("not [" + P0 + "]");

        List<JsonNode> commits = server.requests("POST", OFFSETS).stream().map(FakeIngestServer.Request::json).toList();
        assertThat(commits).hasSize(2);
        assertThat(commits.get(1).path("generation").asInt()).isEqualTo(2);
        assertThat(committed(commits.get(1))).containsExactly(Map.entry(P1, 10L));
        assertThat(listener.revoked).containsExactly(List.of(P0));
    }

    @Test
    void shouldReportARebalanceSeenByTheHeartbeatOnThePollingThread() throws Exception {
        server.on("POST", JOIN + "/m1/heartbeat", r -> Reply.ok(membership("m1", 2, P1, P2)));
        consumer(b -> b.heartbeatInterval(Duration.ofMillis(10)));
        consumer.poll(Duration.ZERO);
        server.awaitRequests("POST", JOIN + "/m1/heartbeat", 1);

        pollUntil(() -> !listener.revoked.isEmpty());

        assertThat(listener.revoked).containsExactly(List.of(P0));
        assertThat(listener.assigned).containsExactly(List.of(P0, P1), List.of(P2));
        assertThat(listener.threads).containsOnly(Thread.currentThread());
        assertThat(consumer.assignment()).containsExactlyInAnyOrder(P1, P2);
    }

    @Test
    void shouldRejoinTransparentlyWhenAPollFindsTheMemberExpired() {
        server.onSequence("POST", JOIN, Reply.ok(membership("m1", 1, P0, P1)), Reply.ok(membership("m2", 3, P1)));
        server.on("GET", JOIN + "/m1/records", r -> Reply.problem(404, "member-not-found", "session expired", false));
        server.on("GET", JOIN + "/m2/records", r -> Reply.ok(poll(3, List.of(P1), record(P1, 4))));
        consumer(b -> { });

        List<ConsumedRecord> records = consumer.poll(Duration.ofSeconds(5));

        assertThat(records).extracting(ConsumedRecord::offset).containsExactly(4L);
        assertThat(server.requests("POST", JOIN)).hasSize(2);
        assertThat(listener.revoked).containsExactly(List.of(P0, P1));
        assertThat(listener.assigned).containsExactly(List.of(P0, P1), List.of(P1));
        assertThat(consumer.assignment()).containsExactly(P1);
    }

    @Test
    void shouldRejoinWhenAHeartbeatFindsTheMemberExpired() throws Exception {
        server.onSequence("POST", JOIN, Reply.ok(membership("m1", 1, P0, P1)), Reply.ok(membership("m2", 2, P2)));
        server.on("POST", JOIN + "/m1/heartbeat", r -> Reply.problem(404, "member-not-found", "expired", false));
        server.on("GET", JOIN + "/m2/records", r -> Reply.ok(poll(2, List.of(P2))));
        server.on("POST", JOIN + "/m2/heartbeat", r -> Reply.ok(membership("m2", 2, P2)));
        consumer(b -> b.heartbeatInterval(Duration.ofMillis(10)));
        consumer.poll(Duration.ZERO);
        server.awaitRequests("POST", JOIN + "/m1/heartbeat", 1);

        pollUntil(() -> server.requests("POST", JOIN).size() == 2);

        assertThat(consumer.assignment()).containsExactly(P2);
        assertThat(listener.revoked).containsExactly(List.of(P0, P1));
        assertThat(listener.assigned).containsExactly(List.of(P0, P1), List.of(P2));
    }

    @Test
    void shouldRevokeAndLeaveTheGroupOnClose() {
        consumer(b -> { });
        consumer.poll(Duration.ZERO);

        consumer.close();

        assertThat(server.requests("DELETE", JOIN + "/m1")).hasSize(1);
        assertThat(listener.revoked).containsExactly(List.of(P0, P1));
        assertThatThrownBy(() -> consumer.poll(Duration.ZERO)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldCommitReturnedRecordsAtTheNextPollWhenAutoCommitIsOn() {
        server.onSequence("GET", JOIN + "/m1/records", Reply.ok(poll(1, List.of(P0, P1), record(P0, 8))),
                Reply.ok(poll(1, List.of(P0, P1))));
        consumer(b -> b.enableAutoCommit(true));

        consumer.poll(Duration.ZERO);
        assertThat(server.requests("POST", OFFSETS)).isEmpty();
        consumer.poll(Duration.ZERO);

        assertThat(committed(server.requests("POST", OFFSETS).get(0).json())).containsExactly(Map.entry(P0, 9L));
    }

    @Test
    void shouldAbortABlockedPollWhenWokenUpFromAnotherThread() throws Exception {
        CountDownLatch serverRelease = new CountDownLatch(1);
        server.on("GET", JOIN + "/m1/records", r -> {
            serverRelease.await(10, TimeUnit.SECONDS);
            return Reply.ok(poll(1, List.of(P0, P1)));
        });
        consumer(b -> b.pollWait(Duration.ofSeconds(5)));
        CompletableFuture<Void> waker = CompletableFuture.runAsync(() -> {
            try {
                server.awaitRequests("GET", JOIN + "/m1/records", 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            consumer.wakeup();
        }, WAKER);

        try {
            assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(5))).isInstanceOf(WakeupException.class);
        } finally {
            serverRelease.countDown();
        }
        waker.get(10, TimeUnit.SECONDS);
    }

    /** Polls until the condition holds; fails after a generous bound instead of sleeping. */
    private void pollUntil(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not reached in time").isLessThan(deadline);
            consumer.poll(Duration.ofMillis(5));
        }
    }

    @Test
    void shouldKeepPollingThroughATransient503WithoutGivingUpTheAssignment() {
        // the coordinator moves: two polls refused as retriable, then records
        server.onSequence("GET", JOIN + "/m1/records",
                Reply.problem(503, "coordinator-not-available", "electing", true),
                Reply.problem(503, "coordinator-not-available", "electing", true),
                Reply.ok(poll(1, List.of(P0, P1), record(P0, 5))));

        List<ConsumedRecord> records = consumer(b -> { }).poll(Duration.ofSeconds(10));

        assertThat(records).extracting(ConsumedRecord::offset).containsExactly(5L);
        assertThat(server.requests("GET", JOIN + "/m1/records")).hasSize(3);
        assertThat(server.requests("POST", JOIN)).hasSize(1);
        assertThat(listener.revoked).isEmpty();
        assertThat(consumer.assignment()).containsExactlyInAnyOrder(P0, P1);
    }

    /**
     * A coordinator as the service is one for polls ({@code pollSeq}, {@code after}): partition 0
     * holds {@code size} records, each answer carries up to three.
     */
    private static final class PollingCoordinator implements FakeIngestServer.Handler {
        private final int size;
        private final java.util.Set<Integer> lostAnswers;
        private int answers;
        private long issued;
        private long seq;
        private long ackedSeq;
        private long position;
        private long ackedPosition;

        PollingCoordinator(int size, Integer... lostAnswers) {
            this.size = size;
            this.lostAnswers = java.util.Set.of(lostAnswers);
        }

        @Override
        public synchronized Reply handle(FakeIngestServer.Request request) {
            String after = request.query().get("after");
            if (after != null && Long.parseLong(after) != seq) {
                if (Long.parseLong(after) != ackedSeq) {
                    return Reply.problem(409, "unknown-poll-sequence", "after " + after, false);
                }
                position = ackedPosition;
                seq = ackedSeq;
            }
            ackedPosition = position;
            ackedSeq = seq;
            seq = ++issued;
            List<Map<?, ?>> records = new ArrayList<>();
            for (; position < size && records.size() < 3; position++) {
                records.add(record(P0, position));
            }
            Reply answer = Reply.ok(Map.of("generation", 1, "assignments", assignments(List.of(P0)),
                    "pollSeq", seq, "records", records));
            return lostAnswers.contains(answers++) ? answer.lost() : answer;
        }
    }

    @Test
    void shouldSendAPollAgainAfterItsAnswerWasLostAndDeliverEveryRecordOnce() {
        server.on("POST", JOIN, r -> Reply.ok(membership("m1", 1, P0)));
        server.on("GET", JOIN + "/m1/records", new PollingCoordinator(10, 0, 2, 3));
        consumer(b -> { });

        List<Long> offsets = new ArrayList<>();
        while (offsets.size() < 10) {
            consumer.poll(Duration.ofSeconds(10)).forEach(r -> offsets.add(r.offset()));
        }

        assertThat(offsets).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(server.requests("GET", JOIN + "/m1/records")).extracting(r -> r.query().get("after"))
                .startsWith("0", "0", "2", "2", "2", "5");
        assertThat(server.requests("POST", JOIN)).hasSize(1);
        assertThat(listener.revoked).isEmpty();
    }

    @Test
    void shouldDeliverTheRecordsOfAPollAbortedByWakeupWithTheNextPoll() throws Exception {
        server.on("POST", JOIN, r -> Reply.ok(membership("m1", 1, P0)));
        PollingCoordinator coordinator = new PollingCoordinator(3);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstServed = new CountDownLatch(1);
        server.on("GET", JOIN + "/m1/records", r -> {
            if (firstServed.getCount() > 0) {
                release.await(10, TimeUnit.SECONDS);
                Reply served = coordinator.handle(r); // served, but its client is gone
                firstServed.countDown();
                return served;
            }
            return coordinator.handle(r);
        });
        consumer(b -> { });
        CompletableFuture<Void> waker = CompletableFuture.runAsync(() -> {
            try {
                server.awaitRequests("GET", JOIN + "/m1/records", 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            consumer.wakeup();
        }, WAKER);
        assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(5))).isInstanceOf(WakeupException.class);
        waker.get(10, TimeUnit.SECONDS);
        release.countDown();
        assertThat(firstServed.await(10, TimeUnit.SECONDS)).isTrue();

        List<ConsumedRecord> records = consumer.poll(Duration.ofSeconds(5));

        assertThat(records).extracting(ConsumedRecord::offset).containsExactly(0L, 1L, 2L);
        assertThat(server.requests("GET", JOIN + "/m1/records")).extracting(r -> r.query().get("after"))
                .containsExactly("0", "0");
    }

    @Test
    void shouldNotSendAPollAgainToAServiceWhoseAnswersCarryNoPollSeq() {
        // A service that predates pollSeq ignores `after`: a poll sent again there would skip records.
        server.onSequence("GET", JOIN + "/m1/records", Reply.ok(poll(1, List.of(P0, P1), record(P0, 5))),
                Reply.ok(poll(1, List.of(P0, P1), record(P0, 6))).lost(),
                Reply.ok(poll(1, List.of(P0, P1), record(P0, 7))));
        GroupConsumer c = consumer(b -> { });
        assertThat(c.poll(Duration.ofSeconds(5))).extracting(ConsumedRecord::offset).containsExactly(5L);

        assertThatThrownBy(() -> c.poll(Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(IngestException.class, e -> assertThat(e.status()).isZero());
        assertThat(server.requests("GET", JOIN + "/m1/records")).hasSize(2);
    }

    @Test
    void shouldLeaveAndRejoinWhenTheServiceDoesNotKnowThePollSequence() {
        server.onSequence("POST", JOIN, Reply.ok(membership("m1", 1, P0)), Reply.ok(membership("m2", 2, P0)));
        server.on("GET", JOIN + "/m1/records", r -> Reply.problem(409, "unknown-poll-sequence", "after 3", false));
        server.on("GET", JOIN + "/m2/records", r -> Reply.ok(poll(2, List.of(P0), record(P0, 4))));
        consumer(b -> { });

        List<ConsumedRecord> records = consumer.poll(Duration.ofSeconds(5));

        assertThat(records).extracting(ConsumedRecord::offset).containsExactly(4L);
        assertThat(server.requests("DELETE", JOIN + "/m1")).hasSize(1);
        assertThat(server.requests("GET", JOIN + "/m2/records").get(0).query()).containsEntry("after", "0");
        assertThat(listener.revoked).containsExactly(List.of(P0));
    }

    @Test
    void shouldRethrowA503ThatOutlastsThePoll() {
        server.on("GET", JOIN + "/m1/records", r -> Reply.problem(503, "coordinator-not-available", "electing", true));
        GroupConsumer c = consumer(b -> { });

        assertThatThrownBy(() -> c.poll(Duration.ofMillis(300)))
                .isInstanceOfSatisfying(IngestException.class, e -> assertThat(e.status()).isEqualTo(503));
        assertThat(c.assignment()).containsExactlyInAnyOrder(P0, P1);
    }

    @Test
    void shouldPollAndCommitThroughTheNextNodeWhileTheFirstAnswers503() {
        try (FakeIngestServer other = FakeIngestServer.start()) {
            server.on("GET", JOIN + "/m1/records", r -> Reply.problem(503, "coordinator-not-available", "moving", true));
            server.on("POST", OFFSETS, r -> Reply.problem(503, "coordinator-not-available", "moving", true));
            other.on("GET", JOIN + "/m1/records", r -> Reply.ok(poll(1, List.of(P0, P1), record(P1, 3))));
            other.on("POST", OFFSETS, r -> Reply.noContent());
            ConsumerSettings settings = ConsumerSettings.builder(
                    ClientSettings.of(server.baseUrl() + "," + other.baseUrl()), "billing", List.of("orders"))
                    .pollWait(Duration.ZERO).build();
            consumer = new GroupConsumer(settings, listener);

            List<ConsumedRecord> records = consumer.poll(Duration.ofSeconds(10));
            consumer.commitSync();

            assertThat(records).extracting(ConsumedRecord::offset).containsExactly(3L);
            assertThat(committed(other.requests("POST", OFFSETS).get(0).json())).containsExactly(Map.entry(P1, 4L));
            assertThat(server.requests("POST", OFFSETS)).isEmpty();
            assertThat(listener.revoked).isEmpty();
            consumer.close();
            consumer = null;
        }
    }

    private static Map<TopicPartition, Long> committed(JsonNode commit) {
        Map<TopicPartition, Long> offsets = new java.util.HashMap<>();
        for (JsonNode o : commit.path("offsets")) {
            offsets.put(new TopicPartition(o.path("topic").asString(), o.path("partition").asInt()),
                    o.path("offset").asLong());
        }
        return offsets;
    }

    private static Map<String, Object> membership(String memberId, int generation, TopicPartition... assignment) {
        return Map.of("memberId", memberId, "generation", generation, "assignments", assignments(List.of(assignment)));
    }

    private static Map<String, Object> poll(int generation, List<TopicPartition> assignment,
                                            Map<?, ?>... records) {
        return Map.of("generation", generation, "assignments", assignments(assignment), "records", List.of(records));
    }

    private static Map<String, Object> record(TopicPartition partition, long offset) {
        return Map.of("topic", partition.topic(), "partition", partition.partition(), "offset", offset,
                "timestamp", 1000 + offset, "key", "key-" + offset, "value", Map.of("n", offset),
                "headers", Map.of());
    }

    private static List<Map<String, Object>> assignments(List<TopicPartition> partitions) {
        List<Map<String, Object>> list = new ArrayList<>();
        partitions.forEach(p -> list.add(Map.of("topic", p.topic(), "partition", p.partition())));
        return list;
    }

    /** Records callbacks with partitions sorted, and the threads they ran on. */
    private static final class RecordingListener implements RebalanceListener {
        final List<List<TopicPartition>> revoked = new CopyOnWriteArrayList<>();
        final List<List<TopicPartition>> assigned = new CopyOnWriteArrayList<>();
        final List<Thread> threads = new CopyOnWriteArrayList<>();

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            revoked.add(sorted(partitions));
            threads.add(Thread.currentThread());
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assigned.add(sorted(partitions));
            threads.add(Thread.currentThread());
        }

        private static List<TopicPartition> sorted(Collection<TopicPartition> partitions) {
            return partitions.stream().sorted(java.util.Comparator.comparingInt(TopicPartition::partition)).toList();
        }
    }
}
