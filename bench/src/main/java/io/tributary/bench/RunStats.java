package io.tributary.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

import org.HdrHistogram.Histogram;

/**
 * What one measured run of the {@link LoadDriver} saw. Latencies are kept in microseconds in an
 * HdrHistogram (3 significant digits, up to 10 minutes). MB means 2^20 bytes, as in Kafka's
 * perf tools.
 *
 * @param payloadBytes   bytes of record values only
 * @param wireBytes      bytes of HTTP bodies (request bodies for produce, response bodies for fetch)
 * @param latencyMicros  per request: from the intended send time in fixed-rate mode, else from the send
 * @param serviceMicros  per request, from the actual send (equals latencyMicros except in fixed-rate mode)
 * @param driverCpuNanos CPU time the driver JVM used during the run
 * @param serverCpuNanos CPU time of the service during the run, -1 when unknown
 * @param truncated      the run hit --max-seconds before sending everything
 */
public record RunStats(String mode, int run, long records, long payloadBytes, long wireBytes, long elapsedNanos,
                       Histogram latencyMicros, Histogram serviceMicros, long errors, long driverCpuNanos,
                       long serverCpuNanos, String loadBefore, String loadAfter, boolean truncated) {

    public static final long HIGHEST_MICROS = 600_000_000L;
    static final double MB = 1024.0 * 1024.0;

    public static Histogram newHistogram() {
        return new Histogram(HIGHEST_MICROS, 3);
    }

    public double seconds() {
        return elapsedNanos / 1e9;
    }

    public double recordsPerSecond() {
        return elapsedNanos == 0 ? 0 : records / seconds();
    }

    public double payloadMBPerSecond() {
        return elapsedNanos == 0 ? 0 : payloadBytes / MB / seconds();
    }

    public double wireMBPerSecond() {
        return elapsedNanos == 0 ? 0 : wireBytes / MB / seconds();
    }

    /** A percentile (0-100) of the latency histogram in milliseconds. */
    public double latencyMs(double percentile) {
        return percentileMs(latencyMicros, percentile);
    }

    public double maxMs() {
        return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getMaxValue() / 1000.0;
    }

    static double percentileMs(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
    }

    /** Median of the values; the mean of the middle two for an even count. */
    public static double median(double... values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("median of nothing");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    static double medianOf(List<RunStats> runs, ToDoubleFunction<RunStats> metric) {
        return median(runs.stream().mapToDouble(metric).toArray());
    }

    /** The human-readable block printed after each run, ending with one machine-readable RESULT line. */
    public String summary(String title) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "=== %s ===%n", title));
        sb.append(String.format(Locale.ROOT, "records      %,d in %.3f s%s%s%n", records, seconds(),
                truncated ? "  (TRUNCATED by --max-seconds)" : "", errors > 0 ? "  errors: " + errors : ""));
        sb.append(String.format(Locale.ROOT, "throughput   %,.0f records/s   %.2f MB/s payload   %.2f MB/s HTTP bodies%n",
                recordsPerSecond(), payloadMBPerSecond(), wireMBPerSecond()));
        sb.append(String.format(Locale.ROOT,
                "latency ms   p50 %.2f   p99 %.2f   p99.9 %.2f   max %.2f   (%,d requests%s)%n",
                latencyMs(50), latencyMs(99), latencyMs(99.9), maxMs(), latencyMicros.getTotalCount(),
                mode.equals("fixed-rate") ? ", from intended send time" : ""));
        if (mode.equals("fixed-rate")) {
            sb.append(String.format(Locale.ROOT, "service ms   p50 %.2f   p99 %.2f   p99.9 %.2f   (from actual send)%n",
                    percentileMs(serviceMicros, 50), percentileMs(serviceMicros, 99),
                    percentileMs(serviceMicros, 99.9)));
        }
        sb.append(String.format(Locale.ROOT, "cpu          driver %.1f s (%.0f%% of a core)%s%n", driverCpuNanos / 1e9,
                100.0 * driverCpuNanos / Math.max(1, elapsedNanos),
                serverCpuNanos < 0 ? "" : String.format(Locale.ROOT, "   service %.1f s (%.0f%% of a core)",
                        serverCpuNanos / 1e9, 100.0 * serverCpuNanos / Math.max(1, elapsedNanos))));
        sb.append(String.format(Locale.ROOT, "load avg     %s -> %s%n", loadBefore, loadAfter));
        sb.append(String.format(Locale.ROOT,
                "RESULT mode=%s run=%d records=%d seconds=%.3f rps=%.0f mbps=%.2f p50_ms=%.2f p99_ms=%.2f "
                        + "p999_ms=%.2f max_ms=%.2f errors=%d%n",
                mode, run, records, seconds(), recordsPerSecond(), payloadMBPerSecond(), latencyMs(50), latencyMs(99),
                latencyMs(99.9), maxMs(), errors));
        return sb.toString();
    }

    /** The block printed after several runs: the median of each metric taken separately. */
    public static String medianSummary(String title, List<RunStats> runs) {
        StringBuilder sb = new StringBuilder();
        String mode = runs.get(0).mode();
        sb.append(String.format(Locale.ROOT, "=== %s: median of %d runs ===%n", title, runs.size()));
        sb.append("records/s    ");
        for (RunStats r : runs) {
            sb.append(String.format(Locale.ROOT, "%,.0f  ", r.recordsPerSecond()));
        }
        sb.append(String.format(Locale.ROOT, "-> median %,.0f%n", medianOf(runs, RunStats::recordsPerSecond)));
        sb.append(String.format(Locale.ROOT, "MB/s         median %.2f payload%n",
                medianOf(runs, RunStats::payloadMBPerSecond)));
        sb.append(String.format(Locale.ROOT, "latency ms   median p50 %.2f   p99 %.2f   p99.9 %.2f   max %.2f%n",
                medianOf(runs, r -> r.latencyMs(50)), medianOf(runs, r -> r.latencyMs(99)),
                medianOf(runs, r -> r.latencyMs(99.9)), medianOf(runs, RunStats::maxMs)));
        sb.append(String.format(Locale.ROOT,
                "MEDIAN mode=%s runs=%d rps=%.0f mbps=%.2f p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f%n",
                mode, runs.size(), medianOf(runs, RunStats::recordsPerSecond),
                medianOf(runs, RunStats::payloadMBPerSecond), medianOf(runs, r -> r.latencyMs(50)),
                medianOf(runs, r -> r.latencyMs(99)), medianOf(runs, r -> r.latencyMs(99.9)),
                medianOf(runs, RunStats::maxMs)));
        return sb.toString();
    }
}
