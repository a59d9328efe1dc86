package io.tributary.ingest.fetch;

/** Where to read one partition from. */
public record FetchPosition(String topic, int partition, long offset) {
}
