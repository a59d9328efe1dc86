package io.tributary.analytics.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What analytics-service asks this driver to run: a job already translated into Spark SQL text. The
 * service writes it as JSON (its {@code spark/SparkPlan}); every SQL fragment reads the record's value
 * parsed as a {@code VARIANT} column named {@code _v}.
 *
 * @param job                the job's name (the application's name and the callback's path)
 * @param master             Spark's master URL ({@code local[2]}, {@code spark://...}, {@code k8s://...})
 * @param sparkConf          further Spark settings, e.g. {@code spark.sql.shuffle.partitions}
 * @param kafka              the Kafka source's options without their {@code kafka.} prefix ({@code bootstrap.servers})
 * @param topic              the source topic
 * @param startingOffsets    {@code earliest} or {@code latest}: where a query without a checkpoint starts
 * @param checkpointLocation Spark's checkpoint folder of this job
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
 * @param callbackUrl        analytics-service's internal API for this job ({@code .../internal/spark/jobs/{name}})
 */
public record SparkPlan(String job, String master, Map<String, String> sparkConf, Map<String, String> kafka,
                        String topic, String startingOffsets, String checkpointLocation, String filter,
                        String eventTime, List<String> groups, String window, String watermark,
                        List<Aggregate> aggregates, String outputMode, boolean availableNow, long triggerIntervalMs,
                        String callbackUrl) {

    /**
     * @param name   the result's key in a row's values
     * @param sql    the aggregate expression
     * @param labels for a percentile aggregate ({@code percentile_approx} of an array of ranks): the key of each
     *               rank in the result ({@code p50}); empty otherwise
     */
    public record Aggregate(String name, String sql, List<String> labels) {
    }

    static SparkPlan read(Path file) throws IOException {
        return new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .readValue(Files.readString(file), SparkPlan.class);
    }
}
