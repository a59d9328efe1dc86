package io.tributary.analytics.job;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/**
 * A job definition as clients send it, and as it is stored. Durations are ISO-8601
 * ({@code PT1M}); fields are JSON Pointers ({@code /customer/country}).
 *
 * @param startingOffsets where a job without a checkpoint begins: {@code earliest} (default) or {@code latest}
 * @param watermark       how far behind the largest event time the watermark trails (default {@code PT0S})
 * @param window          null: a running aggregate per group
 * @param trigger         default: processing time, {@code PT1S}
 * @param outputMode      {@code append}, {@code update} (default) or {@code complete}
 * @param output          optional: also publish each batch's emitted rows to a topic
 * @param engine          {@code builtin} (default) or {@code spark}: what computes the job (docs/spark.md)
 */
public record JobRequest(
        @NotBlank @Pattern(regexp = "[a-zA-Z0-9._-]{1,100}", message = "1-100 characters of [a-zA-Z0-9._-]") String name,
        @NotBlank String source,
        @Pattern(regexp = "earliest|latest") String startingOffsets,
        @NotBlank String eventTime,
        String watermark,
        @Valid WindowRequest window,
        List<@NotBlank String> groupBy,
        @NotEmpty List<@NotNull @Valid AggregationRequest> aggregations,
        String filter,
        @Valid JoinRequest join,
        @Valid TriggerRequest trigger,
        @Pattern(regexp = "append|update|complete") String outputMode,
        @Valid OutputRequest output,
        @Pattern(regexp = "builtin|spark") String engine) {

    /** @param topic an existing topic that receives each committed batch's emitted rows, exactly once */
    public record OutputRequest(@NotBlank @Pattern(regexp = "[a-zA-Z0-9._-]{1,249}",
            message = "1-249 characters of [a-zA-Z0-9._-]") String topic) {
    }

    /** @param type {@code tumbling} (size), {@code sliding} (size, slide) or {@code session} (gap) */
    public record WindowRequest(@NotBlank @Pattern(regexp = "tumbling|sliding|session") String type,
                                String size, String slide, String gap) {
    }

    /**
     * @param function    count, sum, avg, min, max, approx_distinct or percentiles
     * @param field       the value to aggregate; optional for count (then records are counted)
     * @param percentiles ranks in [0, 1] for {@code percentiles}, e.g. {@code [0.5, 0.99]}
     */
    public record AggregationRequest(@NotBlank @Pattern(regexp = "[a-zA-Z0-9_]{1,64}") String name,
                                     @NotBlank String function, String field, List<Double> percentiles) {
    }

    /**
     * Joins each record, before the filter and the aggregation, with a row looked up by the text of
     * the field at {@code key}: either the latest value per record key of another topic (a "table"
     * topic, e.g. user profiles keyed by user id) or a row of a reference table of
     * stream-clean-service (e.g. country facts keyed by country code).
     *
     * @param type    {@code topic} or {@code reference-table}
     * @param topic   for {@code topic}: the table topic; its record keys are matched, a null value deletes the key
     * @param table   for {@code reference-table}: the table's name in stream-clean-service
     * @param key     JSON Pointer to the field of the record whose text is looked up
     * @param target  JSON Pointer where the joined value is put (parents are created)
     * @param missing {@code keep} (default: the record goes on without the field) or {@code drop}
     */
    public record JoinRequest(@NotBlank @Pattern(regexp = "topic|reference-table") String type, String topic,
                              String table, @NotBlank String key, @NotBlank String target,
                              @Pattern(regexp = "keep|drop") String missing) {
    }

    /** @param type {@code processing-time} (every {@code interval} at most) or {@code available-now} */
    public record TriggerRequest(@NotBlank @Pattern(regexp = "processing-time|available-now") String type,
                                 String interval) {
    }

    /** The same definition with defaults filled in. */
    JobRequest withDefaults() {
        return new JobRequest(name, source, startingOffsets == null ? "earliest" : startingOffsets, eventTime,
                watermark == null ? "PT0S" : watermark, window, groupBy == null ? List.of() : groupBy, aggregations,
                filter == null || filter.isBlank() ? null : filter,
                join == null || join.missing() != null ? join
                        : new JoinRequest(join.type(), join.topic(), join.table(), join.key(), join.target(), "keep"),
                trigger == null ? new TriggerRequest("processing-time", "PT1S") : trigger,
                outputMode == null ? "update" : outputMode, output, engine == null ? "builtin" : engine);
    }
}
