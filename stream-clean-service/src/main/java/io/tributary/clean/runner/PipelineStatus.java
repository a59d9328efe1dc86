package io.tributary.clean.runner;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tributary.clean.pipeline.PipelineState;

/** What a pipeline is doing on this instance. */
@Schema(description = "Run state and counts of a pipeline on this instance")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PipelineStatus(String name,
                             @Schema(description = "What the user asked for") PipelineState requested,
                             @Schema(description = "RUNNING, PAUSED, STOPPED, WAITING_FOR_SOURCE, INGEST_UNAVAILABLE "
                                     + "or FAILING (see lastError)") String state,
                             long revision, int workers, Counts records, List<StepCounts> steps,
                             List<PartitionLag> partitions, LastError lastError,
                             @Schema(description = "Which incarnation (topic id) of the source topic the pipeline "
                                     + "reads, and the last time it saw the source deleted and re-created")
                             SourceIncarnation sourceIncarnation) {

    /**
     * Records since this instance started; {@code in = out + filtered + deduplicated + deadLettered}.
     * {@code alreadyWritten}: outputs (among out and deadLettered) skipped because the log held
     * them already, after a crash or a takeover. {@code refused}: outputs (among out) the sink
     * refused for themselves (larger than its {@code max.message.bytes}, invalid there), written to
     * the dead letters instead. {@code valueOmitted}: dead letters the dead-letter topic refused too,
     * written as an envelope without the value. {@code perSecond}: records in per second over the
     * last ten seconds.
     */
    public record Counts(long in, long out, long filtered, long deduplicated, long deadLettered, long alreadyWritten,
                         long refused, long valueOmitted, double perSecond) {
    }

    /** Records that reached a step, and how many of them it filtered, deduplicated or dead-lettered. */
    public record StepCounts(String step, long in, long filtered, long deduplicated, long deadLettered) {
    }

    /** A source partition this instance owns: what it committed and how far behind the log end it is. */
    public record PartitionLag(int partition, long committedOffset, long highWatermark, long lag) {
    }

    public record LastError(String message, Instant at) {
    }

    /**
     * The source topic's id the pipeline reads now; after the source was deleted and re-created,
     * the id it read before and when it switched (it then read the new topic from its beginning
     * with a new group, producer identity and dedupe state).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SourceIncarnation(String topicId, String previousTopicId, Instant changedAt) {
    }
}
