package io.tributary.client.producer;

import java.util.Objects;

/**
 * A record with the sequence its writer derived for it, e.g. the offset of the source record it
 * was computed from. Sent with {@link IngestProducer#sendSequenced}.
 *
 * @param sequence non-negative; must increase within one request
 */
public record SequencedRecord(ProducerRecord record, long sequence) {

    public SequencedRecord {
        Objects.requireNonNull(record, "record");
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must not be negative, was " + sequence);
        }
    }
}
