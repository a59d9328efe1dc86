package io.tributary.client.producer;

/**
 * Where a produced record landed.
 *
 * <p>{@code offset} and {@code timestamp} are {@value #UNKNOWN} when the service reported the
 * batch as an old duplicate ({@code duplicate-sequence}): the record is in the log, but its
 * offset is no longer known.
 */
public record RecordMetadata(String topic, int partition, long offset, long timestamp) {

    public static final long UNKNOWN = -1;

    public boolean hasOffset() {
        return offset != UNKNOWN;
    }
}
