package io.tributary.clean.step.dedupe;

/**
 * Where a remembered key was first seen: the source offset and the record timestamp (epoch
 * millis) of its first occurrence.
 */
public record SeenKey(KeyHash key, long firstOffset, long firstTimestamp) {
}
