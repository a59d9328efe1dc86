package io.tributary.ingest.kafka;

import java.util.List;

import io.tributary.ingest.log.RecordBatch;
import org.apache.kafka.common.record.BaseRecords;
import org.apache.kafka.common.record.RecordsSend;

/**
 * The records of one partition of a Fetch answer: the log's stored batches, not yet in Kafka's
 * layout, and the bytes they take in it ({@link KafkaBatches#kafkaSize}, summed). {@link ResponseWriter}
 * writes each one in Kafka's layout straight into the answer's buffer ({@link KafkaBatches#writeKafka}),
 * so a fetch allocates no buffer of its own for them.
 */
record StoredBatchesRecords(List<RecordBatch> batches, int sizeInBytes) implements BaseRecords {

    @Override
    public RecordsSend<? extends BaseRecords> toSend() {
        throw new UnsupportedOperationException("stored batches are written by ResponseWriter");
    }
}
