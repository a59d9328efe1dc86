package io.tributary.analytics.job;

import java.time.Duration;

import io.tributary.analytics.engine.EngineSpec;

/**
 * A validated definition in the form the runner uses.
 *
 * @param fromEarliest  where to begin without a checkpoint
 * @param availableNow  drain to the end seen at start, then complete
 * @param interval      processing-time trigger: the longest a batch waits for data
 */
public record CompiledJob(String name, String source, boolean fromEarliest, EngineSpec engine,
                          boolean availableNow, Duration interval) {
}
