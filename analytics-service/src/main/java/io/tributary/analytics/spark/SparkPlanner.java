package io.tributary.analytics.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Component;

import io.tributary.analytics.config.AnalyticsProperties;
import io.tributary.analytics.engine.AggregateSpec;
import io.tributary.analytics.engine.EngineSpec;
import io.tributary.analytics.engine.OutputMode;
import io.tributary.analytics.engine.WindowSpec;
import io.tributary.analytics.job.CompiledJob;
import io.tributary.analytics.job.EnginePlanner;
import io.tributary.analytics.job.InvalidJobException;
import io.tributary.analytics.job.JobEngine;
import io.tributary.analytics.reference.ReferenceTables;
import tools.jackson.databind.JsonNode;

/**
 * Translates a job definition into a Spark Structured Streaming query ({@link SparkPlan}), and refuses at create
 * time, naming the part, what it cannot translate. The query keeps the builtin engine's meaning: windows aligned
 * to the epoch, the watermark as the largest event time minus the delay, rows of windows the watermark closed
 * dropped as late, the same aggregate functions (HyperLogLog and quantile sketches of Spark's own:
 * {@code approx_count_distinct} at 1% relative error, {@code percentile_approx} at accuracy 10,000) and the
 * same result keys.
 */
@Component
public class SparkPlanner implements EnginePlanner {

    /** Spark's {@code approx_count_distinct} relative standard deviation (the builtin HLL's is about 1.6%). */
    static final double DISTINCT_RSD = 0.01;
    /** Spark's {@code percentile_approx} accuracy: rank error about 1/10,000 (the builtin sketch's about 1.3%). */
    static final int PERCENTILE_ACCURACY = 10_000;

    private final AnalyticsProperties properties;
    private final ReferenceTables referenceTables;

    SparkPlanner(AnalyticsProperties properties, ReferenceTables referenceTables) {
        this.properties = properties;
        this.referenceTables = referenceTables;
    }

    @Override
    public JobEngine engine() {
        return JobEngine.SPARK;
    }

    @Override
    public void check(CompiledJob job) {
        if (properties.spark().sparkHome().isBlank()) {
            throw new InvalidJobException("engine", "engine 'spark' is not installed on this instance "
                    + "(analytics.spark.spark-home is empty: docs/spark.md)");
        }
        query(job);
    }

    /**
     * The plan of {@code job}'s driver. A reference-table join carries the table's rows as they are now
     * ({@code tableRows}: read by the caller, who restarts the driver when they change).
     *
     * @param freshCheckpoint true: the driver removes what {@code checkpointLocation} holds before it starts (a
     *                        job without a checkpoint row: new, or reset)
     */
    SparkPlan plan(CompiledJob job, String checkpointLocation, boolean freshCheckpoint,
                   Map<String, JsonNode> tableRows) {
        Query query = query(job);
        SparkPlan.Join join = null;
        if (job.join() != null) {
            List<SparkPlan.TableRow> rows = job.join().fromTopic() ? List.of() : tableRows.entrySet().stream()
                    .map(row -> new SparkPlan.TableRow(row.getKey(), row.getValue().toString())).toList();
            join = new SparkPlan.Join(query.joinKey, job.join().fromTopic() ? job.join().source() : null, rows,
                    job.join().dropMissing());
        }
        return new SparkPlan(job.name(), properties.spark().kafka(), job.source(),
                job.fromEarliest() ? "earliest" : "latest", checkpointLocation, freshCheckpoint, query.filter,
                query.eventTime, query.groups, query.window, query.watermark, query.aggregates,
                job.engine().outputMode().name().toLowerCase(java.util.Locale.ROOT), job.availableNow(),
                job.interval().toMillis(), join, runCheck().toMillis(), orphanedAfter().toMillis());
    }

    /** How often a driver asks whether its run is still current: at most 5 s, four times per lease TTL. */
    java.time.Duration runCheck() {
        java.time.Duration quarter = properties.leases().ttl().dividedBy(4);
        return quarter.compareTo(java.time.Duration.ofSeconds(5)) < 0 ? quarter : java.time.Duration.ofSeconds(5);
    }

    /**
     * How long a driver goes on without an answer from its instance: half the lease TTL, so that a driver whose
     * instance died has stopped before another instance may take the job over and submit a new one.
     */
    java.time.Duration orphanedAfter() {
        return properties.leases().ttl().dividedBy(2);
    }

    /** The rows of a reference table a job joins with; empty without such a join. */
    Map<String, JsonNode> tableRows(CompiledJob job) {
        return job.join() == null || job.join().fromTopic() ? Map.of() : referenceTables.rows(job.join().source());
    }

    private record Query(String filter, String eventTime, List<String> groups, String window, String watermark,
                         List<SparkPlan.Aggregate> aggregates, String joinKey) {
    }

    private Query query(CompiledJob job) {
        EngineSpec spec = job.engine();
        // the key is read from the record itself, before the join puts anything at the target
        String joinKey = job.join() == null ? null : new FieldSql(null).text(FieldSql.segments(job.join().key()));
        FieldSql fields = new FieldSql(job.join() == null ? null : FieldSql.segments(job.join().target()));
        String filter = null;
        if (spec.filter() != null) {
            try {
                filter = FilterSql.translate(spec.filter().source(), fields);
            } catch (FilterSql.Untranslatable e) {
                throw new InvalidJobException("filter", e.getMessage() + " (engine 'spark')");
            }
        }
        String window = switch (spec.window()) {
            case WindowSpec.None none -> null;
            case WindowSpec.Tumbling tumbling -> "window(_ts, '" + tumbling.sizeMs() + " milliseconds')";
            case WindowSpec.Sliding sliding -> "window(_ts, '" + sliding.sizeMs() + " milliseconds', '"
                    + sliding.slideMs() + " milliseconds')";
            case WindowSpec.Session session -> {
                if (spec.outputMode() != OutputMode.APPEND) {
                    throw new InvalidJobException("outputMode", "a session window runs on engine 'spark' with "
                            + "outputMode 'append' only (a session is emitted once the watermark closes it)");
                }
                yield "session_window(_ts, '" + session.gapMs() + " milliseconds')";
            }
        };
        List<String> groups = new ArrayList<>();
        for (String pointer : spec.groupBy()) {
            groups.add(fields.text(FieldSql.segments(pointer)));
        }
        List<SparkPlan.Aggregate> aggregates = new ArrayList<>();
        for (AggregateSpec aggregate : spec.aggregates()) {
            aggregates.add(aggregate(aggregate, fields));
        }
        AnalyticsProperties.EventTime bounds = properties.eventTime();
        return new Query(filter, fields.eventTime(spec.eventTime(), bounds.maxPast().toMillis(),
                bounds.maxFuture().toMillis()), groups, window, spec.watermarkDelayMs() + " milliseconds",
                aggregates, joinKey);
    }

    private static SparkPlan.Aggregate aggregate(AggregateSpec aggregate, FieldSql fields) {
        List<String> field = aggregate.field() == null ? null : FieldSql.segments(aggregate.field());
        String number = field == null ? null : fields.typed(field, "double");
        String sql = switch (aggregate.function()) {
            case COUNT -> field == null ? "count(1)" : "count(" + fields.text(field) + ")";
            case SUM -> "sum(" + number + ")";
            case AVG -> "avg(" + number + ")";
            case MIN -> "min(" + number + ")";
            case MAX -> "max(" + number + ")";
            case APPROX_DISTINCT -> "approx_count_distinct(" + fields.text(field) + ", " + DISTINCT_RSD + ")";
            case PERCENTILES -> "percentile_approx(" + number + ", array(" + String.join(", ",
                    aggregate.percentiles().stream().map(rank -> "CAST(" + rank + " AS DOUBLE)").toList()) + "), "
                    + PERCENTILE_ACCURACY + ")";
        };
        List<String> labels = aggregate.percentiles().stream().map(AggregateSpec::label).toList();
        return new SparkPlan.Aggregate(aggregate.name(), sql, labels);
    }
}
