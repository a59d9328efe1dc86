package io.tributary.ingest.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class RetentionTest extends LogTestSupport {

    private static final long DAY = 24L * 60 * 60 * 1000;

    /** Fills {@code segments} sealed segments whose records all carry timestamp {@code ts(i)}; returns their bases. */
    private static List<Long> fillSegments(PartitionLog log, int segments, long firstTs) {
        List<Long> bases = new java.util.ArrayList<>();
        for (int s = 0; s < segments; s++) {
            bases.add(log.logEndOffset());
            for (int b = 0; b < 5; b++) {
                log.append(records(3, "s" + s + "b" + b, firstTs + s * DAY));
            }
            log.rollNow();
        }
        return bases;
    }

    @Test
    void shouldDeleteSegmentsOlderThanRetentionMsButNeverTheActiveOne() {
        PartitionLog log = open(smallSegments(LogConfig.SEGMENT_BYTES, "1048576", LogConfig.RETENTION_MS,
                String.valueOf(2 * DAY)));
        long t0 = 1_000 * DAY;
        List<Long> bases = fillSegments(log, 4, t0); // newest record of segment i: t0 + i*DAY + 2
        log.append(records(2, "active", t0)); // an old record in the active segment
        long end = log.logEndOffset();

        long now = t0 + 2 * DAY + 5; // segment 0's newest record (t0 + 2) is just over 2 days old
        assertThat(log.enforceRetention(now)).isEqualTo(1);
        assertThat(log.logStartOffset()).isEqualTo(bases.get(1));
        assertThat(log.enforceRetention(now + DAY)).isEqualTo(1);
        assertThat(log.logStartOffset()).isEqualTo(bases.get(2));
        assertThat(log.segmentCount()).isEqualTo(3);

        long start = log.logStartOffset();
        assertThatThrownBy(() -> log.read(start - 1, 100))
                .isInstanceOfSatisfying(OffsetOutOfRangeException.class, e -> assertThat(e.logStartOffset()).isEqualTo(start));
        assertThat(readAll(log).get(0).offset()).isEqualTo(start);

        // far in the future every sealed segment goes, the active one stays
        assertThat(log.enforceRetention(now + 100 * DAY)).isEqualTo(2);
        assertThat(log.segmentCount()).isEqualTo(1);
        assertThat(log.logStartOffset()).isEqualTo(bases.get(3) + 15);
        assertThat(log.logEndOffset()).isEqualTo(end);
        assertThat(readAll(log)).hasSize(2);
    }

    @Test
    void shouldDeleteOldestSegmentsWhileTheLogIsLargerThanRetentionBytes() {
        PartitionLog log = open(smallSegments(LogConfig.SEGMENT_BYTES, "1048576", LogConfig.RETENTION_MS, "-1"));
        List<Long> bases = fillSegments(log, 5, 0);
        long segmentSize = log.segments().get(0).sizeInBytes();
        log.updateConfig(smallSegments(LogConfig.SEGMENT_BYTES, "1048576", LogConfig.RETENTION_MS, "-1",
                LogConfig.RETENTION_BYTES, String.valueOf(2 * segmentSize)));

        assertThat(log.enforceRetention(0)).isEqualTo(3);
        assertThat(log.sizeInBytes()).isLessThanOrEqualTo(2 * segmentSize);
        assertThat(log.logStartOffset()).isEqualTo(bases.get(3));
        assertThat(log.enforceRetention(0)).isZero();
    }

    /** On a cluster the limit is the Raft snapshot point: a replay after a restart needs the batches above it. */
    @Test
    void shouldKeepDueSegmentsThatEndAboveTheCleanupLimitAndSayWhereItWouldGo() {
        PartitionLog log = open(smallSegments(LogConfig.SEGMENT_BYTES, "1048576", LogConfig.RETENTION_MS,
                String.valueOf(DAY)));
        List<Long> bases = fillSegments(log, 4, 0); // every sealed segment is due at 100 days
        log.limitCleanup(bases.get(1) + 1); // inside segment 1: only segment 0 ends at or below it

        assertThat(log.enforceRetention(100 * DAY)).isEqualTo(1);
        assertThat(log.logStartOffset()).isEqualTo(bases.get(1));
        assertThat(log.cleanupHeldTo()).as("segment 1 is due but ends above the limit").isEqualTo(bases.get(2));
        assertThat(log.enforceRetention(100 * DAY)).isZero();
        assertThat(readAll(log).get(0).offset()).isEqualTo(bases.get(1));

        log.limitCleanup(bases.get(3)); // segments 1 and 2 end at or below it
        assertThat(log.enforceRetention(100 * DAY)).isEqualTo(2);
        assertThat(log.logStartOffset()).isEqualTo(bases.get(3));
        assertThat(log.cleanupHeldTo()).as("segment 3 ends above the limit").isEqualTo(bases.get(3) + 15);

        log.limitCleanup(Long.MAX_VALUE);
        assertThat(log.enforceRetention(100 * DAY)).isEqualTo(1);
        assertThat(log.cleanupHeldTo()).isEqualTo(-1);
        assertThat(log.segmentCount()).isEqualTo(1);
    }

    @Test
    void shouldNotDeleteWhenThePolicyIsCompactOnly() {
        PartitionLog log = open(smallSegments(LogConfig.SEGMENT_BYTES, "1048576", LogConfig.RETENTION_MS, "1",
                LogConfig.CLEANUP_POLICY, "compact"));
        fillSegments(log, 3, 0);
        assertThat(log.enforceRetention(100 * DAY)).isZero();
        assertThat(log.logStartOffset()).isZero();
    }

    @Test
    void shouldKeepTheLogStartOffsetAcrossRestarts() throws Exception {
        LogConfig config = smallSegments(LogConfig.SEGMENT_BYTES, "1048576", LogConfig.RETENTION_MS, String.valueOf(DAY));
        PartitionLog log = open(config);
        List<Long> bases = fillSegments(log, 3, 0);
        long end = log.logEndOffset();
        assertThat(log.enforceRetention(2 * DAY + 10)).isEqualTo(2);
        long start = log.logStartOffset();
        assertThat(start).isEqualTo(bases.get(2));
        log.close();

        PartitionLog reopened = open(config);
        assertThat(reopened.logStartOffset()).isEqualTo(start);
        assertThat(reopened.logEndOffset()).isEqualTo(end);
        assertThatThrownBy(() -> reopened.read(0, 100)).isInstanceOf(OffsetOutOfRangeException.class);
        reopened.closeAbruptly();

        PartitionLog crashed = open(config);
        assertThat(crashed.logStartOffset()).isEqualTo(start);
        assertThat(readAll(crashed)).hasSize((int) (end - start));
    }

    @Test
    void shouldKeepOffsetsGoingWhenRetentionEmptiedTheLogBeforeARestart() throws Exception {
        LogConfig config = smallSegments(LogConfig.SEGMENT_BYTES, "1048576", LogConfig.RETENTION_MS, String.valueOf(DAY));
        PartitionLog log = open(config);
        fillSegments(log, 2, 0);
        long end = log.logEndOffset();
        log.enforceRetention(10 * DAY);
        assertThat(log.logStartOffset()).isEqualTo(end);
        log.close();

        PartitionLog reopened = open(config);
        assertThat(reopened.logStartOffset()).isEqualTo(end);
        assertThat(reopened.append(records(1, "x", 1)).baseOffset()).isEqualTo(end);
    }
}
