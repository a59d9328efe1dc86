package io.tributary.analytics.engine;

/** Which rows a batch emits, as in Spark Structured Streaming. */
public enum OutputMode {
    /** Only windows the watermark has closed, each exactly once; their state is then dropped. */
    APPEND,
    /** Rows changed by this batch; windows closed by the watermark are then dropped from state. */
    UPDATE,
    /** Every row, every batch; state is never dropped. */
    COMPLETE
}
