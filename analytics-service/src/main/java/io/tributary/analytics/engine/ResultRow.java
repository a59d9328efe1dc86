package io.tributary.analytics.engine;

import java.util.Map;

/** An emitted row: its key and the aggregate values by output name (insertion-ordered). */
public record ResultRow(StateKey key, Map<String, Object> values) {
}
