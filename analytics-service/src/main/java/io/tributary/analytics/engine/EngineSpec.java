package io.tributary.analytics.engine;

import java.util.List;
import java.util.Objects;

import io.tributary.expressions.SandboxedExpression;

/**
 * What a job computes, independent of where records come from.
 *
 * @param eventTime        JSON Pointer to the event time
 * @param watermarkDelayMs how far behind the largest event time seen the watermark trails
 * @param window           window assignment
 * @param groupBy          JSON Pointers whose values form the group key
 * @param aggregates       output columns
 * @param filter           records for which it is false are skipped; null keeps all
 * @param outputMode       which rows each batch emits
 */
public record EngineSpec(String eventTime, long watermarkDelayMs, WindowSpec window, List<String> groupBy,
                         List<AggregateSpec> aggregates, SandboxedExpression filter, OutputMode outputMode) {

    public EngineSpec {
        Objects.requireNonNull(eventTime, "eventTime");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(outputMode, "outputMode");
        groupBy = List.copyOf(groupBy);
        aggregates = List.copyOf(aggregates);
        if (watermarkDelayMs < 0) {
            throw new IllegalArgumentException("watermark delay must not be negative");
        }
        if (outputMode == OutputMode.APPEND && window instanceof WindowSpec.None) {
            throw new IllegalArgumentException("append output needs a window: a running aggregate never closes");
        }
    }
}
