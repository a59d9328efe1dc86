package io.tributary.ingest.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The leader-epoch table of a partition log ({@link LeaderEpochs}): filled by appends, answered
 * by {@link PartitionLog#endOffsetForEpoch}, cut by truncation and retention, and the same after a
 * reopen, a crash, or the loss of its file.
 */
class LeaderEpochsTest extends LogTestSupport {

    /** Batches of two records: epoch 3 at 0..9, epoch 5 at 10..29, epoch 8 at 30..39 (batch b at 2b). */
    private static void writeThreeEpochs(PartitionLog log) {
        for (int b = 0; b < 20; b++) {
            int epoch = b < 5 ? 3 : b < 15 ? 5 : 8;
            log.append(records(2, "b" + b, 100 + b), ProducerBatch.NONE, epoch);
        }
    }

    private static List<LeaderEpochs.Entry> entries(long... epochAndStart) {
        List<LeaderEpochs.Entry> out = new java.util.ArrayList<>();
        for (int i = 0; i < epochAndStart.length; i += 2) {
            out.add(new LeaderEpochs.Entry((int) epochAndStart[i], epochAndStart[i + 1]));
        }
        return out;
    }

    @Test
    void eachEpochStartsAtItsFirstBatchAndEndsWhereTheNextBegins() {
        PartitionLog log = open(smallSegments());
        assertThat(log.latestEpoch()).isEqualTo(-1);
        assertThat(log.endOffsetForEpoch(0)).isEqualTo(LeaderEpochs.UNKNOWN);
        writeThreeEpochs(log);

        assertThat(log.epochHistory()).containsExactlyElementsOf(entries(3, 0, 5, 10, 8, 30));
        assertThat(log.latestEpoch()).isEqualTo(8);
        assertThat(log.endOffsetForEpoch(8)).isEqualTo(new LeaderEpochs.EpochEnd(8, 40));
        assertThat(log.endOffsetForEpoch(9)).isEqualTo(new LeaderEpochs.EpochEnd(8, 40));
        assertThat(log.endOffsetForEpoch(5)).isEqualTo(new LeaderEpochs.EpochEnd(5, 30));
        // An epoch this log never had: the newest one before it, and where that ends.
        assertThat(log.endOffsetForEpoch(4)).isEqualTo(new LeaderEpochs.EpochEnd(3, 10));
        assertThat(log.endOffsetForEpoch(7)).isEqualTo(new LeaderEpochs.EpochEnd(5, 30));
        assertThat(log.endOffsetForEpoch(2)).isEqualTo(LeaderEpochs.UNKNOWN);
    }

    @Test
    void aBatchOfAnOlderEpochDoesNotMoveTheTable() {
        PartitionLog log = open(smallSegments());
        writeThreeEpochs(log);
        log.append(records(1, "late", 1), ProducerBatch.NONE, 5);
        assertThat(log.epochHistory()).containsExactlyElementsOf(entries(3, 0, 5, 10, 8, 30));
    }

    @Test
    void theTableSurvivesACleanCloseAndACrash() throws IOException {
        PartitionLog log = open(smallSegments());
        writeThreeEpochs(log);
        log.close();
        PartitionLog reopened = open(smallSegments());
        assertThat(reopened.epochHistory()).containsExactlyElementsOf(entries(3, 0, 5, 10, 8, 30));
        reopened.append(records(2, "next", 1), ProducerBatch.NONE, 9);
        reopened.closeAbruptly();
        PartitionLog again = open(smallSegments());
        assertThat(again.epochHistory()).containsExactlyElementsOf(entries(3, 0, 5, 10, 8, 30, 9, 40));
        assertThat(again.endOffsetForEpoch(9)).isEqualTo(new LeaderEpochs.EpochEnd(9, 42));
    }

    @Test
    void truncationForgetsTheEpochsItRemoves() throws IOException {
        PartitionLog log = open(smallSegments());
        writeThreeEpochs(log);
        log.truncateTo(12); // the middle of epoch 5: epoch 8 goes, 5 now ends at the log end
        assertThat(log.epochHistory()).containsExactlyElementsOf(entries(3, 0, 5, 10));
        assertThat(log.endOffsetForEpoch(8)).isEqualTo(new LeaderEpochs.EpochEnd(5, 12));
        log.append(records(2, "new leader", 1), ProducerBatch.NONE, 9);
        assertThat(log.epochHistory()).containsExactlyElementsOf(entries(3, 0, 5, 10, 9, 12));
        log.closeAbruptly();
        assertThat(open(smallSegments()).epochHistory()).containsExactlyElementsOf(entries(3, 0, 5, 10, 9, 12));
    }

    @Test
    void retentionMovesTheFirstEpochsStartWithTheLogStart() {
        PartitionLog log = open(smallSegments(LogConfig.RETENTION_BYTES, "2048"));
        writeThreeEpochs(log);
        log.enforceRetention(System.currentTimeMillis());
        long start = log.logStartOffset();
        assertThat(start).isPositive();
        // Expected from the epochs written: the one holding the new start begins there, later ones are kept.
        List<LeaderEpochs.Entry> written = entries(3, 0, 5, 10, 8, 30);
        List<LeaderEpochs.Entry> expected = new java.util.ArrayList<>();
        for (int i = 0; i < written.size(); i++) {
            boolean holdsStart = written.get(i).startOffset() <= start
                    && (i + 1 == written.size() || written.get(i + 1).startOffset() > start);
            if (holdsStart) {
                expected.add(new LeaderEpochs.Entry(written.get(i).epoch(), start));
            } else if (written.get(i).startOffset() > start) {
                expected.add(written.get(i));
            }
        }
        assertThat(log.epochHistory()).containsExactlyElementsOf(expected);
        assertThat(log.endOffsetForEpoch(8)).isEqualTo(new LeaderEpochs.EpochEnd(8, 40));
    }

    @Test
    void aLogWithoutTheFileRebuildsTheTableFromItsBatches() throws IOException {
        PartitionLog log = open(smallSegments());
        writeThreeEpochs(log);
        log.close();
        Files.delete(dir.resolve(LeaderEpochs.FILE));
        PartitionLog reopened = open(smallSegments());
        assertThat(reopened.epochHistory()).containsExactlyElementsOf(entries(3, 0, 5, 10, 8, 30));
        assertThat(Files.exists(dir.resolve(LeaderEpochs.FILE))).isTrue();
        reopened.close();

        Files.writeString(dir.resolve(LeaderEpochs.FILE), "0\n7\n3 0\n", StandardCharsets.UTF_8); // torn
        assertThat(open(smallSegments()).epochHistory()).containsExactlyElementsOf(entries(3, 0, 5, 10, 8, 30));
    }

    @Test
    void aResetForgetsEveryEpoch() {
        PartitionLog log = open(smallSegments());
        writeThreeEpochs(log);
        log.resetTo(1000);
        assertThat(log.epochHistory()).isEmpty();
        assertThat(log.latestEpoch()).isEqualTo(-1);
    }
}
