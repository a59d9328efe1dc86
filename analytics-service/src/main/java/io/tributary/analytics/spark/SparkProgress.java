package io.tributary.analytics.spark;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

import io.tributary.analytics.store.BatchProgress;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Spark {@code StreamingQueryProgress} (its JSON) as the builtin engine's progress row: fetch = Spark's
 * {@code latestOffset} + {@code getBatch}, compute = {@code queryPlanning} + {@code addBatch} (which includes
 * the commit of the rows to this service), commit = {@code walCommit} + {@code commitOffsets}; late rows =
 * the state operators' {@code numRowsDroppedByWatermark}, state rows their {@code numRowsTotal}; the watermark
 * null until Spark has one (it reports the epoch).
 */
final class SparkProgress {

    private SparkProgress() {
    }

    static BatchProgress of(String job, JsonNode progress, JsonMapper json) {
        BatchProgress row = new BatchProgress();
        row.jobName = job;
        row.batchId = progress.path("batchId").asLong();
        row.timestamp = instant(progress.path("timestamp").asString(null), Instant.now());
        row.inputRows = progress.path("numInputRows").asLong();
        row.inputRowsPerSecond = number(progress.path("inputRowsPerSecond"));
        row.processedRowsPerSecond = number(progress.path("processedRowsPerSecond"));
        JsonNode durations = progress.path("durationMs");
        row.fetchMs = durations.path("latestOffset").asLong() + durations.path("getBatch").asLong();
        row.computeMs = durations.path("queryPlanning").asLong() + durations.path("addBatch").asLong();
        row.commitMs = durations.path("walCommit").asLong() + durations.path("commitOffsets").asLong();
        Instant watermark = instant(progress.path("eventTime").path("watermark").asString(null), null);
        row.watermark = watermark == null || watermark.toEpochMilli() == 0 ? null : watermark.toEpochMilli();
        for (JsonNode operator : progress.path("stateOperators")) {
            row.lateRows += operator.path("numRowsDroppedByWatermark").asLong();
            row.stateRows += operator.path("numRowsTotal").asLong();
        }
        JsonNode source = progress.path("sources").path(0);
        row.startOffsets = offsets(source.path("startOffset"), json);
        row.endOffsets = offsets(source.path("endOffset"), json);
        return row;
    }

    /** Spark's {@code {"topic": {"0": 12, "1": 9}}} as the builtin engine's {@code {"0": 12, "1": 9}}. */
    private static String offsets(JsonNode byTopic, JsonMapper json) {
        Map<Integer, Long> offsets = new TreeMap<>();
        if (byTopic.isObject()) {
            for (JsonNode partitions : byTopic) {
                for (Map.Entry<String, JsonNode> partition : partitions.properties()) {
                    offsets.put(Integer.valueOf(partition.getKey()), partition.getValue().asLong());
                }
            }
        }
        return json.writeValueAsString(offsets);
    }

    private static double number(JsonNode node) {
        return node.isNumber() ? node.asDouble() : 0;
    }

    private static Instant instant(String text, Instant otherwise) {
        try {
            return text == null ? otherwise : Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            return otherwise;
        }
    }
}
