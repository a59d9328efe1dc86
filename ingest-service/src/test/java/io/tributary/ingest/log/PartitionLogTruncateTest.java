package io.tributary.ingest.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * {@link PartitionLog#truncateTo}: what a follower does with batches its new leader does not
 * have. The oracle is what the log held before: a truncated log reads as that log's prefix, takes
 * appends at its new end, has the producer state of that prefix, and opens again as the same log
 * after a crash.
 */
class PartitionLogTruncateTest extends LogTestSupport {

    private static final long PID = 7;

    /** {@code batches} batches of two records each (batch b at offset 2b), the producer's every third. */
    private static void write(PartitionLog log, int batches) {
        int sequence = 0;
        for (int b = 0; b < batches; b++) {
            List<LogRecord> records = records(2, "b" + b, 1000 + b * 10L);
            if (b % 3 == 0) {
                log.append(records, ProducerBatch.startingAt(PID, (short) 0, sequence), 0);
                sequence += 2;
            } else {
                log.append(records);
            }
        }
    }

    private static List<String> values(List<Record> records) {
        return records.stream().map(LogTestSupport::valueOf).toList();
    }

    private List<Long> segmentFilesAbove(long offset) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(p -> LogFiles.hasSuffix(p, LogFiles.LOG)).map(LogFiles::baseOffsetOf)
                    .filter(base -> base > offset).toList();
        }
    }

    @Test
    void aTruncatedLogIsThePrefixOfTheOldOneAndStaysSoAfterACrash() throws IOException {
        PartitionLog log = open(smallSegments());
        write(log, 60);
        List<String> before = values(readAll(log));
        int segmentsBefore = log.segmentCount();
        assertThat(segmentsBefore).isGreaterThan(2);

        assertThat(log.truncateTo(50)).isEqualTo(50);

        assertThat(log.logEndOffset()).isEqualTo(50);
        assertThat(log.highWatermark()).isEqualTo(50);
        assertThat(log.recoveryPoint()).isLessThanOrEqualTo(50);
        assertThat(log.segmentCount()).isLessThan(segmentsBefore);
        assertThat(segmentFilesAbove(50)).isEmpty();
        List<Record> kept = readAll(log);
        assertThat(kept).extracting(Record::offset).containsExactlyElementsOf(
                java.util.stream.LongStream.range(0, 50).boxed().toList());
        assertThat(values(kept)).containsExactlyElementsOf(before.subList(0, 50));
        assertThatThrownBy(() -> log.read(51, 1024)).isInstanceOf(OffsetOutOfRangeException.class);

        // The next append lands at the new end, and a crash reopens the same log.
        assertThat(log.append(records(2, "new", 9000)).baseOffset()).isEqualTo(50);
        log.closeAbruptly();
        PartitionLog reopened = open(smallSegments());
        assertThat(reopened.logEndOffset()).isEqualTo(52);
        List<Record> after = readAll(reopened);
        assertThat(values(after.subList(0, 50))).containsExactlyElementsOf(before.subList(0, 50));
        assertThat(values(after.subList(50, 52))).containsExactly("{\"v\":\"new-0\"}", "{\"v\":\"new-1\"}");
        assertThat(after.get(51).offset()).isEqualTo(51);
    }

    @Test
    void aBatchHoldingTheOffsetIsRemovedWhole() {
        PartitionLog log = open(smallSegments());
        for (int b = 0; b < 10; b++) {
            log.append(records(3, "b" + b, 100 + b)); // batch b holds 3b .. 3b+2
        }
        assertThat(log.truncateTo(16)).isEqualTo(15);
        assertThat(log.logEndOffset()).isEqualTo(15);
        assertThat(readAll(log)).hasSize(15);
        assertThat(valueOf(readAll(log).get(14))).isEqualTo("{\"v\":\"b4-2\"}");
    }

    @Test
    void toTheStartOfASegmentLeavesThatSegmentEmpty() {
        PartitionLog log = open(smallSegments());
        write(log, 60);
        long rolled = log.rollNow();
        for (int b = 0; b < 5; b++) {
            log.append(records(2, "later" + b, 5000 + b));
        }
        assertThat(log.truncateTo(rolled)).isEqualTo(rolled);
        assertThat(log.logEndOffset()).isEqualTo(rolled);
        assertThat(log.append(records(1, "x", 1)).baseOffset()).isEqualTo(rolled);
    }

    @Test
    void atOrPastTheEndNothingChangesAndBelowTheStartItIsRefused() {
        PartitionLog log = open(smallSegments(LogConfig.RETENTION_BYTES, "4096"));
        write(log, 80);
        long end = log.logEndOffset();
        assertThat(log.truncateTo(end)).isEqualTo(end);
        assertThat(log.truncateTo(end + 10)).isEqualTo(end);
        assertThat(log.logEndOffset()).isEqualTo(end);
        log.enforceRetention(System.currentTimeMillis());
        long start = log.logStartOffset();
        assertThat(start).isPositive();
        assertThatThrownBy(() -> log.truncateTo(start - 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(log.logEndOffset()).isEqualTo(end);
    }

    @Test
    void theProducerStateIsThatOfThePrefix() throws IOException {
        PartitionLog log = open(smallSegments());
        write(log, 90); // the producer wrote batches 0, 3, 6 ... 87: sequences 0 .. 59
        assertThat(log.lastSequence(PID)).isEqualTo(59);

        // Offset 120 starts batch 60, the producer's 21st batch (sequences 40, 41): it and all after it go.
        assertThat(log.truncateTo(120)).isEqualTo(120);

        assertThat(log.lastSequence(PID)).isEqualTo(39);
        try (var files = Files.list(dir)) {
            assertThat(files.filter(p -> LogFiles.hasSuffix(p, LogFiles.PRODUCER_SNAPSHOT))
                    .map(LogFiles::baseOffsetOf).toList()).allMatch(offset -> offset <= 120);
        }
        // The removed batch's sequence is new again: written at the new end, not answered as a duplicate.
        AppendResult again = log.append(records(2, "again", 5000), ProducerBatch.startingAt(PID, (short) 0, 40), 0);
        assertThat(again.duplicate()).isFalse();
        assertThat(again.baseOffset()).isEqualTo(120);
        // A retry of the last kept batch (sequences 38, 39: batch 57 at offset 114) is still known as one.
        AppendResult retry = log.append(records(2, "b57", 1570), ProducerBatch.startingAt(PID, (short) 0, 38), 0);
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.baseOffset()).isEqualTo(114);

        log.close();
        PartitionLog reopened = open(smallSegments());
        assertThat(reopened.lastSequence(PID)).isEqualTo(41);
        assertThat(reopened.logEndOffset()).isEqualTo(122);
    }
}
