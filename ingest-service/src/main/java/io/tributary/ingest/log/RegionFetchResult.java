package io.tributary.ingest.log;

import java.util.List;

/**
 * Like {@link FetchResult}, batches read from a partition below the high watermark at the time of
 * the read, as regions of their segment files ({@link BatchRegion}) rather than bytes on the heap.
 * The first may start before the requested offset.
 */
public record RegionFetchResult(List<BatchRegion> regions, long highWatermark, long logStartOffset,
                                long logEndOffset) {

    /** True when the read stopped at the high watermark rather than at its byte limit. */
    boolean endsAtHighWatermark(long offset) {
        long end = regions.isEmpty() ? offset : regions.get(regions.size() - 1).nextOffset();
        return end >= highWatermark;
    }
}
