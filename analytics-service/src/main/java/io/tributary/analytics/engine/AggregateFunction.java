package io.tributary.analytics.engine;

import java.util.Locale;

/** The aggregate functions a job may compute; names are lower-case on the wire ({@code approx_distinct}). */
public enum AggregateFunction {
    COUNT, SUM, AVG, MIN, MAX,
    /** HyperLogLog (DataSketches {@code HllSketch}, lgK 12: relative standard error about 1.6%). */
    APPROX_DISTINCT,
    /** Quantiles from a DataSketches {@code KllDoublesSketch} (k 200: rank error about 1.3%). */
    PERCENTILES;

    public static AggregateFunction parse(String text) {
        return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    /** Whether the function needs a field to read; {@code count} without one counts records. */
    public boolean needsField() {
        return this != COUNT;
    }
}
