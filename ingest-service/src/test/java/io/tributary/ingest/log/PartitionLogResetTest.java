package io.tributary.ingest.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PartitionLog#resetTo}, the copy primitives ({@link PartitionLog#appendCopied}, producer
 * snapshots taken on one log and installed on another), and what a reopen finds after each,
 * including a crash in the middle of a reset.
 */
class PartitionLogResetTest extends LogTestSupport {

    private static final long PID = 42;

    @TempDir
    Path sourceDir;

    private PartitionLog source;

    private static ProducerBatch producer(int sequence) {
        return ProducerBatch.startingAt(PID, (short) 0, sequence);
    }

    /** Plain batches and batches of producer {@link #PID} (sequence 0, 2, 4...), across many segments. */
    private static List<List<LogRecord>> writeMix(PartitionLog log, int batches) {
        List<List<LogRecord>> idempotent = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            List<LogRecord> records = records(2, "b" + b, 1000 + b * 10L);
            if (b % 3 == 0) {
                log.append(records, producer(idempotent.size() * 2), 0);
                idempotent.add(records);
            } else {
                log.append(records);
            }
        }
        return idempotent;
    }

    @Test
    void aResetLogIsEmptyAtTheNewStartAndStaysSoAfterAReopen() throws IOException {
        PartitionLog log = open(smallSegments());
        writeMix(log, 60);
        assertThat(log.segmentCount()).isGreaterThan(3);
        assertThat(log.lastSequence(PID)).isGreaterThan(0);
        long end = log.logEndOffset();

        log.resetTo(end + 500);

        long start = end + 500;
        assertThat(log.logStartOffset()).isEqualTo(start);
        assertThat(log.logEndOffset()).isEqualTo(start);
        assertThat(log.highWatermark()).isEqualTo(start);
        assertThat(log.segmentCount()).isEqualTo(1);
        assertThat(log.lastSequence(PID)).isEqualTo(-1);
        assertThat(log.producerCount()).isZero();
        assertThat(readAll(log)).isEmpty();
        assertThatThrownBy(() -> log.read(0, 1024)).isInstanceOf(OffsetOutOfRangeException.class);
        assertThat(Files.exists(dir.resolve(LogLoader.RESET_TO))).isFalse();
        try (var files = Files.list(dir)) {
            assertThat(files.filter(p -> LogFiles.hasSuffix(p, LogFiles.PRODUCER_SNAPSHOT)).toList()).isEmpty();
        }
        AppendResult appended = log.append(records(3, "after", 5000));
        assertThat(appended.baseOffset()).isEqualTo(start);

        // Crash: the reopen validates the new segment and finds the same log.
        log.closeAbruptly();
        PartitionLog reopened = open(smallSegments());
        assertThat(reopened.logStartOffset()).isEqualTo(start);
        assertThat(reopened.logEndOffset()).isEqualTo(start + 3);
        assertThat(readAll(reopened)).extracting(Record::offset).containsExactly(start, start + 1, start + 2);
        assertThat(reopened.lastSequence(PID)).isEqualTo(-1);
        reopened.close();
        PartitionLog again = open(smallSegments());
        assertThat(again.logStartOffset()).isEqualTo(start);
        assertThat(again.logEndOffset()).isEqualTo(start + 3);
    }

    @Test
    void aResetToTheEndOfAnEmptyActiveSegmentKeepsThatSegment() throws IOException {
        PartitionLog log = open(smallSegments());
        writeMix(log, 20);
        long rolled = log.rollNow();
        assertThat(rolled).isEqualTo(log.logEndOffset());
        log.resetTo(rolled);
        assertThat(log.logStartOffset()).isEqualTo(rolled);
        assertThat(log.segmentCount()).isEqualTo(1);
        log.append(records(1, "x", 1));
        log.closeAbruptly();
        PartitionLog reopened = open(smallSegments());
        assertThat(reopened.logStartOffset()).isEqualTo(rolled);
        assertThat(reopened.logEndOffset()).isEqualTo(rolled + 1);
    }

    @Test
    void aResetCannotMoveBackwards() {
        PartitionLog log = open(smallSegments());
        writeMix(log, 5);
        long end = log.logEndOffset();
        assertThatThrownBy(() -> log.resetTo(end - 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(log.logEndOffset()).isEqualTo(end);
        assertThat(log.logStartOffset()).isZero();
    }

    @Test
    void aCrashAfterTheResetWasDecidedOpensAnEmptyLogAtTheNewStart() throws IOException {
        PartitionLog log = open(smallSegments());
        writeMix(log, 40);
        long end = log.logEndOffset();
        log.flush();
        log.closeAbruptly();
        // What a crash after step (1) and part of step (2) leaves: the decision written, one segment
        // renamed, the rest (and the producer snapshots) still in place.
        LogLoader.beginReset(dir, end + 100);
        Path first = LogFiles.log(dir, 0);
        Files.move(first, first.resolveSibling(first.getFileName() + LogFiles.DELETED));

        PartitionLog reopened = open(smallSegments());
        assertThat(reopened.logStartOffset()).isEqualTo(end + 100);
        assertThat(reopened.logEndOffset()).isEqualTo(end + 100);
        assertThat(reopened.segmentCount()).isEqualTo(1);
        assertThat(reopened.lastSequence(PID)).isEqualTo(-1);
        assertThat(Files.exists(dir.resolve(LogLoader.RESET_TO))).isFalse();
        assertThat(reopened.append(records(1, "x", 1)).baseOffset()).isEqualTo(end + 100);
    }

    @Test
    void aCrashBeforeTheResetWasDecidedKeepsTheOldLog() throws IOException {
        PartitionLog log = open(smallSegments());
        writeMix(log, 40);
        long end = log.logEndOffset();
        long lastSequence = log.lastSequence(PID);
        List<Record> before = readAll(log);
        log.flush();
        log.closeAbruptly();
        // The decision was being written (temp file not yet renamed) when the node died.
        Files.write(dir.resolve(LogLoader.RESET_TO + ".tmp"), new byte[] {0, 0, 0});

        PartitionLog reopened = open(smallSegments());
        assertThat(reopened.logStartOffset()).isZero();
        assertThat(reopened.logEndOffset()).isEqualTo(end);
        assertThat(readAll(reopened)).extracting(Record::offset)
                .containsExactlyElementsOf(before.stream().map(Record::offset).toList());
        assertThat(reopened.lastSequence(PID)).isEqualTo(lastSequence);
    }

    @Test
    void aCopyFromTheSourcesLogStartWithItsProducerSnapshotDedupesLikeTheSource() throws IOException {
        source = openElsewhere(sourceDir, smallSegments("retention.bytes", "4096"));
        List<List<LogRecord>> idempotent = writeMix(source, 90);
        source.enforceRetention(System.currentTimeMillis());
        long start = source.logStartOffset();
        assertThat(start).as("retention deleted the first segments").isGreaterThan(0);
        long end = source.logEndOffset();
        assertThat(source.snapshotProducers(end)).isTrue();
        assertThat(source.snapshotProducers(end - 1)).isFalse();

        PartitionLog copy = open(smallSegments());
        copy.append(records(3, "stale", 1));
        copy.resetTo(start);
        for (long next = start; next < end; ) {
            for (RecordBatch b : source.read(next, 4096).batches()) {
                byte[] bytes = b.copyBytes();
                copy.appendCopied(RecordBatch.view(bytes, 0, bytes.length));
                next = b.nextOffset();
            }
        }
        assertThatThrownBy(() -> copy.appendCopied(source.read(start, 1).batches().get(0)))
                .isInstanceOf(IllegalArgumentException.class);
        copy.installProducerSnapshot(source.producerSnapshot(end));

        assertThat(copy.logStartOffset()).isEqualTo(start);
        assertThat(copy.logEndOffset()).isEqualTo(end);
        assertThat(copy.lastSequence(PID)).isEqualTo(source.lastSequence(PID));
        assertThat(copy.producerCount()).isEqualTo(source.producerCount());
        // Retries of the producer's last batches: duplicates on both, with the same offsets.
        int last = idempotent.size() - 1;
        for (int i = last - 2; i <= last; i++) {
            AppendResult onSource = source.append(idempotent.get(i), producer(i * 2), 0);
            AppendResult onCopy = copy.append(idempotent.get(i), producer(i * 2), 0);
            assertThat(onCopy.duplicate()).isTrue();
            assertThat(onCopy.baseOffset()).isEqualTo(onSource.baseOffset());
        }
        assertThat(copy.logEndOffset()).isEqualTo(end);

        // After a crash the copy loads the installed snapshot, not a table rebuilt from its own batches.
        copy.closeAbruptly();
        PartitionLog reopened = open(smallSegments());
        assertThat(reopened.logStartOffset()).isEqualTo(start);
        assertThat(reopened.lastSequence(PID)).isEqualTo(source.lastSequence(PID));
        assertThat(reopened.append(idempotent.get(last), producer(last * 2), 0).duplicate()).isTrue();
    }

    @Test
    void theKeptProducerSnapshotSurvivesLaterRollsAndACorruptOneIsRefused() {
        PartitionLog log = open(smallSegments());
        writeMix(log, 10);
        long at = log.logEndOffset();
        assertThat(log.snapshotProducers(at)).isTrue();
        byte[] kept = log.producerSnapshot(at);
        writeMix(log, 60); // many rolls, each writing a snapshot and keeping the two newest
        assertThat(log.producerSnapshot(at)).isEqualTo(kept);
        assertThat(log.producerSnapshot(at + 1)).isNull();

        long sequence = log.lastSequence(PID);
        byte[] corrupt = kept.clone();
        corrupt[corrupt.length / 2] ^= 1;
        assertThatThrownBy(() -> log.installProducerSnapshot(corrupt)).isInstanceOf(CorruptRecordException.class);
        assertThat(log.lastSequence(PID)).isEqualTo(sequence);
        assertThat(log.producerSnapshot(log.logEndOffset())).isNull();
    }
}
