package io.tributary.ingest.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import io.tributary.client.ClientSettings;
import io.tributary.client.ConsumedRecord;
import io.tributary.client.TopicPartition;
import io.tributary.client.consumer.AutoOffsetReset;
import io.tributary.client.consumer.ConsumerSettings;
import io.tributary.client.consumer.CommitFailedException;
import io.tributary.client.consumer.GroupConsumer;
import io.tributary.client.consumer.RebalanceListener;
import io.tributary.ingest.group.GroupHttp.Answer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class GroupApiIntegrationTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void dataDir(DynamicPropertyRegistry registry) {
        registry.add("ingest.data-dir", () -> dataDir.toString());
    }

    @LocalServerPort
    int port;

    private GroupHttp api;

    @BeforeEach
    void connect() {
        api = new GroupHttp(port);
    }

    /** Polls and commits until {@code done} says so, keeping every record in arrival order. */
    private static void consumeUntil(GroupConsumer consumer, List<ConsumedRecord> into,
                                     java.util.function.BooleanSupplier done) {
        await().atMost(PATIENCE).until(() -> {
            into.addAll(consumer.poll(Duration.ofMillis(100)));
            try {
                consumer.commitSync();
            } catch (CommitFailedException e) {
                // The group rebalanced between the poll and the commit (a member left or its session expired): as a
                // consumer application does, go on polling; the next poll takes the new generation and the next
                // commit carries these positions too.
            }
            return done.getAsBoolean();
        });
    }

    private static int value(ConsumedRecord r) {
        return r.value().get("i").asInt();
    }

    @Test
    void twoMembersSplitAThreePartitionTopicAndTogetherConsumeEveryRecordExactlyOnceInOrder() {
        api.createTopic("split", 3);
        try (GroupConsumer first = new GroupConsumer(api.consumer("g-split", "split"), RebalanceListener.NONE);
             GroupConsumer second = new GroupConsumer(api.consumer("g-split", "split"), RebalanceListener.NONE)) {
            first.poll(Duration.ofMillis(50));
            second.poll(Duration.ofMillis(50));
            api.produce("split", 3, 0, 300);

            List<ConsumedRecord> byFirst = new ArrayList<>();
            List<ConsumedRecord> bySecond = new ArrayList<>();
            await().atMost(PATIENCE).until(() -> {
                byFirst.addAll(first.poll(Duration.ofMillis(100)));
                first.commitSync();
                bySecond.addAll(second.poll(Duration.ofMillis(100)));
                second.commitSync();
                return byFirst.size() + bySecond.size() >= 300;
            });

            assertThat(first.assignment()).isNotEmpty().doesNotContainAnyElementsOf(second.assignment());
            assertThat(union(first.assignment(), second.assignment())).hasSize(3);
            assertThat(byFirst).allMatch(r -> first.assignment().contains(r.topicPartition()));
            assertThat(bySecond).allMatch(r -> second.assignment().contains(r.topicPartition()));
            List<ConsumedRecord> all = new ArrayList<>(byFirst);
            all.addAll(bySecond);
            assertThat(all).extracting(GroupApiIntegrationTest::value)
                    .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 300).boxed().toList());
            assertInOffsetOrderPerPartition(byFirst);
            assertInOffsetOrderPerPartition(bySecond);

            JsonNode offsets = api.send("GET", "/api/v1/groups/g-split", null).body().path("offsets");
            assertThat(offsets).hasSize(3).allSatisfy(o -> {
                assertThat(o.path("committedOffset").asLong()).isEqualTo(100);
                assertThat(o.path("lag").asLong()).isZero();
            });
        }
    }

    @Test
    void whenAMemberLeavesTheOtherTakesOverItsPartitionsFromTheCommittedOffsets() {
        api.createTopic("handover", 3);
        try (GroupConsumer stayer = new GroupConsumer(api.consumer("g-handover", "handover"), RebalanceListener.NONE)) {
            List<ConsumedRecord> seenByLeaver = new ArrayList<>();
            try (GroupConsumer leaver = new GroupConsumer(api.consumer("g-handover", "handover"),
                    RebalanceListener.NONE)) {
                stayer.poll(Duration.ofMillis(50));
                leaver.poll(Duration.ofMillis(50));
                api.produce("handover", 3, 0, 90);
                List<ConsumedRecord> phaseOne = new ArrayList<>();
                await().atMost(PATIENCE).until(() -> {
                    phaseOne.addAll(stayer.poll(Duration.ofMillis(100)));
                    stayer.commitSync();
                    phaseOne.addAll(leaver.poll(Duration.ofMillis(100)));
                    leaver.commitSync();
                    return phaseOne.size() >= 90;
                });
                assertThat(leaver.assignment()).isNotEmpty();

                api.produce("handover", 3, 90, 120);
                // The leaver reads some of the new records but never commits them.
                await().atMost(PATIENCE).until(() -> seenByLeaver.addAll(leaver.poll(Duration.ofMillis(100))));
            }

            List<ConsumedRecord> phaseTwo = new ArrayList<>();
            consumeUntil(stayer, phaseTwo, () -> stayer.assignment().size() == 3
                    && phaseTwo.stream().map(GroupApiIntegrationTest::value).distinct().count() == 30);

            assertThat(phaseTwo).extracting(GroupApiIntegrationTest::value).allMatch(i -> i >= 90);
            assertThat(phaseTwo).extracting(GroupApiIntegrationTest::value)
                    .containsAll(seenByLeaver.stream().map(GroupApiIntegrationTest::value).toList());
            assertInOffsetOrderPerPartition(phaseTwo);
        }
    }

    @Test
    void whenAMemberStopsHeartbeatingItsSessionExpiresAndTheOtherResumesFromItsCommittedOffsets() {
        api.createTopic("silence", 3);
        try (GroupConsumer survivor = new GroupConsumer(api.consumer("g-silence", "silence"), RebalanceListener.NONE)) {
            survivor.poll(Duration.ofMillis(50));
            Answer joined = api.join("g-silence", "silence", 1_000);
            assertThat(joined.status()).isEqualTo(200);
            String silent = joined.body().path("memberId").asString();
            int generation = joined.body().path("generation").asInt();
            List<Integer> silentPartitions = new ArrayList<>();
            joined.body().path("assignments").forEach(a -> silentPartitions.add(a.path("partition").asInt()));
            assertThat(silentPartitions).isNotEmpty();

            api.produce("silence", 3, 0, 30);
            Answer polled = api.poll("g-silence", silent, 1_000);
            assertThat(polled.body().path("records")).hasSize(10 * silentPartitions.size());
            for (int p : silentPartitions) {
                assertThat(api.commit("g-silence", silent, generation, "silence", p, 4).status()).isEqualTo(204);
            }
            // ...and now it says nothing more.

            List<ConsumedRecord> got = new ArrayList<>();
            consumeUntil(survivor, got, () -> survivor.assignment().size() == 3
                    && got.stream().map(GroupApiIntegrationTest::value).distinct().count()
                    == 30 - 4L * silentPartitions.size());

            Map<Integer, List<Long>> offsets = offsetsByPartition(got);
            for (int p = 0; p < 3; p++) {
                long start = silentPartitions.contains(p) ? 4 : 0;
                assertThat(offsets.get(p)).as("partition %d", p)
                        .containsExactlyElementsOf(IntStream.range((int) start, 10).mapToObj(i -> (long) i).toList());
            }
            assertThat(api.send("POST", "/api/v1/groups/g-silence/members/" + silent + "/heartbeat", null).status())
                    .isEqualTo(404);
        }
    }

    @Test
    void aMemberThatKeepsAPartitionThroughARebalanceStillCommitsWhatItPolledThereBefore() {
        api.createTopic("kept", 2);
        try (GroupConsumer keeper = new GroupConsumer(api.consumer("g-kept", "kept"), RebalanceListener.NONE)) {
            keeper.poll(Duration.ofMillis(50)); // alone in the group: both partitions
            api.produce("kept", 2, 0, 20); // 10 records in each partition
            List<ConsumedRecord> polled = new ArrayList<>();
            await().atMost(PATIENCE).until(() -> polled.addAll(keeper.poll(Duration.ofMillis(100)))
                    && polled.size() >= 20);

            // A second member joins between the keeper's poll and its commit: a new generation, one partition moves.
            Answer other = api.join("g-kept", "kept", 30_000);
            int moved = other.body().path("assignments").get(0).path("partition").asInt();
            int kept = 1 - moved;

            assertThatThrownBy(keeper::commitSync).isInstanceOf(CommitFailedException.class)
                    .hasMessageContaining("not [" + new TopicPartition("kept", moved) + "]");

            // The kept partition's progress is committed (no lag left behind with nothing more to poll there); the
            // moved one starts from the beginning at its new owner.
            assertThat(keeper.assignment()).containsExactly(new TopicPartition("kept", kept));
            Map<Integer, Long> committed = new HashMap<>();
            api.send("GET", "/api/v1/groups/g-kept", null).body().path("offsets").forEach(o ->
                    committed.put(o.path("partition").asInt(), o.path("committedOffset").asLong()));
            assertThat(committed).containsExactly(Map.entry(kept, 10L));
            Answer fromStart = api.poll("g-kept", other.body().path("memberId").asString(), 1_000);
            assertThat(fromStart.body().path("records")).hasSize(10)
                    .allSatisfy(r -> assertThat(r.path("partition").asInt()).isEqualTo(moved));
        }
    }

    @Test
    void aCommitWithAStaleGenerationGetsANonRetriable409Problem() {
        api.createTopic("stale", 2);
        Answer first = api.join("g-stale", "stale", 10_000);
        Answer second = api.join("g-stale", "stale", 10_000);
        String firstId = first.body().path("memberId").asString();
        int oldGeneration = first.body().path("generation").asInt();
        int partition = first.body().path("assignments").get(0).path("partition").asInt();

        Answer refused = api.commit("g-stale", firstId, oldGeneration, "stale", partition, 1);

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.body().path("type").asString()).endsWith("/rebalance-in-progress");
        assertThat(refused.body().path("retriable").isBoolean()).isTrue();
        assertThat(refused.body().path("retriable").asBoolean()).isFalse();

        int current = second.body().path("generation").asInt();
        int notMine = second.body().path("assignments").get(0).path("partition").asInt();
        Answer fenced = api.commit("g-stale", firstId, current, "stale", notMine, 1);
        assertThat(fenced.status()).isEqualTo(409);
        assertThat(fenced.body().path("type").asString()).endsWith("/fenced");
        assertThat(api.commit("g-stale", "consumer-nobody", current, "stale", notMine, 1).status()).isEqualTo(404);
    }

    @Test
    void describeShowsMembersAssignmentsCommittedOffsetsAndLag() {
        api.createTopic("described", 2);
        api.produce("described", 2, 0, 14); // 7 records in each partition
        Answer joined = api.join("g-described", "described", 15_000);
        String member = joined.body().path("memberId").asString();
        int generation = joined.body().path("generation").asInt();
        assertThat(api.poll("g-described", member, 0).body().path("records")).hasSize(14);
        assertThat(api.commit("g-described", member, generation, "described", 0, 5).status()).isEqualTo(204);
        assertThat(api.commit("g-described", member, generation, "described", 1, 7).status()).isEqualTo(204);

        JsonNode group = api.send("GET", "/api/v1/groups/g-described", null).body();

        assertThat(group.path("group").asString()).isEqualTo("g-described");
        assertThat(group.path("generation").asInt()).isEqualTo(1);
        assertThat(group.path("state").asString()).isEqualTo("Stable");
        assertThat(group.path("members")).singleElement().satisfies(m -> {
            assertThat(m.path("memberId").asString()).isEqualTo(member);
            assertThat(m.path("topics").get(0).asString()).isEqualTo("described");
            assertThat(m.path("assignments")).hasSize(2);
            assertThat(m.path("sessionTimeoutMs").asLong()).isEqualTo(15_000);
            assertThat(m.path("lastSeenMs").asLong()).isPositive();
        });
        assertThat(group.path("offsets")).hasSize(2);
        assertThat(group.path("offsets").get(0).toString())
                .isEqualTo("{\"topic\":\"described\",\"partition\":0,\"committedOffset\":5,\"logEndOffset\":7,\"lag\":2}");
        assertThat(group.path("offsets").get(1).path("lag").asLong()).isZero();

        JsonNode listed = api.send("GET", "/api/v1/groups", null).body().path("groups");
        assertThat(listed.toString()).contains("{\"group\":\"g-described\",\"generation\":1,\"members\":1,\"state\":\"Stable\"}");
        Answer unknown = api.send("GET", "/api/v1/groups/no-such-group", null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().path("type").asString()).endsWith("/unknown-group");
    }

    @Test
    void badJoinsAndUnknownMembersAreAnsweredWithProblems() {
        api.createTopic("errors", 1);
        Answer unknownTopic = api.join("g-errors", "no-such-topic", 10_000);
        assertThat(unknownTopic.status()).isEqualTo(404);
        assertThat(unknownTopic.body().path("type").asString()).endsWith("/unknown-topic");
        assertThat(api.join("g-errors", "errors", 10).status()).isEqualTo(400);
        assertThat(api.send("POST", "/api/v1/groups/g-errors/members", "{\"topics\":[]}").status()).isEqualTo(400);

        Answer joined = api.join("g-errors", "errors", 10_000);
        String member = joined.body().path("memberId").asString();
        Answer poll = api.poll("g-errors", member, 0);
        assertThat(poll.status()).isEqualTo(200);
        assertThat(poll.body().path("generation").asInt()).isEqualTo(1);
        assertThat(poll.body().path("assignments")).hasSize(1);
        assertThat(api.send("DELETE", "/api/v1/groups/g-errors/members/" + member, null).status()).isEqualTo(204);

        Answer gone = api.poll("g-errors", member, 0);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.body().path("type").asString()).endsWith("/unknown-member");
        assertThat(api.send("POST", "/api/v1/groups/g-errors/members/" + member + "/heartbeat", null).status())
                .isEqualTo(404);
        assertThat(api.send("DELETE", "/api/v1/groups/g-errors/members/" + member, null).status()).isEqualTo(404);
    }

    @Test
    void aPollSentAgainWithoutAcknowledgingTheLatestAnswerReturnsItsRecordsAgain() {
        api.createTopic("lost", 1);
        api.produce("lost", 1, 0, 5);
        String member = api.join("g-lost", "lost", 10_000).body().path("memberId").asString();

        Answer lost = api.poll("g-lost", member, 0, "&after=0");
        Answer again = api.poll("g-lost", member, 0, "&after=0"); // the client never got `lost`

        assertThat(values(lost)).containsExactly(0, 1, 2, 3, 4);
        assertThat(values(again)).containsExactly(0, 1, 2, 3, 4);
        assertThat(again.body().path("pollSeq").asLong()).isGreaterThan(lost.body().path("pollSeq").asLong());
    }

    @Test
    void aPollAcknowledgingTheLatestAnswerMovesOnPastItsRecords() {
        api.createTopic("acked", 1);
        api.produce("acked", 1, 0, 5);
        String member = api.join("g-acked", "acked", 10_000).body().path("memberId").asString();
        Answer first = api.poll("g-acked", member, 0, "&after=0");
        api.produce("acked", 1, 5, 8);

        Answer next = api.poll("g-acked", member, 0, "&after=" + first.body().path("pollSeq").asLong());

        assertThat(values(first)).containsExactly(0, 1, 2, 3, 4);
        assertThat(values(next)).containsExactly(5, 6, 7);
    }

    @Test
    void aMalformedOrUnknownPollAcknowledgementIsAnsweredWithAProblem() {
        api.createTopic("bad-after", 1);
        String member = api.join("g-bad-after", "bad-after", 10_000).body().path("memberId").asString();

        for (String bad : List.of("abc", "-1", "1.5", "", "99999999999999999999")) {
            Answer answer = api.poll("g-bad-after", member, 0, "&after=" + bad);
            assertThat(answer.status()).as("after=%s", bad).isEqualTo(400);
            assertThat(answer.contentType()).startsWith("application/problem+json");
            assertThat(answer.body().path("type").asString()).endsWith("/invalid-request");
            assertThat(answer.body().path("detail").asString()).contains("after");
        }
        Answer unknown = api.poll("g-bad-after", member, 0, "&after=7");
        assertThat(unknown.status()).isEqualTo(409);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        assertThat(unknown.body().path("type").asString()).endsWith("/unknown-poll-sequence");
        assertThat(unknown.body().path("retriable").asBoolean()).isFalse();
    }

    @Test
    void aGroupConsumerWhosePollAnswersAreLostStillGetsEveryRecordInOrder() throws Exception {
        api.createTopic("dropped", 1);
        api.produce("dropped", 1, 0, 20);
        // The first three answers carrying records are cut off on their way to the consumer.
        try (AnswerDroppingProxy proxy = new AnswerDroppingProxy("http://localhost:" + port,
                path -> path.contains("/members/") && path.contains("/records"), 3)) {
            ConsumerSettings settings = ConsumerSettings.builder(ClientSettings.of(proxy.baseUrl()), "g-dropped",
                            List.of("dropped"))
                    .autoOffsetReset(AutoOffsetReset.EARLIEST).pollWait(Duration.ofMillis(100)).maxPollRecords(4)
                    .build();
            List<Integer> seen = new ArrayList<>();
            try (GroupConsumer consumer = new GroupConsumer(settings, RebalanceListener.NONE)) {
                await().atMost(PATIENCE).until(() -> {
                    consumer.poll(Duration.ofSeconds(5)).forEach(r -> seen.add(value(r)));
                    return seen.size() >= 20;
                });
            }

            assertThat(proxy.lost()).isEqualTo(3);
            assertThat(seen).containsExactlyElementsOf(IntStream.range(0, 20).boxed().toList());
        }
    }

    private static List<Integer> values(Answer poll) {
        assertThat(poll.status()).isEqualTo(200);
        List<Integer> out = new ArrayList<>();
        poll.body().path("records").forEach(r -> out.add(r.path("value").path("i").asInt()));
        return out;
    }

    @Test
    void theGroupEndpointsAppearInTheOpenApiDocument() {
        Answer docs = api.send("GET", "/v3/api-docs", null);

        assertThat(docs.status()).isEqualTo(200);
        assertThat(docs.body().path("paths").propertyNames()).contains("/api/v1/groups",
                "/api/v1/groups/{group}", "/api/v1/groups/{group}/members",
                "/api/v1/groups/{group}/members/{memberId}", "/api/v1/groups/{group}/members/{memberId}/heartbeat",
                "/api/v1/groups/{group}/members/{memberId}/records", "/api/v1/groups/{group}/offsets");
    }

    private static Set<TopicPartition> union(Set<TopicPartition> a, Set<TopicPartition> b) {
        Set<TopicPartition> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }

    private static Map<Integer, List<Long>> offsetsByPartition(List<ConsumedRecord> records) {
        Map<Integer, List<Long>> out = new HashMap<>();
        records.forEach(r -> out.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r.offset()));
        return out;
    }

    private static void assertInOffsetOrderPerPartition(List<ConsumedRecord> records) {
        offsetsByPartition(records).forEach((p, offsets) ->
                assertThat(offsets).as("offsets of partition %d", p).isSorted().doesNotHaveDuplicates());
    }
}
