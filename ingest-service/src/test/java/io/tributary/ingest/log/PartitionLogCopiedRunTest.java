package io.tributary.ingest.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PartitionLog#appendCopied(List)}: the batches one fetch brings, written at once, leave the
 * same log as copying them one by one: the leader's bytes at the leader's offsets, its epochs and
 * producer state, an index that finds every batch, and a log that reopens whole.
 */
class PartitionLogCopiedRunTest extends LogTestSupport {

    private static final long PID = 7;

    @TempDir
    Path sourceDir;

    private PartitionLog source;

    /** 30 batches in epochs 3 and 4, every third one of producer {@link #PID}. */
    private void writeSource(LogConfig config) throws IOException {
        source = openElsewhere(sourceDir, config);
        int sequence = 0;
        for (int i = 0; i < 30; i++) {
            List<LogRecord> batch = records(4 + i % 5, "r" + i + "-", 1_000 + i);
            int epoch = i < 12 ? 3 : 4;
            if (i % 3 == 0) {
                source.append(batch, ProducerBatch.startingAt(PID, (short) 0, sequence), epoch);
                sequence += batch.size();
            } else {
                source.append(batch, ProducerBatch.NONE, epoch);
            }
        }
    }

    /** The source's batches copied back to back into one array, as a fetch answer holds them. */
    private List<RecordBatch> answer() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        batchBytes(source).forEach(bytes::writeBytes);
        byte[] array = bytes.toByteArray();
        List<RecordBatch> run = new ArrayList<>();
        for (int pos = 0; pos < array.length; ) {
            int size = RecordBatch.sizeAt(array, pos);
            run.add(RecordBatch.view(array, pos, size));
            pos += size;
        }
        return run;
    }

    private static List<byte[]> batchBytes(PartitionLog log) {
        List<byte[]> out = new ArrayList<>();
        for (long next = log.logStartOffset(); next < log.logEndOffset(); ) {
            for (RecordBatch b : log.read(next, 1 << 20).batches()) {
                out.add(b.copyBytes());
                next = b.nextOffset();
            }
        }
        return out;
    }

    private void assertSameLog(PartitionLog copy) {
        assertThat(copy.logEndOffset()).isEqualTo(source.logEndOffset());
        assertThat(batchBytes(copy)).containsExactlyElementsOf(batchBytes(source));
        assertThat(copy.epochHistory()).isEqualTo(source.epochHistory());
        assertThat(copy.lastSequence(PID)).isEqualTo(source.lastSequence(PID)).isPositive();
        // The index finds a batch in the middle of the run.
        long middle = source.logEndOffset() / 2;
        assertThat(readFrom(copy, middle)).extracting(Record::offset)
                .containsExactlyElementsOf(readFrom(source, middle).stream().map(Record::offset).toList());
    }

    @Test
    void aRunIsWrittenOnceAndLeavesTheSourcesBatchesEpochsAndProducers() throws IOException {
        writeSource(LogConfig.from(config(LogConfig.INDEX_INTERVAL_BYTES, "200")));
        PartitionLog copy = open(LogConfig.from(config(LogConfig.INDEX_INTERVAL_BYTES, "200")));
        List<RecordBatch> run = answer();
        assertThat(run).hasSize(30);

        copy.appendCopied(run);

        assertThat(copy.segmentCount()).isEqualTo(1);
        assertSameLog(copy);
        copy.closeAbruptly();
        PartitionLog reopened = open(LogConfig.from(config(LogConfig.INDEX_INTERVAL_BYTES, "200")));
        assertSameLog(reopened);
    }

    @Test
    void aRunLargerThanASegmentGoesBatchByBatchAcrossSegments() throws IOException {
        writeSource(smallSegments());
        PartitionLog copy = open(smallSegments());
        List<RecordBatch> run = answer();

        copy.appendCopied(run);

        assertThat(copy.segmentCount()).isGreaterThan(3).isEqualTo(source.segmentCount());
        assertSameLog(copy);
        copy.closeAbruptly();
        assertSameLog(open(smallSegments()));
    }

    @Test
    void aRunThatDoesNotStartAtTheLogEndOrLeavesAGapIsRefusedWhole() throws IOException {
        writeSource(LogConfig.from(config()));
        PartitionLog copy = open(LogConfig.from(config()));
        List<RecordBatch> run = answer();
        copy.appendCopied(run.subList(0, 2));
        long end = copy.logEndOffset();

        assertThatThrownBy(() -> copy.appendCopied(run.subList(3, 6))).isInstanceOf(IllegalArgumentException.class);
        List<RecordBatch> gap = new ArrayList<>(run.subList(2, 4));
        gap.add(run.get(5));
        assertThatThrownBy(() -> copy.appendCopied(gap)).isInstanceOf(IllegalArgumentException.class);

        assertThat(copy.logEndOffset()).isEqualTo(end);
        copy.appendCopied(run.subList(2, run.size()));
        assertSameLog(copy);
    }
}
