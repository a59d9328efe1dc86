package io.tributary.ingest.replication.fetch;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;

import io.tributary.ingest.kafka.KafkaServer;
import io.tributary.ingest.kafka.ListenerSettings;
import io.tributary.ingest.kafka.ReplicaListener;
import io.tributary.ingest.kafka.ReplicaSource;
import io.tributary.ingest.log.FetchResult;
import io.tributary.ingest.log.LogConfig;
import io.tributary.ingest.log.LogRecord;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.log.ProducerBatch;
import io.tributary.ingest.log.RecordBatch;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A follower's replica kept up to date over the replication listener: a leader's log served by a
 * {@link ReplicaListener}, a follower's log filled by a {@link FollowerFetcher}, both on loopback.
 * The follower must end up with the leader's stored batches byte for byte (offsets, epochs, CRCs),
 * whatever it held before; the leader's high watermark must wait for the follower.
 */
class FollowerFetchTest {

    private static final Uuid TOPIC_ID = Uuid.randomUuid();
    private static final int FOLLOWER = 2;

    @TempDir
    Path dir;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private PartitionLog leader;
    private PartitionLog follower;
    private KafkaServer listener;
    private volatile int leaderEpoch = 5;
    private volatile ReplicaProgress progress;
    private final List<FollowerFetcher> fetchers = new ArrayList<>();
    /** What the follower was handed beside the batches of each answer: the range of offsets it named. */
    private final List<long[]> beside = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** What the follower's replica was told failed in its storage. */
    private final List<Throwable> storageFailures = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        // Small segments: a fetch answer spans several segment files.
        LogConfig config = LogConfig.from(Map.of(LogConfig.SEGMENT_BYTES, "2048"));
        leader = PartitionLog.open("orders", 0, dir.resolve("leader"), config, scheduler);
        follower = PartitionLog.open("orders", 0, dir.resolve("follower"), config, scheduler);
        leader.highWatermarkByReplication(0);
        follower.highWatermarkByReplication(0);
        progress = new ReplicaProgress(leader, Set.of(FOLLOWER));
        ReplicaSource.Replica replica = new ReplicaSource.Replica() {
            @Override
            public int leaderEpoch() {
                return leaderEpoch;
            }

            @Override
            public PartitionLog log() {
                return leader;
            }

            @Override
            public void fetchedBy(int replicaId, long offset) {
                progress.fetchedBy(replicaId, offset);
            }

            @Override
            public byte[] besideBatches(long from, long to) {
                return ByteBuffer.allocate(16).putLong(from).putLong(to).array(); // the range each answer held
            }
        };
        listener = ReplicaListener.create(new ListenerSettings("replica-test", "none", "127.0.0.1", 0, 1, 2,
                1 << 24, true), (topicId, p) -> topicId.equals(TOPIC_ID) && p == 0 ? replica : null,
                null, 200, ForkJoinPool.commonPool());
        listener.start();
    }

    @AfterEach
    void stop() throws IOException {
        fetchers.forEach(FollowerFetcher::close);
        listener.stop();
        leader.close();
        follower.close();
        scheduler.shutdownNow();
    }

    private FollowerFetcher fetcher(int epoch) {
        FollowerFetcher f = new FollowerFetcher(FOLLOWER, 1, () -> new InetSocketAddress("127.0.0.1",
                listener.boundPort()), () -> List.of(new FollowedPartition(TOPIC_ID, "orders", 0, follower, epoch,
                bytes -> beside.add(new long[] {ByteBuffer.wrap(bytes).getLong(0), ByteBuffer.wrap(bytes).getLong(8)}),
                storageFailures::add)),
                new FollowerFetcher.Settings(Duration.ofMillis(200), 4096, 1 << 20, Duration.ofMillis(20),
                        Duration.ofSeconds(2)));
        fetchers.add(f);
        return f;
    }

    private void follow(int epoch) {
        Thread.ofPlatform().name("fetcher-test").daemon().start(fetcher(epoch));
    }

    private static void append(PartitionLog log, int batches, String prefix, int epoch) {
        for (int b = 0; b < batches; b++) {
            List<LogRecord> records = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                records.add(LogRecord.of(prefix + b, "{\"n\":" + i + ",\"pad\":\"" + "x".repeat(40) + "\"}", 1000 + b));
            }
            log.append(records, ProducerBatch.NONE, epoch);
        }
    }

    /** Every stored batch below the high watermark, as bytes. */
    private static List<ByteBuffer> stored(PartitionLog log) {
        List<ByteBuffer> out = new ArrayList<>();
        long next = log.logStartOffset();
        while (next < log.highWatermark()) {
            FetchResult read = log.read(next, 1 << 20);
            for (RecordBatch b : read.batches()) {
                if (b.nextOffset() > next) {
                    out.add(ByteBuffer.wrap(b.copyBytes()));
                    next = b.nextOffset();
                }
            }
        }
        return out;
    }

    /** Both logs hold the same batches, committed on both. */
    private void awaitSameLogs() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(follower.logEndOffset()).isEqualTo(leader.logEndOffset());
            assertThat(leader.highWatermark()).isEqualTo(leader.logEndOffset());
            assertThat(follower.highWatermark()).isEqualTo(leader.logEndOffset());
        });
        assertThat(follower.logStartOffset()).isEqualTo(leader.logStartOffset());
        assertThat(stored(follower)).containsExactlyElementsOf(stored(leader));
        assertThat(follower.epochHistory()).isEqualTo(leader.epochHistory());
    }

    @Test
    void theFollowerCopiesTheLeadersBatchesAsTheyAreAndTheHighWatermarkWaitsForIt() {
        append(leader, 40, "a", 5);
        assertThat(leader.highWatermark()).as("no follower has fetched").isZero();

        follow(5);
        awaitSameLogs();
        assertThat(stored(leader)).hasSize(40);

        // Appends while the follower is parked at the leader's log end wake it.
        for (int round = 0; round < 10; round++) {
            append(leader, 3, "b" + round, 5);
        }
        awaitSameLogs();
        assertThat(progress.reached(FOLLOWER)).isEqualTo(leader.logEndOffset());

        // Beside each answer's batches came the leader's bytes for exactly their range: together,
        // back to back, the whole log (what carries the Idempotency-Key entries on a cluster).
        long next = 0;
        for (long[] range : beside) {
            assertThat(range[0]).isEqualTo(next);
            assertThat(range[1]).isGreaterThan(range[0]);
            next = range[1];
        }
        assertThat(next).isEqualTo(leader.logEndOffset());
    }

    @Test
    void aFollowerHoldingBatchesTheLeaderNeverHadTruncatesThemAndCopiesTheLeaders() {
        // The same history in epoch 5 on both (what both had replicated) ...
        append(leader, 10, "common", 5);
        append(follower, 10, "common", 5);
        // ... then the follower took three more batches under epoch 5 that never reached the new
        // leader, which leads in epoch 6.
        append(follower, 3, "lost", 5);
        append(leader, 4, "new", 6);
        leaderEpoch = 6;
        progress = new ReplicaProgress(leader, Set.of(FOLLOWER));
        long common = 30;
        assertThat(leader.epochHistory().get(1).startOffset()).isEqualTo(common);

        follow(6);
        awaitSameLogs();
        assertThat(stored(follower).stream().map(b -> RecordBatch.view(b.array(), 0, b.capacity()).leaderEpoch()))
                .containsExactly(5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6);
    }

    /** A replica whose log no longer takes appends (its disk failed) is told, so that it steps aside. */
    @Test
    void aFollowerWhoseLogFailsIsToldItsStorageFailed() throws IOException {
        append(leader, 5, "a", 5);
        follow(5);
        awaitSameLogs();
        assertThat(storageFailures).isEmpty();
        follower.close();
        append(leader, 5, "b", 5);
        await().atMost(Duration.ofSeconds(10)).until(() -> !storageFailures.isEmpty());
        assertThat(storageFailures.get(0)).hasMessageContaining("closed");
    }

    @Test
    void aFollowerEndingBelowTheLeadersLogStartStartsAgainThere() {
        leader.resetTo(100);
        leader.highWatermarkByReplication(100);
        append(leader, 5, "late", 5);
        append(follower, 2, "old", 4);
        progress = new ReplicaProgress(leader, Set.of(FOLLOWER));

        follow(5);
        awaitSameLogs();
        assertThat(follower.logStartOffset()).isEqualTo(100);
    }

    @Test
    void aFetchUnderAnotherLeaderEpochIsRefusedAndCopiesNothing() throws IOException {
        append(leader, 4, "a", 6);
        leaderEpoch = 6;
        progress = new ReplicaProgress(leader, Set.of(FOLLOWER));

        FollowerFetcher stale = fetcher(5);
        assertThat(stale.fetchOnce()).isTrue();
        assertThat(stale.fetchOnce()).as("the refused partition is not asked again").isFalse();
        assertThat(follower.logEndOffset()).isZero();
        assertThat(progress.reached(FOLLOWER)).as("a fenced fetch is no acknowledgement").isEqualTo(-1);
        assertThat(leader.highWatermark()).isZero();

        FollowerFetcher ahead = fetcher(7);
        assertThat(ahead.fetchOnce()).isTrue();
        assertThat(follower.logEndOffset()).isZero();

        FollowerFetcher current = fetcher(6);
        assertThat(current.fetchOnce()).isTrue();
        assertThat(follower.logEndOffset()).isEqualTo(leader.logEndOffset());
        assertThat(current.fetchOnce()).isTrue(); // acknowledges the copy
        assertThat(leader.highWatermark()).isEqualTo(leader.logEndOffset());
    }
}
