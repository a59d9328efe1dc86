package io.tributary.ingest.kafka;

import java.util.List;

import io.tributary.ingest.log.BatchRegion;
import org.apache.kafka.common.record.BaseRecords;
import org.apache.kafka.common.record.RecordsSend;

/**
 * The records of one partition of a Fetch answer: the log's stored batches as regions of their
 * segment files, and the bytes they take in Kafka's layout ({@link KafkaBatches#kafkaSize}, summed).
 * {@link ResponseWriter} writes each batch's Kafka header into the answer's buffer and sends its
 * records from the file ({@link BatchFileRegion}), so a fetch copies no record through the heap.
 */
record StoredBatchesRecords(List<BatchRegion> batches, int sizeInBytes) implements BaseRecords {

    /** The bytes that go from the segment files rather than from the answer's buffer: all but the Kafka headers. */
    int fileBytes() {
        return sizeInBytes - batches.size() * KafkaBatches.KAFKA_HEADER_SIZE;
    }

    @Override
    public RecordsSend<? extends BaseRecords> toSend() {
        throw new UnsupportedOperationException("stored batches are written by ResponseWriter");
    }
}
