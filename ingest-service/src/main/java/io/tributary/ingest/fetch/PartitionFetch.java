package io.tributary.ingest.fetch;

import java.util.List;

import io.tributary.ingest.log.Record;

/**
 * Records read from one partition.
 *
 * @param nextOffset    where the next fetch should start (after the last record returned, or
 *                      the requested offset when nothing was returned)
 * @param highWatermark the partition's high watermark at the time of the read
 * @param binaryValues  the topic's values are any bytes ({@code value.format=binary}), not JSON
 */
public record PartitionFetch(String topic, int partition, List<Record> records, long nextOffset, long highWatermark,
                             boolean binaryValues) {

    public PartitionFetch(String topic, int partition, List<Record> records, long nextOffset, long highWatermark) {
        this(topic, partition, records, nextOffset, highWatermark, false);
    }
}
