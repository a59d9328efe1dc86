package io.tributary.ingest.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * A log whose high watermark replication moves ({@link PartitionLog#highWatermarkByReplication}):
 * appends move only the log end, readers see what replication confirmed, a follower's read goes to
 * the log end, and each kind of waiter is woken by its own offset.
 */
class HighWatermarkByReplicationTest extends LogTestSupport {

    @Test
    void appendsMoveTheLogEndAndReplicationTheHighWatermark() {
        PartitionLog log = open(smallSegments());
        log.append(records(4, "before", 1)); // 0..3, committed the single-node way
        log.highWatermarkByReplication(4);
        log.append(records(4, "after", 10)); // 4..7

        assertThat(log.logEndOffset()).isEqualTo(8);
        assertThat(log.highWatermark()).isEqualTo(4);
        assertThat(readAll(log)).extracting(Record::offset).containsExactly(0L, 1L, 2L, 3L);

        log.raiseHighWatermark(6);
        assertThat(log.highWatermark()).isEqualTo(6);
        log.raiseHighWatermark(5); // never down
        assertThat(log.highWatermark()).isEqualTo(6);
        log.raiseHighWatermark(100); // never past the log end
        assertThat(log.highWatermark()).isEqualTo(8);
        assertThat(readAll(log)).hasSize(8);
    }

    @Test
    void theStartingHighWatermarkMayBeLowerThanTheLogEnd() {
        PartitionLog log = open(smallSegments());
        for (int b = 0; b < 5; b++) {
            log.append(records(2, "b" + b, b));
        }
        log.highWatermarkByReplication(4);
        assertThat(log.highWatermark()).isEqualTo(4);
        assertThat(readAll(log)).hasSize(4);
        log.highWatermarkByReplication(50);
        assertThat(log.highWatermark()).isEqualTo(10);
    }

    @Test
    void aFollowersReadGoesToTheLogEnd() {
        PartitionLog log = open(smallSegments());
        log.highWatermarkByReplication(0);
        for (int b = 0; b < 5; b++) {
            log.append(records(2, "b" + b, b));
        }
        RegionFetchResult read = log.readRegionsForReplica(4, 1 << 20);
        assertThat(read.highWatermark()).isZero();
        assertThat(read.logEndOffset()).isEqualTo(10);
        assertThat(read.regions()).extracting(BatchRegion::baseOffset).containsExactly(4L, 6L, 8L);
        assertThat(log.readRegionsForReplica(10, 1 << 20).regions()).isEmpty();
        assertThatThrownBy(() -> log.readRegionsForReplica(11, 1024)).isInstanceOf(OffsetOutOfRangeException.class);
        // A consumer's read stops at the high watermark.
        assertThatThrownBy(() -> log.read(4, 1024)).isInstanceOf(OffsetOutOfRangeException.class);
    }

    @Test
    void anAppendWakesAFollowerAndOnlyTheHighWatermarkWakesAReader() throws Exception {
        PartitionLog log = open(smallSegments());
        log.highWatermarkByReplication(0);
        CompletableFuture<Void> follower = log.awaitAppend(0);
        CompletableFuture<Void> reader = log.awaitData(0);
        assertThat(follower).isNotDone();

        log.append(records(2, "x", 1));

        follower.get(5, TimeUnit.SECONDS);
        assertThat(reader).isNotDone();
        assertThat(log.awaitAppend(1)).isDone(); // data is already there
        log.raiseHighWatermark(2);
        reader.get(5, TimeUnit.SECONDS);
    }

    @Test
    void backToAppendsTheHighWatermarkIsTheLogEnd() throws Exception {
        PartitionLog log = open(smallSegments());
        log.highWatermarkByReplication(0);
        log.append(records(3, "x", 1));
        CompletableFuture<Void> follower = log.awaitAppend(3);
        log.highWatermarkByAppends();
        assertThat(log.highWatermark()).isEqualTo(3);
        follower.get(5, TimeUnit.SECONDS); // released: its fetch answers, whatever it finds
        log.append(records(1, "y", 2));
        assertThat(log.highWatermark()).isEqualTo(4);
    }

    @Test
    void truncationBelowTheHighWatermarkLowersIt() {
        PartitionLog log = open(smallSegments());
        log.highWatermarkByReplication(0);
        for (int b = 0; b < 5; b++) {
            log.append(records(2, "b" + b, b));
        }
        log.raiseHighWatermark(8);
        log.truncateTo(6);
        assertThat(log.highWatermark()).isEqualTo(6);
        log.append(records(2, "new", 9));
        assertThat(log.highWatermark()).isEqualTo(6);
    }
}
