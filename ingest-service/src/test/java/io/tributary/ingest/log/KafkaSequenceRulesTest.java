package io.tributary.ingest.log;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Batches marked with contiguous sequences (written through the Kafka listener) follow Kafka's
 * idempotence rules, on the log's real append path. The case that matters: with several batches in
 * flight, one fails and is sent again after later ones; the later ones must be refused as out of
 * order (and sent again in order), never the failed one skipped as a duplicate.
 */
class KafkaSequenceRulesTest extends LogTestSupport {

    private static final long PID = 11;

    private static ProducerBatch kafka(short epoch, int baseSequence, int records) {
        return ProducerBatch.kafka(PID, epoch, baseSequence, records);
    }

    @Test
    void aBatchAfterAMissingOneIsOutOfOrderAndTheMissingOneIsWrittenWhenSentAgain() {
        PartitionLog log = open(smallSegments());
        log.append(records(10, "a", 1), kafka((short) 0, 0, 10), 0);
        // Batch 10..19 failed before it reached the log; 20..29 arrives first.
        assertThatThrownBy(() -> log.append(records(10, "c", 3), kafka((short) 0, 20, 10), 0))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(log.logEndOffset()).isEqualTo(10);
        AppendResult missing = log.append(records(10, "b", 2), kafka((short) 0, 10, 10), 0);
        assertThat(missing.duplicate()).isFalse();
        assertThat(missing.baseOffset()).isEqualTo(10);
        AppendResult later = log.append(records(10, "c", 3), kafka((short) 0, 20, 10), 0);
        assertThat(later.baseOffset()).isEqualTo(20);
        // A retry of a remembered batch still gets its offsets back.
        AppendResult retry = log.append(records(10, "b", 2), kafka((short) 0, 10, 10), 0);
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.baseOffset()).isEqualTo(10);
        assertThat(log.logEndOffset()).isEqualTo(30);
    }

    @Test
    void aNewEpochStartsAtZeroAndOldEpochsAreFenced() {
        PartitionLog log = open(smallSegments());
        log.append(records(5, "a", 1), kafka((short) 0, 0, 5), 0);
        assertThatThrownBy(() -> log.append(records(5, "b", 2), kafka((short) 1, 5, 5), 0))
                .isInstanceOf(OutOfOrderSequenceException.class).hasMessageContaining("starts at 0");
        assertThat(log.append(records(5, "b", 2), kafka((short) 1, 0, 5), 0).baseOffset()).isEqualTo(5);
        assertThatThrownBy(() -> log.append(records(5, "c", 3), kafka((short) 0, 5, 5), 0))
                .isInstanceOf(ProducerFencedException.class);
    }

    @Test
    void sequencesWrapFromIntMaxToZero() {
        PartitionLog log = open(smallSegments());
        // An unknown producer may start anywhere (its state may have expired): here just below the wrap.
        log.append(records(3, "a", 1), kafka((short) 0, Integer.MAX_VALUE - 2, 3), 0);
        assertThatThrownBy(() -> log.append(records(2, "x", 2), kafka((short) 0, Integer.MAX_VALUE, 2), 0))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(log.append(records(2, "b", 2), kafka((short) 0, 0, 2), 0).baseOffset()).isEqualTo(3);
    }

    @Test
    void theMarkSurvivesInTheStoredBatchAndTheLogsOwnRulesStayForOthers() {
        PartitionLog log = open(smallSegments());
        log.append(records(2, "a", 1), kafka((short) 0, 0, 2), 0);
        log.append(records(2, "n", 1), ProducerBatch.startingAt(PID + 1, (short) 0, 0), 0);
        List<RecordBatch> stored = log.read(0, 1 << 20).batches();
        assertThat(stored.get(0).contiguousSequences()).isTrue();
        stored.get(0).ensureValid(); // the CRC covers the attribute
        assertThat(stored.get(1).contiguousSequences()).isFalse();
        // The log's rules allow a gap for the producer that is not marked.
        assertThat(log.append(records(2, "g", 2), ProducerBatch.startingAt(PID + 1, (short) 0, 100), 0).duplicate())
                .isFalse();
    }
}
