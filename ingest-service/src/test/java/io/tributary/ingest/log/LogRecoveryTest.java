package io.tributary.ingest.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class LogRecoveryTest extends LogTestSupport {

    private record BatchAt(long position, int size, long baseOffset, long nextOffset) {
    }

    /** Appends {@code batches} batches of 3 records; returns the values in offset order. */
    private static List<String> appendBatches(PartitionLog log, int batches) {
        List<String> values = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            List<LogRecord> batch = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String v = "{\"b\":" + b + ",\"i\":" + i + "}";
                batch.add(record("k" + b, v, 1_000 + b));
                values.add(v);
            }
            log.append(batch);
        }
        return values;
    }

    private static List<BatchAt> batchesOf(LogSegment segment) throws IOException {
        List<BatchAt> out = new ArrayList<>();
        long position = 0;
        for (RecordBatch b : segment.read(segment.baseOffset(), Integer.MAX_VALUE, Long.MAX_VALUE)) {
            out.add(new BatchAt(position, b.sizeInBytes(), b.baseOffset(), b.nextOffset()));
            position += b.sizeInBytes();
        }
        return out;
    }

    private static void flipBit(Path file, long position) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(position);
            int b = raf.read();
            raf.seek(position);
            raf.write(b ^ 0x04);
        }
    }

    private static List<String> values(PartitionLog log) {
        return readAll(log).stream().map(LogTestSupport::valueOf).toList();
    }

    @Test
    void shouldTruncateTornTailAndAcceptNewWrites() throws IOException {
        PartitionLog log = open(smallSegments());
        List<String> written = appendBatches(log, 60);
        LogSegment tail = log.segments().get(log.segmentCount() - 1);
        List<BatchAt> batches = batchesOf(tail);
        BatchAt last = batches.get(batches.size() - 1);
        int segmentsBefore = log.segmentCount();
        log.closeAbruptly();

        try (RandomAccessFile raf = new RandomAccessFile(LogFiles.log(dir, tail.baseOffset()).toFile(), "rw")) {
            raf.setLength(last.position() + last.size() / 2);
        }

        PartitionLog reopened = open(smallSegments());
        assertThat(reopened.logEndOffset()).isEqualTo(last.baseOffset());
        assertThat(reopened.highWatermark()).isEqualTo(last.baseOffset());
        assertThat(reopened.segmentCount()).isEqualTo(segmentsBefore);
        assertThat(values(reopened)).containsExactlyElementsOf(written.subList(0, (int) last.baseOffset()));
        assertThat(Files.size(LogFiles.log(dir, tail.baseOffset()))).isEqualTo(last.position());

        AppendResult next = reopened.append(List.of(record("new", "\"after\"", 5_000)));
        assertThat(next.baseOffset()).isEqualTo(last.baseOffset());
        assertThat(values(reopened)).last().isEqualTo("\"after\"");
        assertThat(reopened.logEndOffset()).isEqualTo(last.baseOffset() + 1);
    }

    @Test
    void shouldCutEverythingFromACorruptBatchOfTheTailSegment() throws IOException {
        PartitionLog log = open(smallSegments());
        List<String> written = appendBatches(log, 60);
        LogSegment tail = log.segments().get(log.segmentCount() - 1);
        List<BatchAt> batches = batchesOf(tail);
        assertThat(batches.size()).isGreaterThanOrEqualTo(3);
        BatchAt corrupt = batches.get(1);
        log.closeAbruptly();

        flipBit(LogFiles.log(dir, tail.baseOffset()), corrupt.position() + RecordBatch.HEADER_SIZE + 5);

        PartitionLog reopened = open(smallSegments());
        assertThat(reopened.logEndOffset()).isEqualTo(corrupt.baseOffset());
        assertThat(values(reopened)).containsExactlyElementsOf(written.subList(0, (int) corrupt.baseOffset()));
        assertThat(reopened.append(List.of(record("x", "1", 1))).baseOffset()).isEqualTo(corrupt.baseOffset());
    }

    @Test
    void shouldDropWholeLaterSegmentsAfterACorruptBatch() throws IOException {
        PartitionLog log = open(smallSegments());
        List<String> written = appendBatches(log, 60);
        assertThat(log.segmentCount()).isGreaterThanOrEqualTo(3);
        LogSegment middle = log.segments().get(1);
        BatchAt corrupt = batchesOf(middle).get(2);
        log.closeAbruptly();

        flipBit(LogFiles.log(dir, middle.baseOffset()), corrupt.position() + corrupt.size() - 1);

        PartitionLog reopened = open(smallSegments());
        assertThat(reopened.logEndOffset()).isEqualTo(corrupt.baseOffset());
        assertThat(reopened.segmentCount()).isEqualTo(2);
        assertThat(values(reopened)).containsExactlyElementsOf(written.subList(0, (int) corrupt.baseOffset()));
    }

    @Test
    void shouldSkipValidationAfterACleanCloseAndConsumeTheMarker() throws IOException {
        PartitionLog log = open(smallSegments());
        List<String> written = appendBatches(log, 60);
        LogSegment tail = log.segments().get(log.segmentCount() - 1);
        BatchAt batch = batchesOf(tail).get(0);
        long end = log.logEndOffset();
        int segments = log.segmentCount();
        log.close();
        assertThat(dir.resolve(LogFiles.CLEAN_SHUTDOWN)).exists();

        // A flipped bit (in a header field the reader does not interpret) goes unnoticed: the log is trusted.
        flipBit(LogFiles.log(dir, tail.baseOffset()), batch.position() + RecordBatch.ATTRIBUTES);

        PartitionLog reopened = open(smallSegments());
        assertThat(dir.resolve(LogFiles.CLEAN_SHUTDOWN)).doesNotExist();
        assertThat(reopened.logEndOffset()).isEqualTo(end);
        assertThat(reopened.segmentCount()).isEqualTo(segments);
        assertThat(reopened.recoveryPoint()).isEqualTo(end);
        assertThat(values(reopened)).containsExactlyElementsOf(written);

        // Without the marker, the next (unclean) start validates the tail and cuts the bad batch.
        reopened.closeAbruptly();
        PartitionLog recovered = open(smallSegments());
        assertThat(recovered.logEndOffset()).isEqualTo(batch.baseOffset());
    }

    @Test
    void shouldKeepAllRecordsAcrossSegmentsAfterACrash() throws IOException {
        PartitionLog log = open(smallSegments());
        List<String> written = appendBatches(log, 100);
        int segments = log.segmentCount();
        assertThat(segments).isGreaterThan(4);
        log.closeAbruptly();

        PartitionLog reopened = open(smallSegments());
        assertThat(reopened.logEndOffset()).isEqualTo(written.size());
        assertThat(reopened.segmentCount()).isEqualTo(segments);
        assertThat(values(reopened)).containsExactlyElementsOf(written);
        assertThat(reopened.append(List.of(record("x", "1", 1))).baseOffset()).isEqualTo(written.size());
    }

    @Test
    void shouldKeepAllRecordsAfterCleanRestartThenMoreAppendsThenACrash() throws IOException {
        PartitionLog log = open(smallSegments());
        List<String> written = new ArrayList<>(appendBatches(log, 40));
        log.close();

        PartitionLog second = open(smallSegments());
        written.addAll(appendBatches(second, 40));
        second.closeAbruptly();

        PartitionLog third = open(smallSegments());
        assertThat(values(third)).containsExactlyElementsOf(written);
        // reads through the indexes still find every offset
        for (int offset = 0; offset < written.size(); offset += 5) {
            assertThat(valueOf(readFrom(third, offset).get(0))).isEqualTo(written.get(offset));
        }
        third.close();
        PartitionLog fourth = open(smallSegments());
        assertThat(values(fourth)).containsExactlyElementsOf(written);
    }

    @Test
    void shouldRecoverAfterACrashRightAfterARoll() throws IOException {
        PartitionLog log = open(smallSegments());
        List<String> written = appendBatches(log, 10);
        long rolledAt = log.rollNow();
        assertThat(rolledAt).isEqualTo(written.size());
        log.closeAbruptly();

        PartitionLog reopened = open(smallSegments());
        assertThat(reopened.logEndOffset()).isEqualTo(written.size());
        assertThat(reopened.append(List.of(record("x", "\"y\"", 1))).baseOffset()).isEqualTo(written.size());
        assertThat(values(reopened)).last().isEqualTo("\"y\"");
    }

    @Test
    void shouldRestoreProducerStateAfterACleanRestart() throws IOException {
        assertRetryAfterRestartReturnsOriginalOffsets(true);
    }

    @Test
    void shouldRestoreProducerStateAfterACrash() throws IOException {
        assertRetryAfterRestartReturnsOriginalOffsets(false);
    }

    private void assertRetryAfterRestartReturnsOriginalOffsets(boolean clean) throws IOException {
        PartitionLog log = open(smallSegments());
        long producerId = 42;
        int seq = 0;
        AppendResult last = null;
        List<LogRecord> lastRecords = null;
        for (int b = 0; b < 50; b++) {
            lastRecords = records(3, "p" + b, 1_000 + b);
            last = log.append(lastRecords, ProducerBatch.startingAt(producerId, (short) 0, seq), 0);
            seq += 3;
            log.append(records(2, "other" + b, 1_000 + b)); // interleaved writes without producer identity
        }
        // a little more after the last roll's snapshot, so a crash must replay batches
        List<LogRecord> tailRecords = records(2, "tail", 5_000);
        AppendResult tail = log.append(tailRecords, ProducerBatch.startingAt(producerId, (short) 0, seq), 0);
        long end = log.logEndOffset();
        assertThat(log.segmentCount()).isGreaterThan(3);
        if (clean) {
            log.close();
        } else {
            log.closeAbruptly();
        }

        PartitionLog reopened = open(smallSegments());
        assertThat(reopened.logEndOffset()).isEqualTo(end);
        AppendResult retry = reopened.append(tailRecords, ProducerBatch.startingAt(producerId, (short) 0, seq), 0);
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.baseOffset()).isEqualTo(tail.baseOffset());
        AppendResult olderRetry = reopened.append(lastRecords, ProducerBatch.startingAt(producerId, (short) 0, seq - 3), 0);
        assertThat(olderRetry.duplicate()).isTrue();
        assertThat(olderRetry.baseOffset()).isEqualTo(last.baseOffset());
        assertThat(reopened.logEndOffset()).isEqualTo(end);
        assertThat(reopened.append(records(1, "next", 9_000), ProducerBatch.startingAt(producerId, (short) 0, seq + 2), 0)
                .baseOffset()).isEqualTo(end);
    }
}
