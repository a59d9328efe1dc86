package io.tributary.analytics.engine;

import java.util.List;

/**
 * One output column: {@code function} over the value at {@code field} (a JSON Pointer; null for
 * {@code count} of records), named {@code name}. {@code percentiles} (ranks in [0, 1]) only for
 * {@link AggregateFunction#PERCENTILES}.
 */
public record AggregateSpec(String name, AggregateFunction function, String field, List<Double> percentiles) {

    public AggregateSpec {
        percentiles = percentiles == null ? List.of() : List.copyOf(percentiles);
    }

    public AggregateSpec(String name, AggregateFunction function, String field) {
        this(name, function, field, List.of());
    }

    /** The key of a percentile rank in a result: 0.5 → {@code p50}, 0.999 → {@code p99.9}. */
    public static String label(double rank) {
        return "p" + java.math.BigDecimal.valueOf(rank * 100).stripTrailingZeros().toPlainString();
    }

    Accumulator newAccumulator() {
        return switch (function) {
            case COUNT -> new Accumulators.Count();
            case SUM -> new Accumulators.Sum();
            case AVG -> new Accumulators.Avg();
            case MIN -> new Accumulators.Extreme(true);
            case MAX -> new Accumulators.Extreme(false);
            case APPROX_DISTINCT -> new Accumulators.Distinct();
            case PERCENTILES -> new Accumulators.Percentiles(percentiles);
        };
    }
}
