package io.tributary.analytics.spark;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What analytics-service asks this driver to run: a job already translated into Spark SQL text. The
 * service answers it as JSON (its {@code spark/SparkPlan}) at {@code GET <callback URL>/plan}; every SQL fragment
 * reads the record's value parsed as a {@code VARIANT} column named {@code _v}.
 *
 * @param job                the job's name (the application's name and the callback's path)
 * @param kafka              the Kafka source's options without their {@code kafka.} prefix ({@code bootstrap.servers})
 * @param topic              the source topic
 * @param startingOffsets    {@code earliest} or {@code latest}: where a query without a checkpoint starts
 * @param checkpointLocation Spark's checkpoint folder of this job (a path or a file system URL)
 * @param freshCheckpoint    true: remove what the checkpoint location holds first (a new or reset job)
 * @param filter             a boolean SQL expression over {@code _v}; null keeps every record
 * @param eventTime          the event time as a SQL timestamp expression over {@code _v}
 * @param groups             the group-by values, SQL string expressions over {@code _v}, in order
 * @param window             {@code window(_ts, ...)} or {@code session_window(_ts, ...)} over the event time
 *                           column {@code _ts}; null for a running aggregate
 * @param watermark          Spark's delay threshold ({@code 5000 milliseconds}); null for none
 * @param aggregates         the output columns, in order
 * @param outputMode         {@code append}, {@code update} or {@code complete}
 * @param availableNow       true: drain what is there when the query starts, then stop
 * @param triggerIntervalMs  the processing-time trigger's interval
 * @param join               null without a join
 * @param runCheckMs         how often to ask whether this run is still current ({@code GET <callback URL>/run})
 * @param orphanedAfterMs    how long to go on without an answer before stopping (less than the lease TTL, so
 *                           that this driver is gone before another instance submits the job's next one)
 */
public record SparkPlan(String job, Map<String, String> kafka, String topic, String startingOffsets,
                        String checkpointLocation, boolean freshCheckpoint, String filter, String eventTime,
                        List<String> groups, String window, String watermark, List<Aggregate> aggregates,
                        String outputMode, boolean availableNow, long triggerIntervalMs, Join join,
                        long runCheckMs, long orphanedAfterMs) {

    /**
     * A join, before the filter: each record's key text ({@code key}, SQL over {@code _v}) is matched against the
     * latest value per record key of {@code topic} (read to its end for every batch), or against {@code rows};
     * the match is the variant column {@code _j}, which the plan's fields under the join's target read.
     *
     * @param dropMissing true: records without a match are dropped; false: they go on with {@code _j} NULL
     */
    public record Join(String key, String topic, List<TableRow> rows, boolean dropMissing) {
    }

    /** A reference table's row: its key and its value as JSON text. */
    public record TableRow(String key, String value) {
    }

    /**
     * @param name   the result's key in a row's values
     * @param sql    the aggregate expression
     * @param labels for a percentile aggregate ({@code percentile_approx} of an array of ranks): the key of each
     *               rank in the result ({@code p50}); empty otherwise
     */
    public record Aggregate(String name, String sql, List<String> labels) {
    }

    static SparkPlan parse(String json) throws IOException {
        return new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .readValue(json, SparkPlan.class);
    }
}
