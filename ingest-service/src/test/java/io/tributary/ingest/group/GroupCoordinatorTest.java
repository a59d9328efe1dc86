package io.tributary.ingest.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.ingest.problem.ProblemException;
import io.tributary.problem.ProblemType;
import io.tributary.ingest.cluster.ClusterOps;
import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.fetch.FetchService;
import io.tributary.ingest.fetch.PartitionFetch;
import io.tributary.ingest.group.GroupDtos.MembershipAnswer;
import io.tributary.ingest.group.GroupDtos.PartitionRef;
import io.tributary.ingest.log.LogRecord;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.log.Record;
import io.tributary.ingest.topic.TopicPartition;
import io.tributary.ingest.topic.TopicRegistry;
import io.tributary.ingest.topic.UnknownTopicException;
import io.tributary.ingest.problem.InvalidRequestException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupCoordinatorTest {

    @TempDir
    Path dataDir;

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final MeterRegistry meters = new SimpleMeterRegistry();
    private IngestProperties props;
    private TopicRegistry topics;
    private GroupCoordinator coordinator;

    @BeforeEach
    void open() {
        props = TestSetup.props(dataDir);
        topics = new TopicRegistry(props);
        topics.create("orders", 3, 1, Map.of());
        coordinator = newCoordinator();
    }

    private GroupCoordinator newCoordinator() {
        ClusterOps cluster = TestSetup.singleNode(topics, props);
        return new GroupCoordinator(topics, new FetchService(topics, meters, props, cluster),
                new OffsetStore(topics, new GroupPlacement(topics, props, cluster)),
                meters, props.groups(), now::get, false);
    }

    @AfterEach
    void close() {
        coordinator.close();
        topics.close();
    }

    private void produce(String topic, int partition, int count) {
        List<LogRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(LogRecord.of("k" + i, "{\"n\":" + i + "}", now.get()));
        }
        topics.partition(topic, partition).append(records);
    }

    private List<Long> pollOffsets(String group, String memberId, TopicPartition tp) {
        List<Long> offsets = new ArrayList<>();
        for (PartitionFetch f : coordinator.poll(group, memberId, null, 10_000, 1 << 20, 0).join().fetches()) {
            if (f.topic().equals(tp.topic()) && f.partition() == tp.partition()) {
                f.records().stream().map(Record::offset).forEach(offsets::add);
            }
        }
        return offsets;
    }

    private Map<Integer, List<Long>> pollByPartition(String group, String memberId) {
        Map<Integer, List<Long>> offsets = new java.util.TreeMap<>();
        for (PartitionFetch f : coordinator.poll(group, memberId, null, 10_000, 1 << 20, 0).join().fetches()) {
            f.records().forEach(r -> offsets.computeIfAbsent(f.partition(), p -> new ArrayList<>()).add(r.offset()));
        }
        return offsets;
    }

    private static TopicPartition tp(int partition) {
        return new TopicPartition("orders", partition);
    }

    @Test
    void joiningAndLeavingEachStartANewGenerationWithANewAssignment() {
        MembershipAnswer first = coordinator.join("g", List.of("orders"), null, "earliest");
        assertThat(first.generation()).isEqualTo(1);
        assertThat(first.assignments()).hasSize(3);

        MembershipAnswer second = coordinator.join("g", List.of("orders"), null, "earliest");
        MembershipAnswer firstAgain = coordinator.heartbeat("g", first.memberId());
        assertThat(second.generation()).isEqualTo(2);
        assertThat(firstAgain.generation()).isEqualTo(2);
        assertThat(firstAgain.assignments().size() + second.assignments().size()).isEqualTo(3);
        assertThat(firstAgain.assignments()).doesNotContainAnyElementsOf(second.assignments());

        coordinator.leave("g", second.memberId());
        MembershipAnswer alone = coordinator.heartbeat("g", first.memberId());
        assertThat(alone.generation()).isEqualTo(3);
        assertThat(alone.assignments()).hasSize(3);
    }

    @Test
    void aMemberSilentForLongerThanItsSessionTimeoutIsRemovedAndTheGroupRebalances() {
        MembershipAnswer quiet = coordinator.join("g", List.of("orders"), 2_000L, "earliest");
        MembershipAnswer lively = coordinator.join("g", List.of("orders"), 10_000L, "earliest");

        now.addAndGet(1_500);
        coordinator.heartbeat("g", lively.memberId());
        assertThat(coordinator.expireSessions()).isZero();

        now.addAndGet(1_000);
        assertThat(coordinator.expireSessions()).isEqualTo(1);
        MembershipAnswer after = coordinator.heartbeat("g", lively.memberId());
        assertThat(after.generation()).isEqualTo(3);
        assertThat(after.assignments()).hasSize(3);
        assertThatThrownBy(() -> coordinator.heartbeat("g", quiet.memberId()))
                .isInstanceOfSatisfying(ProblemException.class,
                        e -> assertThat(e.type()).isEqualTo(ProblemType.UNKNOWN_MEMBER));
    }

    @Test
    void aPollCountsAsAHeartbeat() {
        MembershipAnswer member = coordinator.join("g", List.of("orders"), 2_000L, "earliest");
        now.addAndGet(1_500);
        coordinator.poll("g", member.memberId(), null, 10, 1024, 0).join();
        now.addAndGet(1_500);

        assertThat(coordinator.expireSessions()).isZero();
    }

    @Test
    void aCommitUnderAStaleGenerationIsRefusedAsARebalanceInProgress() {
        MembershipAnswer first = coordinator.join("g", List.of("orders"), null, "earliest");
        coordinator.join("g", List.of("orders"), null, "earliest");

        assertThatThrownBy(() -> coordinator.commit("g", first.memberId(), first.generation(), Map.of(tp(0), 1L)))
                .isInstanceOfSatisfying(ProblemException.class,
                        e -> assertThat(e.type()).isEqualTo(ProblemType.REBALANCE_IN_PROGRESS));
    }

    @Test
    void aCommitForAPartitionAssignedToAnotherMemberIsFenced() {
        MembershipAnswer first = coordinator.join("g", List.of("orders"), null, "earliest");
        MembershipAnswer second = coordinator.join("g", List.of("orders"), null, "earliest");
        PartitionRef notMine = second.assignments().get(0);

        assertThatThrownBy(() -> coordinator.commit("g", first.memberId(), second.generation(),
                Map.of(new TopicPartition(notMine.topic(), notMine.partition()), 1L)))
                .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.type()).isEqualTo(ProblemType.FENCED));
    }

    @Test
    void requestsForAnUnknownMemberAreRefused() {
        coordinator.join("g", List.of("orders"), null, "earliest");

        assertThatThrownBy(() -> coordinator.heartbeat("g", "nobody"))
                .isInstanceOfSatisfying(ProblemException.class,
                        e -> assertThat(e.type()).isEqualTo(ProblemType.UNKNOWN_MEMBER));
        assertThatThrownBy(() -> coordinator.poll("other-group", "nobody", null, 10, 1024, 0))
                .isInstanceOfSatisfying(ProblemException.class,
                        e -> assertThat(e.type()).isEqualTo(ProblemType.UNKNOWN_MEMBER));
        assertThatThrownBy(() -> coordinator.commit("g", "nobody", 1, Map.of()))
                .isInstanceOfSatisfying(ProblemException.class,
                        e -> assertThat(e.type()).isEqualTo(ProblemType.UNKNOWN_MEMBER));
    }

    @Test
    void joiningWithAnUnknownTopicOrABadSessionTimeoutIsRefused() {
        assertThatThrownBy(() -> coordinator.join("g", List.of("nope"), null, null))
                .isInstanceOf(UnknownTopicException.class);
        assertThatThrownBy(() -> coordinator.join("g", List.of("orders"), 10L, null))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> coordinator.join("g", List.of("orders"), null, "sometimes"))
                .isInstanceOf(InvalidRequestException.class);
        assertThat(coordinator.list()).isEmpty();
    }

    @Test
    void positionsStartAtTheCommittedOffsetWhenThereIsOne() {
        produce("orders", 0, 10);
        MembershipAnswer member = coordinator.join("g", List.of("orders"), null, "latest");
        coordinator.commit("g", member.memberId(), member.generation(), Map.of(tp(0), 4L));
        coordinator.leave("g", member.memberId());

        MembershipAnswer next = coordinator.join("g", List.of("orders"), null, "latest");

        assertThat(pollOffsets("g", next.memberId(), tp(0))).containsExactly(4L, 5L, 6L, 7L, 8L, 9L);
    }

    @Test
    void positionsWithoutACommittedOffsetFollowTheMembersResetPolicy() {
        produce("orders", 0, 5);
        MembershipAnswer earliest = coordinator.join("early", List.of("orders"), null, "earliest");
        MembershipAnswer latest = coordinator.join("late", List.of("orders"), null, "latest");

        assertThat(pollOffsets("early", earliest.memberId(), tp(0))).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(pollOffsets("late", latest.memberId(), tp(0))).isEmpty();
        produce("orders", 0, 2);
        assertThat(pollOffsets("late", latest.memberId(), tp(0))).containsExactly(5L, 6L);
    }

    @Test
    void aCommittedOffsetBelowTheLogStartResetsByThePolicy() {
        PartitionLog log = topics.partition("orders", 0);
        log.append(List.of(LogRecord.of("old", "1", 1_000), LogRecord.of("old", "2", 1_000)));
        log.rollNow();
        log.append(List.of(LogRecord.of("new", "3", System.currentTimeMillis())));
        MembershipAnswer member = coordinator.join("g", List.of("orders"), null, "earliest");
        coordinator.commit("g", member.memberId(), member.generation(), Map.of(tp(0), 1L));
        coordinator.leave("g", member.memberId());
        log.enforceRetention(System.currentTimeMillis());
        assertThat(log.logStartOffset()).isEqualTo(2);

        MembershipAnswer next = coordinator.join("g", List.of("orders"), null, "earliest");

        assertThat(pollOffsets("g", next.memberId(), tp(0))).containsExactly(2L);
    }

    @Test
    void eachPollMovesThePositionPastTheRecordsItReturned() {
        produce("orders", 1, 5);
        MembershipAnswer member = coordinator.join("g", List.of("orders"), null, "earliest");

        List<Long> first = new ArrayList<>();
        coordinator.poll("g", member.memberId(), null, 3, 1 << 20, 0).join().fetches()
                .forEach(f -> f.records().forEach(r -> first.add(r.offset())));
        assertThat(first).containsExactly(0L, 1L, 2L);
        assertThat(pollOffsets("g", member.memberId(), tp(1))).containsExactly(3L, 4L);
        assertThat(pollOffsets("g", member.memberId(), tp(1))).isEmpty();
    }

    private static Map<Integer, List<Long>> byPartition(GroupCoordinator.PollAnswer answer) {
        Map<Integer, List<Long>> offsets = new java.util.TreeMap<>();
        answer.fetches().forEach(f -> f.records()
                .forEach(r -> offsets.computeIfAbsent(f.partition(), p -> new ArrayList<>()).add(r.offset())));
        return offsets;
    }

    @Test
    void aPollSentAgainAfterALostAnswerReadsTheKeptPartitionsAgainAcrossARebalance() {
        for (int p = 0; p < 3; p++) {
            produce("orders", p, 4);
        }
        MembershipAnswer first = coordinator.join("g", List.of("orders"), null, "earliest");
        GroupCoordinator.PollAnswer lost = coordinator.poll("g", first.memberId(), 0L, 10_000, 1 << 20, 0).join();
        assertThat(byPartition(lost)).hasSize(3);

        MembershipAnswer second = coordinator.join("g", List.of("orders"), null, "earliest");
        GroupCoordinator.PollAnswer again = coordinator.poll("g", first.memberId(), 0L, 10_000, 1 << 20, 0).join();
        Map<Integer, List<Long>> moved = pollByPartition("g", second.memberId());

        assertThat(again.pollSeq()).isGreaterThan(lost.pollSeq());
        assertThat(meters.counter("ingest.group.polls.reread").count()).isEqualTo(1);
        assertThat(again.membership().assignments()).isNotEmpty();
        for (PartitionRef kept : again.membership().assignments()) {
            assertThat(byPartition(again).get(kept.partition())).containsExactly(0L, 1L, 2L, 3L);
        }
        for (PartitionRef taken : second.assignments()) {
            assertThat(moved.get(taken.partition())).containsExactly(0L, 1L, 2L, 3L);
        }
        assertThat(coordinator.poll("g", first.memberId(), again.pollSeq(), 10_000, 1 << 20, 0).join().fetches())
                .isEmpty();
    }

    @Test
    void aPollStillWaitingOnTheServerWhenItsClientAskedAgainDoesNotSpoilTheAnswerTheClientGot() {
        topics.create("single", 1, 1, Map.of());
        MembershipAnswer member = coordinator.join("g", List.of("single"), null, "earliest");
        // The client gave up on this poll and asked again; the retry is answered first.
        var abandoned = coordinator.poll("g", member.memberId(), 0L, 10_000, 1 << 20, 60_000);
        GroupCoordinator.PollAnswer retry = coordinator.poll("g", member.memberId(), 0L, 10_000, 1 << 20, 0).join();
        assertThat(retry.fetches()).isEmpty();
        produce("single", 0, 3);
        await().atMost(Duration.ofSeconds(20)).until(abandoned::isDone);
        assertThat(byPartition(abandoned.join())).isEqualTo(Map.of(0, List.of(0L, 1L, 2L)));

        // The client only ever saw the retry's answer, and reads on from it.
        GroupCoordinator.PollAnswer next = coordinator.poll("g", member.memberId(), retry.pollSeq(), 10_000, 1 << 20,
                0).join();
        assertThat(byPartition(next)).isEqualTo(Map.of(0, List.of(0L, 1L, 2L)));
        assertThat(coordinator.poll("g", member.memberId(), next.pollSeq(), 10_000, 1 << 20, 0).join().fetches())
                .isEmpty();
    }

    @Test
    void aPollWithoutAcknowledgementReadsOnFromTheLatestAnswer() {
        produce("orders", 0, 3);
        MembershipAnswer member = coordinator.join("g", List.of("orders"), null, "earliest");
        GroupCoordinator.PollAnswer first = coordinator.poll("g", member.memberId(), 0L, 10_000, 1 << 20, 0).join();
        assertThat(byPartition(first)).isEqualTo(Map.of(0, List.of(0L, 1L, 2L)));
        produce("orders", 0, 2);

        GroupCoordinator.PollAnswer legacy = coordinator.poll("g", member.memberId(), null, 10_000, 1 << 20, 0).join();

        assertThat(byPartition(legacy)).isEqualTo(Map.of(0, List.of(3L, 4L)));
        assertThat(legacy.pollSeq()).isGreaterThan(first.pollSeq());
    }

    @Test
    void aPollAcknowledgingAnAnswerNeverIssuedOrOlderThanTheAcknowledgedOneIsRefused() {
        produce("orders", 0, 2);
        MembershipAnswer member = coordinator.join("g", List.of("orders"), null, "earliest");
        long one = coordinator.poll("g", member.memberId(), 0L, 10, 1024, 0).join().pollSeq();
        long two = coordinator.poll("g", member.memberId(), one, 10, 1024, 0).join().pollSeq();
        coordinator.poll("g", member.memberId(), two, 10, 1024, 0).join();

        for (long bad : new long[] {0, one, 99}) {
            assertThatThrownBy(() -> coordinator.poll("g", member.memberId(), bad, 10, 1024, 0))
                    .isInstanceOfSatisfying(ProblemException.class,
                            e -> assertThat(e.type()).isEqualTo(ProblemType.UNKNOWN_POLL_SEQUENCE));
        }
        assertThatThrownBy(() -> coordinator.poll("g", member.memberId(), -1L, 10, 1024, 0))
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void aPartitionThatMovesRestartsAtTheCommittedOffsetAtItsNewOwnerWhileKeptOnesKeepTheirPosition() {
        for (int p = 0; p < 3; p++) {
            produce("orders", p, 6);
        }
        MembershipAnswer first = coordinator.join("g", List.of("orders"), null, "earliest");
        coordinator.poll("g", first.memberId(), null, 10_000, 1 << 20, 0).join();
        coordinator.commit("g", first.memberId(), first.generation(), Map.of(tp(0), 3L, tp(1), 3L, tp(2), 3L));

        MembershipAnswer second = coordinator.join("g", List.of("orders"), null, "earliest");
        MembershipAnswer firstNow = coordinator.heartbeat("g", first.memberId());

        assertThat(second.assignments()).isNotEmpty();
        Map<Integer, List<Long>> movedOffsets = pollByPartition("g", second.memberId());
        for (PartitionRef moved : second.assignments()) {
            assertThat(movedOffsets.get(moved.partition())).containsExactly(3L, 4L, 5L);
        }
        assertThat(firstNow.assignments()).isNotEmpty();
        assertThat(pollByPartition("g", first.memberId())).isEmpty();
    }

    @Test
    void committedOffsetsSurviveReopeningTheTopics() {
        MembershipAnswer member = coordinator.join("g", List.of("orders"), null, "earliest");
        coordinator.commit("g", member.memberId(), member.generation(), Map.of(tp(0), 7L, tp(1), 3L));
        coordinator.commit("g", member.memberId(), member.generation(), Map.of(tp(0), 9L));
        produce("orders", 0, 12);
        coordinator.close();
        topics.close();

        topics = new TopicRegistry(props);
        coordinator = newCoordinator();

        assertThat(coordinator.list()).singleElement().satisfies(g -> {
            assertThat(g.group()).isEqualTo("g");
            assertThat(g.state()).isEqualTo("Empty");
        });
        assertThat(coordinator.describe("g").offsets())
                .extracting(o -> o.topic() + "-" + o.partition() + "@" + o.committedOffset() + " lag " + o.lag())
                .containsExactly("orders-0@9 lag 3", "orders-1@3 lag 0");
        assertThatThrownBy(() -> coordinator.heartbeat("g", member.memberId()))
                .isInstanceOfSatisfying(ProblemException.class,
                        e -> assertThat(e.type()).isEqualTo(ProblemType.UNKNOWN_MEMBER));
    }

    @Test
    void deletingATopicDropsItsCommittedOffsetsAndRebalancesItsSubscribers() {
        topics.create("clicks", 2, 1, Map.of());
        MembershipAnswer member = coordinator.join("g", List.of("orders", "clicks"), null, "earliest");
        assertThat(member.assignments()).hasSize(5);
        coordinator.commit("g", member.memberId(), member.generation(),
                Map.of(tp(0), 1L, new TopicPartition("clicks", 0), 2L));

        topics.delete("clicks");

        MembershipAnswer after = coordinator.heartbeat("g", member.memberId());
        assertThat(after.generation()).isEqualTo(member.generation() + 1);
        assertThat(after.assignments()).extracting(PartitionRef::topic).containsOnly("orders");
        assertThat(coordinator.describe("g").offsets()).extracting(o -> o.topic()).containsExactly("orders");

        coordinator.close();
        topics.close();
        topics = new TopicRegistry(props);
        topics.create("clicks", 2, 1, Map.of());
        coordinator = newCoordinator();
        assertThat(coordinator.describe("g").offsets()).extracting(o -> o.topic()).containsExactly("orders");
    }

    @Test
    void aMemberWithoutPartitionsWaitsInItsPollUntilTheGroupRebalances() {
        topics.create("single", 1, 1, Map.of());
        MembershipAnswer a = coordinator.join("g", List.of("single"), null, "earliest");
        MembershipAnswer b = coordinator.join("g", List.of("single"), null, "earliest");
        MembershipAnswer idle = b.assignments().isEmpty() ? b : coordinator.heartbeat("g", a.memberId());
        MembershipAnswer busy = idle == b ? a : b;
        assertThat(idle.assignments()).isEmpty();

        var parked = coordinator.poll("g", idle.memberId(), null, 100, 1 << 20, 60_000);
        assertThat(parked).isNotDone();
        coordinator.leave("g", busy.memberId());

        await().atMost(Duration.ofSeconds(20)).until(parked::isDone);
        assertThat(parked.join().membership().assignments()).containsExactly(new PartitionRef("single", 0));
        assertThat(parked.join().fetches()).isEmpty();
    }

    @Test
    void publishesMembersAndLagGauges() {
        produce("orders", 0, 10);
        MembershipAnswer member = coordinator.join("g", List.of("orders"), null, "earliest");
        coordinator.commit("g", member.memberId(), member.generation(), Map.of(tp(0), 4L));

        assertThat(meters.get("ingest.group.members").tag("group", "g").gauge().value()).isEqualTo(1.0);
        assertThat(meters.get("ingest.group.lag").tags("group", "g", "topic", "orders", "partition", "0").gauge()
                .value()).isEqualTo(6.0);
    }

    @Test
    void anEmptyGroupsOffsetsExpireAfterTheRetentionTakingItsMetricSeriesWithThem() {
        MembershipAnswer m = coordinator.join("old", List.of("orders"), null, "earliest");
        coordinator.commit("old", m.memberId(), m.generation(), Map.of(tp(0), 0L));
        coordinator.leave("old", m.memberId());
        assertThat(meters.find("ingest.group.members").tag("group", "old").gauge()).isNotNull();
        assertThat(meters.find("ingest.group.lag").tag("group", "old").gauges()).isNotEmpty();

        now.addAndGet(java.time.Duration.ofDays(7).toMillis()); // the default retention, not yet past
        coordinator.expireOffsets();
        assertThat(meters.find("ingest.group.members").tag("group", "old").gauge()).isNotNull();

        now.addAndGet(1);
        coordinator.expireOffsets();
        assertThat(meters.find("ingest.group.members").tag("group", "old").gauge()).isNull();
        assertThat(meters.find("ingest.group.lag").tag("group", "old").gauges()).isEmpty();

        // Gone for good: a restarted coordinator does not bring the group (or its series) back.
        coordinator.close();
        coordinator = newCoordinator();
        assertThat(meters.find("ingest.group.members").tag("group", "old").gauge()).isNull();
    }
}
