package io.tributary.analytics.engine;

import java.util.List;

/**
 * What one batch produced.
 *
 * @param rows        rows to write to the result table (insert or replace by key)
 * @param removed     keys whose rows must be deleted (session windows merged into a larger one)
 * @param inputRows   records given to the batch
 * @param filtered    records the filter skipped
 * @param invalidRows records without a readable event time (skipped)
 * @param lateRows    records whose every window was already closed by the watermark (dropped)
 * @param watermark   the watermark after the batch, {@link Long#MIN_VALUE} before any event
 * @param stateRows   windows held in state after the batch
 */
public record BatchResult(List<ResultRow> rows, List<StateKey> removed, long inputRows, long filtered,
                          long invalidRows, long lateRows, long watermark, long stateRows) {
}
