package io.tributary.ingest.log;

import java.util.List;

/**
 * Batches read from a partition, all below the high watermark at the time of the read. The
 * first batch may start before the requested offset: callers skip records below it.
 */
public record FetchResult(List<RecordBatch> batches, long highWatermark, long logStartOffset, long logEndOffset) {

    public boolean isEmpty() {
        return batches.isEmpty();
    }
}
