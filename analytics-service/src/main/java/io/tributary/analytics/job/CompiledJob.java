package io.tributary.analytics.job;

import java.time.Duration;

import io.tributary.analytics.engine.EngineSpec;

/**
 * A validated definition in the form the runner uses.
 *
 * @param fromEarliest  where to begin without a checkpoint
 * @param availableNow  drain to the end seen at start, then complete
 * @param interval      processing-time trigger: the longest a batch waits for data
 * @param join          null without a join
 * @param outputTopic   where emitted rows are published; null for none
 * @param runsOn        what computes the job
 */
public record CompiledJob(String name, String source, boolean fromEarliest, EngineSpec engine,
                          boolean availableNow, Duration interval, Join join, String outputTopic, JobEngine runsOn) {

    /**
     * A join; null when the job has none.
     *
     * @param fromTopic true: the latest value per key of the topic {@code source}; false: the
     *                  rows of the reference table {@code source}
     */
    public record Join(boolean fromTopic, String source, String key, String target, boolean dropMissing) {
    }
}
