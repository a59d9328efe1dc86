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

    /**
     * True when a read from {@code offset} of at most {@code maxRecords} stopped at the high
     * watermark rather than at one of its limits: on a follower its answer may then lack records
     * its leader already acknowledged (read your writes needs the read barrier first).
     */
    public boolean endsAtHighWatermark(long offset, long maxRecords) {
        long end = batches.isEmpty() ? offset : batches.get(batches.size() - 1).nextOffset();
        return end >= highWatermark && end - offset < maxRecords;
    }
}
