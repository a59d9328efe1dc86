package io.tributary.analytics.store;

import java.util.Map;

import io.tributary.analytics.engine.BatchResult;

/**
 * Everything one batch commits at once.
 *
 * @param startOffsets next offset per partition before the batch
 * @param endOffsets   next offset per partition after it (the new checkpoint)
 * @param state        the engine snapshot after the batch
 * @param sourceTopicId the id of the source topic the offsets belong to (null from an ingest
 *                      service older than topic ids)
 */
public record CommittedBatch(String jobName, long batchId, Map<Integer, Long> startOffsets,
                             Map<Integer, Long> endOffsets, BatchResult result, byte[] state, long fetchMs,
                             long computeMs, long batchStartNanos, String sourceTopicId) {

    public CommittedBatch {
        startOffsets = Map.copyOf(startOffsets);
        endOffsets = Map.copyOf(endOffsets);
    }
}
