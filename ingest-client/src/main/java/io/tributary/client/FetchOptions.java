package io.tributary.client;

import java.time.Duration;

/**
 * Limits for one partition fetch.
 *
 * @param maxWait how long the server may hold the request open when there is nothing to return
 */
public record FetchOptions(int maxRecords, int maxBytes, Duration maxWait) {

    /** 500 records, 1 MiB, no waiting. */
    public static FetchOptions defaults() {
        return new FetchOptions(500, 1 << 20, Duration.ZERO);
    }

    public FetchOptions withMaxWait(Duration wait) {
        return new FetchOptions(maxRecords, maxBytes, wait);
    }

    public FetchOptions withMaxRecords(int records) {
        return new FetchOptions(records, maxBytes, maxWait);
    }
}
