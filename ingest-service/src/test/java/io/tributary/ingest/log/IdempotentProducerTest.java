package io.tributary.ingest.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class IdempotentProducerTest extends LogTestSupport {

    private static final long PID = 7;

    private static ProducerBatch producer(short epoch, int sequence) {
        return ProducerBatch.startingAt(PID, epoch, sequence);
    }

    @Test
    void shouldReturnOriginalOffsetsForARetryOfAnyOfTheLastFiveBatches() {
        PartitionLog log = open(smallSegments());
        List<List<LogRecord>> batches = new ArrayList<>();
        List<AppendResult> results = new ArrayList<>();
        for (int b = 0; b < 8; b++) {
            List<LogRecord> records = records(2, "b" + b, 100 + b * 10);
            batches.add(records);
            results.add(log.append(records, producer((short) 0, b * 2), 0));
        }
        long end = log.logEndOffset();
        for (int b = 3; b < 8; b++) {
            AppendResult retry = log.append(batches.get(b), producer((short) 0, b * 2), 0);
            assertThat(retry.duplicate()).as("retry of batch %d", b).isTrue();
            assertThat(retry.baseOffset()).isEqualTo(results.get(b).baseOffset());
            assertThat(retry.timestamps()).containsExactly(100 + b * 10, 101 + b * 10);
        }
        assertThat(log.logEndOffset()).isEqualTo(end);
        assertThat(readAll(log)).hasSize((int) end);

        assertThatThrownBy(() -> log.append(batches.get(2), producer((short) 0, 4), 0))
                .isInstanceOf(DuplicateSequenceException.class);
        assertThat(log.logEndOffset()).isEqualTo(end);
    }

    @Test
    void shouldAcceptAGapInSequences() {
        PartitionLog log = open(smallSegments());
        log.append(records(2, "a", 1), producer((short) 0, 0), 0);
        AppendResult gap = log.append(records(2, "b", 2), producer((short) 0, 100), 0);
        assertThat(gap.duplicate()).isFalse();
        assertThat(gap.baseOffset()).isEqualTo(2);
    }

    @Test
    void shouldRejectAnOverlapThatIsNotARetry() {
        PartitionLog log = open(smallSegments());
        log.append(records(3, "a", 1), producer((short) 0, 0), 0); // 0..2
        log.append(records(3, "b", 1), producer((short) 0, 3), 0); // 3..5
        assertThatThrownBy(() -> log.append(records(2, "c", 1), producer((short) 0, 5), 0))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThatThrownBy(() -> log.append(records(2, "c", 1), producer((short) 0, 3), 0))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThatThrownBy(() -> log.append(records(1, "c", 1), producer((short) 0, 2), 0))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(log.logEndOffset()).isEqualTo(6);
    }

    @Test
    void shouldFenceAStaleEpoch() {
        PartitionLog log = open(smallSegments());
        log.append(records(1, "a", 1), producer((short) 2, 0), 0);
        assertThatThrownBy(() -> log.append(records(1, "b", 1), producer((short) 1, 1), 0))
                .isInstanceOf(ProducerFencedException.class);
        assertThat(log.logEndOffset()).isEqualTo(1);
    }

    @Test
    void shouldRequireIncreasingSequencesFromANewerEpochToo() {
        PartitionLog log = open(smallSegments());
        log.append(records(3, "a", 1), producer((short) 0, 0), 0); // 0..2
        log.append(records(3, "b", 1), producer((short) 0, 3), 0); // 3..5

        // A new epoch re-sending sequences 0..2 is not a retry of the old epoch's batch: its data would be lost.
        assertThatThrownBy(() -> log.append(records(3, "new", 1), producer((short) 1, 0), 0))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThatThrownBy(() -> log.append(records(3, "new", 1), producer((short) 1, 3), 0))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(log.logEndOffset()).isEqualTo(6);

        AppendResult next = log.append(records(1, "new", 1), producer((short) 1, 6), 0);
        assertThat(next.duplicate()).isFalse();
        assertThat(next.baseOffset()).isEqualTo(6);
        // and the old epoch is now fenced
        assertThatThrownBy(() -> log.append(records(1, "old", 1), producer((short) 0, 7), 0))
                .isInstanceOf(ProducerFencedException.class);
        // a retry within the new epoch is still recognised
        AppendResult retry = log.append(records(1, "new", 1), producer((short) 1, 6), 0);
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.baseOffset()).isEqualTo(6);
    }

    @Test
    void shouldKeepProducersIndependent() {
        PartitionLog log = open(smallSegments());
        log.append(records(2, "a", 1), ProducerBatch.startingAt(1, (short) 0, 0), 0);
        AppendResult other = log.append(records(2, "b", 1), ProducerBatch.startingAt(2, (short) 0, 0), 0);
        assertThat(other.duplicate()).isFalse();
        assertThat(other.baseOffset()).isEqualTo(2);
        assertThat(log.producerCount()).isEqualTo(2);
    }

    @Test
    void shouldRoundTripTheProducerSnapshot() throws Exception {
        ProducerStateTable table = new ProducerStateTable();
        for (int b = 0; b < 7; b++) {
            RecordBatch batch = BatchBuilder.build(records(2, "x", 1), PID, (short) 1, b * 2);
            batch.setBaseOffset(100 + b * 2);
            table.update(batch);
        }
        java.nio.file.Path file = dir.resolve("snap.producers");
        table.writeSnapshot(file);
        ProducerStateTable loaded = new ProducerStateTable();
        loaded.loadSnapshot(file);
        assertThat(loaded.check(PID, (short) 1, 12, 13))
                .isEqualTo(new ProducerStateTable.Duplicate(new ProducerStateTable.BatchMetadata(12, 13, 112, 113)));
        assertThat(loaded.check(PID, (short) 1, 14, 15)).isInstanceOf(ProducerStateTable.Append.class);
        assertThatThrownBy(() -> loaded.check(PID, (short) 1, 0, 1)).isInstanceOf(DuplicateSequenceException.class);

        byte[] bytes = java.nio.file.Files.readAllBytes(file);
        bytes[5] ^= 1;
        java.nio.file.Files.write(file, bytes);
        assertThatThrownBy(() -> new ProducerStateTable().loadSnapshot(file)).isInstanceOf(CorruptRecordException.class);
    }
}
