package io.tributary.client;

/** An offset lookup answer; {@code timestamp} is -1 when the server did not send one. */
public record PartitionOffset(int partition, long offset, long timestamp) {
}
