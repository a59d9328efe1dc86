package io.tributary.ingest.api;

import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.problem.InvalidRequestException;

/**
 * Validated fetch parameters with the service's defaults and caps applied; shared by the
 * partition fetch and the group poll.
 */
public record FetchLimits(int maxRecords, int maxBytes, long maxWaitMs) {

    public static final int MAX_RECORDS = 100_000;

    /** @throws IllegalArgumentException for a non-positive size or a negative wait */
    public static FetchLimits of(Integer maxRecords, Integer maxBytes, long maxWaitMs, IngestProperties.Fetch fetch) {
        int records = maxRecords == null ? fetch.defaultMaxRecords() : maxRecords;
        int bytes = maxBytes == null ? fetch.defaultMaxBytes() : maxBytes;
        if (records < 1 || records > MAX_RECORDS) {
            throw new InvalidRequestException("maxRecords must be between 1 and " + MAX_RECORDS + ", was " + records);
        }
        if (bytes < 1 || bytes > fetch.maxBytes()) {
            throw new InvalidRequestException("maxBytes must be between 1 and " + fetch.maxBytes() + ", was " + bytes);
        }
        if (maxWaitMs < 0) {
            throw new InvalidRequestException("maxWaitMs must not be negative, was " + maxWaitMs);
        }
        return new FetchLimits(records, bytes, Math.min(maxWaitMs, fetch.maxWait().toMillis()));
    }
}
