package io.tributary.ingest.kafka;

import java.util.List;

import io.tributary.ingest.log.BatchRegion;
import io.tributary.ingest.log.RecordBatch;
import org.apache.kafka.common.record.BaseRecords;
import org.apache.kafka.common.record.RecordsSend;

/**
 * The records of one partition of a follower's Fetch answer on the replication listener: the log's
 * stored batches whole, in the log's own layout ({@link RecordBatch}: header and records as the
 * segment holds them, not Kafka's), which the follower appends as they are. {@link ResponseWriter}
 * sends each run of batches that lie back to back in one segment file as one region of it.
 */
record StoredLogRecords(List<BatchRegion> batches, int sizeInBytes) implements BaseRecords {

    static StoredLogRecords of(List<BatchRegion> batches) {
        int size = 0;
        for (BatchRegion b : batches) {
            size += b.sizeInBytes();
        }
        return new StoredLogRecords(List.copyOf(batches), size);
    }

    @Override
    public RecordsSend<? extends BaseRecords> toSend() {
        throw new UnsupportedOperationException("stored batches are written by ResponseWriter");
    }
}
