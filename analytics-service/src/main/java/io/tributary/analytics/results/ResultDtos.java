package io.tributary.analytics.results;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/** Response bodies of the results and progress endpoints. */
final class ResultDtos {

    private ResultDtos() {
    }

    /**
     * @param group       group-by values by their JSON Pointer
     * @param windowStart null for a job without windows
     * @param values      aggregate values by output name
     * @param batchId     the batch that last wrote the row
     */
    record ResultView(Map<String, String> group, Instant windowStart, Instant windowEnd, JsonNode values,
                      long batchId) {
    }

    record ResultPage(List<ResultView> rows, int page, int size, long totalRows) {
    }

    /** Like Spark's StreamingQueryProgress; durations in ms, watermark null before the first event. */
    record ProgressView(long batchId, Instant timestamp, JsonNode startOffsets, JsonNode endOffsets, long inputRows,
                        double inputRowsPerSecond, double processedRowsPerSecond, Map<String, Long> durationMs,
                        Instant watermark, long lateRows, long filteredRows, long invalidRows, long emittedRows,
                        long stateRows) {
    }

    record ProgressPage(String job, String status, List<ProgressView> batches, int page, int size, long totalBatches) {
    }
}
