package io.tributary.analytics.spark;

import java.util.List;
import java.util.Map;

/**
 * A spark job as its driver runs it (analytics-spark's {@code SparkPlan}, which the driver fetches as JSON from
 * {@code GET /internal/spark/jobs/{name}/plan}): the definition translated into Spark SQL over the record's variant
 * {@code _v}, plus where to read and checkpoint. The field meanings are documented on the driver's side, which must accept what
 * this writes; both are checked together by analytics-spark's tests.
 */
record SparkPlan(String job, Map<String, String> kafka, String topic, String startingOffsets,
                 String checkpointLocation, boolean freshCheckpoint, String filter, String eventTime,
                 List<String> groups, String window, String watermark, List<Aggregate> aggregates,
                 String outputMode, boolean availableNow, long triggerIntervalMs, Join join, long runCheckMs,
                 long orphanedAfterMs) {

    /**
     * A join before the filter: the record's key text ({@code key}, SQL over {@code _v}) matched against the
     * latest value per record key of {@code topic}, or against {@code rows} (a reference table's, as read when the
     * driver started); the match is the variant column {@code _j}.
     */
    record Join(String key, String topic, List<TableRow> rows, boolean dropMissing) {
    }

    /** @param value the row as JSON text */
    record TableRow(String key, String value) {
    }

    /** @param labels the result keys of a percentile aggregate's ranks ({@code p50}); empty for the others */
    record Aggregate(String name, String sql, List<String> labels) {
    }
}
