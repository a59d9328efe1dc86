package io.tributary.client;

import java.util.List;

/**
 * The answer to a partition fetch.
 *
 * @param nextOffset the offset to fetch next
 */
public record FetchResult(List<ConsumedRecord> records, long nextOffset, long highWatermark) {

    public FetchResult {
        records = List.copyOf(records);
    }
}
