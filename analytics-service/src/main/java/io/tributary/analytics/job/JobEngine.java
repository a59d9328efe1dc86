package io.tributary.analytics.job;

import java.util.Locale;

/** What computes a job: {@code builtin} (this service's own micro-batch engine, the default) or {@code spark}. */
public enum JobEngine {
    BUILTIN,
    /** A Spark Structured Streaming query translated from the same definition (docs/spark.md). */
    SPARK;

    static JobEngine parse(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
