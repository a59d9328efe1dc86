package io.tributary.ingest.replication.fetch;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

import io.tributary.ingest.log.LogConfig;
import io.tributary.ingest.log.LogRecord;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.log.ProducerBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The leader's view of its followers: the high watermark over the in-sync ones only, who is out of
 * sync after the lag time (Kafka's rule: caught up = reaching the log end as it was at the
 * follower's previous fetch), and who may join again.
 */
class ReplicaProgressTest {

    private static final Duration LAG = Duration.ofSeconds(10);
    /** How recently a follower must have fetched to join (the election timeout, in InSyncReplicas). */
    private static final Duration FETCHED_WITHIN = Duration.ofSeconds(1);

    @TempDir
    Path dir;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private PartitionLog log;

    @BeforeEach
    void open() throws IOException {
        log = PartitionLog.open("orders", 0, dir, LogConfig.from(Map.of()), scheduler);
        log.highWatermarkByReplication(0);
    }

    @AfterEach
    void close() throws IOException {
        log.close();
        scheduler.shutdownNow();
    }

    /** Appends one batch of {@code records} records; the log end after it. */
    private long append(int records) {
        for (int i = 0; i < records; i++) {
            log.append(List.of(LogRecord.of("k", "{\"i\":" + i + "}", 1_000 + i)), ProducerBatch.NONE, 1);
        }
        return log.logEndOffset();
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    private ReplicaProgress progress(Set<Integer> inSync) {
        return new ReplicaProgress(log, Set.of(2, 3), inSync, LAG, now::get);
    }

    @Test
    void theHighWatermarkIsTheLowestLogEndOfTheInSyncReplicasOnly() {
        ReplicaProgress p = progress(Set.of(2, 3));
        append(10);
        p.fetchedBy(2, 10);
        assertThat(log.highWatermark()).as("follower 3 has not fetched").isZero();
        p.fetchedBy(3, 6);
        assertThat(log.highWatermark()).isEqualTo(6);

        // Follower 3 leaves the set: the high watermark follows follower 2 alone.
        p.inSync(Set.of(2));
        assertThat(log.highWatermark()).isEqualTo(10);
        append(5);
        p.fetchedBy(3, 6); // no longer holds it back
        assertThat(log.highWatermark()).isEqualTo(10);
        p.fetchedBy(2, 15);
        assertThat(log.highWatermark()).isEqualTo(15);

        // Nobody else in sync: the leader's appends move it.
        p.inSync(Set.of());
        append(3);
        assertThat(log.highWatermark()).isEqualTo(15);
        p.appended();
        assertThat(log.highWatermark()).isEqualTo(18);
    }

    @Test
    void aFollowerKeepingPaceWithAGrowingLogStaysInSyncAndOneThatStopsFallsOut() {
        ReplicaProgress p = progress(Set.of(2, 3));
        long asked = 0;
        for (int round = 0; round < 10; round++) {
            long end = append(2);
            // Follower 2 asks for the log end as it was at its previous fetch: the leader has always
            // appended more by then, so it never reaches the log end of the moment.
            p.fetchedBy(2, asked);
            asked = end;
            // Follower 3 fetches as often but stays at its first offset (stuck appending, say).
            p.fetchedBy(3, 2);
            advance(Duration.ofSeconds(3));
        }
        assertThat(log.logEndOffset()).isGreaterThan(asked - 1);
        assertThat(p.outOfSync()).containsExactly(3);
        assertThat(log.highWatermark()).as("follower 3 holds it until it is dropped").isEqualTo(2);

        p.inSync(Set.of(2));
        p.fetchedBy(2, log.logEndOffset());
        assertThat(log.highWatermark()).isEqualTo(log.logEndOffset());
        assertThat(p.outOfSync()).isEmpty();
    }

    @Test
    void aFollowerThatNeverFetchesFallsOutAfterTheLagTimeFromTheEpochsStart() {
        ReplicaProgress p = progress(Set.of(2, 3));
        append(4);
        p.fetchedBy(2, 4);
        advance(LAG.minusSeconds(1));
        p.fetchedBy(2, 4);
        assertThat(p.outOfSync()).isEmpty();
        advance(Duration.ofSeconds(2));
        p.fetchedBy(2, 4);
        assertThat(p.outOfSync()).containsExactly(3);
    }

    /** What the leader's quick drop of a follower at a term's start asks (InSyncReplicas): never fetched in it. */
    @Test
    void aFollowerThatHasNotFetchedOnceSinceTheEpochsStartIsToldApartFromOneThatPaused() {
        ReplicaProgress p = progress(Set.of(2, 3));
        append(4);
        assertThat(p.neverFetched()).containsExactly(2, 3);
        advance(Duration.ofMillis(300));
        p.fetchedBy(2, 4);
        advance(Duration.ofMillis(300));
        assertThat(p.neverFetched()).containsExactly(3);
        advance(Duration.ofSeconds(5));
        assertThat(p.neverFetched()).as("2 stopped fetching, but it did fetch in this epoch").containsExactly(3);
        assertThat(p.notFetchingFor(Duration.ofSeconds(1))).containsExactly(2, 3);
    }

    @Test
    void anOutOfSyncFollowerMayJoinOnceItReachesTheHighWatermarkAndTheEpochsStart() {
        ReplicaProgress p = progress(Set.of(2));
        append(10);
        p.fetchedBy(2, 10);
        assertThat(log.highWatermark()).isEqualTo(10);
        p.fetchedBy(3, 4);
        assertThat(p.readyToJoin(0, FETCHED_WITHIN)).isEmpty();
        p.fetchedBy(3, 10);
        assertThat(p.readyToJoin(0, FETCHED_WITHIN)).containsExactly(3);
        assertThat(p.readyToJoin(12, FETCHED_WITHIN)).as("it must hold this epoch's first batch").isEmpty();
        p.inSync(Set.of(2, 3));
        assertThat(p.inSync()).containsExactly(2, 3);
        assertThat(p.readyToJoin(0, FETCHED_WITHIN)).isEmpty();
    }

    /** A follower that stopped fetching does not join on how far it reached (ReassignmentClusterTest, live). */
    @Test
    void aFollowerThatStoppedFetchingDoesNotJoinOnItsOldFetches() {
        ReplicaProgress p = progress(Set.of(2));
        append(10);
        p.fetchedBy(2, 10);
        p.fetchedBy(3, 10); // reaches the high watermark, then stops; nothing is written since
        advance(FETCHED_WITHIN.plusMillis(1));
        p.fetchedBy(2, 10);
        assertThat(log.highWatermark()).isEqualTo(10);
        assertThat(p.readyToJoin(0, FETCHED_WITHIN)).isEmpty();
        p.fetchedBy(3, 10); // fetches again
        assertThat(p.readyToJoin(0, FETCHED_WITHIN)).containsExactly(3);
    }

    @Test
    void fetchesFromOtherNodesAndUnknownMembersAreIgnoredOrRefused() {
        ReplicaProgress p = progress(Set.of(2, 3));
        append(5);
        p.fetchedBy(7, 5); // not a replica of this partition
        assertThat(p.reached(7)).isEqualTo(-1);
        assertThatThrownBy(() -> p.inSync(Set.of(2, 7))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aJoiningFollowerHoldsTheHighWatermarkBackFromItsProposalUntilAnEntryRecordsOrLaterDropsIt() {
        ReplicaProgress p = progress(Set.of(2));
        append(10);
        p.fetchedBy(2, 10);
        advance(LAG.plusSeconds(1)); // follower 3 last caught up long ago
        p.fetchedBy(2, 10);
        p.fetchedBy(3, 10);
        assertThat(p.readyToJoin(0, FETCHED_WITHIN)).containsExactly(3);
        p.joining(Set.of(3), 1); // proposal 1 adds follower 3
        assertThat(p.outOfSync()).as("a joiner gets the lag time from its joining").isEmpty();
        append(5);
        p.fetchedBy(2, 15);
        assertThat(log.highWatermark()).as("follower 3 counts before its entry is recorded").isEqualTo(10);

        // An older entry (proposal 0: only follower 2) applied late does not forget the joiner.
        p.recorded(Set.of(1, 2), 0);
        assertThat(p.inSync()).containsExactly(2, 3);
        p.fetchedBy(2, 15);
        assertThat(log.highWatermark()).isEqualTo(10);

        // Proposal 1 applied: recorded, the leader's own id ignored.
        p.recorded(Set.of(1, 2, 3), 1);
        assertThat(p.inSync()).containsExactly(2, 3);
        p.fetchedBy(3, 15);
        assertThat(log.highWatermark()).isEqualTo(15);

        // A later proposal that leaves it out drops it, also while it was still joining.
        p.joining(Set.of(3), 2);
        p.recorded(Set.of(1, 2), 3);
        assertThat(p.inSync()).containsExactly(2);
        // An entry of another epoch (-1) keeps joiners it does not name.
        p.joining(Set.of(3), 4);
        p.recorded(Set.of(1, 2), -1);
        assertThat(p.inSync()).containsExactly(2, 3);
    }

    @Test
    void withNoFollowerInSyncTheLeadersAppendsMoveTheHighWatermark() {
        ReplicaProgress p = progress(Set.of());
        append(4);
        assertThat(log.highWatermark()).isZero();
        p.appended();
        assertThat(log.highWatermark()).isEqualTo(4);
        p.fetchedBy(3, 2); // out of sync: does not hold it back
        append(2);
        p.appended();
        assertThat(log.highWatermark()).isEqualTo(6);
    }

    @Test
    void aFollowerWhoseLogWentBackIsOutOfSyncAtOnceAndHoldsTheHighWatermarkBack() {
        ReplicaProgress p = progress(Set.of(2, 3));
        append(10);
        p.fetchedBy(2, 10);
        p.fetchedBy(3, 10);
        assertThat(log.highWatermark()).isEqualTo(10);
        append(5);
        p.fetchedBy(2, 15);
        p.fetchedBy(3, 8); // restarted with less than it had
        assertThat(p.reached(3)).isEqualTo(8);
        assertThat(p.outOfSync()).as("no lag time to wait for").containsExactly(3);
        assertThat(log.highWatermark()).as("not past what it holds while it is counted").isEqualTo(10);
        p.fetchedBy(3, 15); // caught up again in the next fetch: in sync
        assertThat(p.outOfSync()).isEmpty();
        assertThat(log.highWatermark()).isEqualTo(15);
    }

    /**
     * A move changes the followers within an epoch (ReassignmentClusterTest, seen in CI): the replica it adds is
     * known from then on, out of sync until it reaches the high watermark (no acks=all write waits for it), and
     * the one it removes no longer holds the high watermark back.
     */
    @Test
    void aMoveWithinTheEpochChangesWhoIsJudgedAndWhoHoldsTheHighWatermark() {
        ReplicaProgress p = new ReplicaProgress(log, Set.of(2), Set.of(2), LAG, now::get);
        append(10);
        p.fetchedBy(2, 10);
        assertThat(log.highWatermark()).isEqualTo(10);
        advance(LAG.multipliedBy(2)); // long into the epoch

        // Node 3 is added: out of sync, so the high watermark goes on with node 2.
        p.followersChanged(Set.of(2, 3));
        assertThat(p.followers()).containsExactlyInAnyOrder(2, 3);
        assertThat(p.inSync()).containsExactly(2);
        append(5);
        p.fetchedBy(2, 15);
        assertThat(log.highWatermark()).isEqualTo(15);
        assertThat(p.readyToJoin(0, FETCHED_WITHIN)).as("node 3 has not fetched").isEmpty();
        assertThat(p.neverFetched()).containsExactly(3);
        advance(LAG.plusMillis(1));
        p.fetchedBy(2, 15);
        assertThat(p.notFetchingFor(LAG)).as("counted from when it was added").containsExactly(3);
        assertThat(p.outOfSync()).as("only in-sync followers are dropped").isEmpty();

        // Its fetches count: once it reaches the high watermark it may join.
        p.fetchedBy(3, 12);
        assertThat(p.readyToJoin(0, FETCHED_WITHIN)).isEmpty();
        p.fetchedBy(3, 15);
        assertThat(p.readyToJoin(0, FETCHED_WITHIN)).containsExactly(3);

        // Node 2 leaves (the move's end): the high watermark follows node 3 and the leader alone.
        p.inSync(Set.of(2, 3));
        append(5);
        p.fetchedBy(3, 20);
        assertThat(log.highWatermark()).as("node 2 is at 15").isEqualTo(15);
        p.followersChanged(Set.of(3));
        assertThat(p.followers()).containsExactly(3);
        assertThat(p.inSync()).containsExactly(3);
        assertThat(log.highWatermark()).isEqualTo(20);
        p.fetchedBy(2, 20); // a late fetch of the node that left is ignored
        assertThat(p.reached(2)).isEqualTo(-1);
    }
}
