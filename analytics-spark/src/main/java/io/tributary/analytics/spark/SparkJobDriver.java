package io.tributary.analytics.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamReader;
import org.apache.spark.sql.streaming.DataStreamWriter;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.expr;

/**
 * The driver of one analytics job on Spark, as analytics-service submits it through Spark's launcher:
 * {@code spark-submit --class io.tributary.analytics.spark.SparkJobDriver analytics-spark.jar <callback URL>}. It
 * fetches its plan from the callback URL ({@code GET <url>/plan}) with the run's token (environment variable
 * {@value Callback#TOKEN_ENV}, or Spark conf {@value Callback#TOKEN_CONF} in cluster mode); master and Spark
 * settings come from spark-submit.
 *
 * <p>The query, in Spark's terms: the Kafka source over the ingest Kafka listener →
 * {@code try_parse_json(value)} as {@code _v} → the filter → event time {@code _ts} and the group values →
 * {@code withWatermark} → {@code groupBy(window, groups...)} → the aggregates → {@code foreachBatch}, which posts
 * the batch's rows with its batch id to analytics-service (the commit: {@link Callback#commit}). Spark's
 * checkpoint holds the source offsets and the aggregation state; a batch that fails, or whose driver dies before
 * Spark commits it, is run again with the same id and the same rows on the next start.
 *
 * <p>The driver ends with its run: when the process that started it ends (client mode: analytics-service), and
 * when analytics-service answers that its run is over or has not answered for the plan's {@code orphanedAfterMs}
 * (it asks every {@code runCheckMs}; in cluster mode the only way it learns of a stop or of its instance's
 * death).
 *
 * <p>Exit status: 0 when stopped (SIGTERM: the query stops between batches) or, with the available-now trigger,
 * when the source is drained; 1 when the query fails; 3 when the process that started it has ended; 4 when its run
 * is over.
 */
public final class SparkJobDriver {

    private SparkJobDriver() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: SparkJobDriver <callback URL>");
            System.exit(2);
        }
        org.apache.spark.SparkConf submitted = new org.apache.spark.SparkConf();
        String token = System.getenv(Callback.TOKEN_ENV);
        if (token == null || token.isBlank()) {
            token = submitted.get(Callback.TOKEN_CONF, "");
        }
        if (token.isBlank()) {
            System.err.println("no run token in " + Callback.TOKEN_ENV + " or " + Callback.TOKEN_CONF);
            System.exit(2);
        }
        Callback callback = new Callback(args[0], token);
        SparkPlan plan = callback.plan();
        if (!"cluster".equals(submitted.get("spark.submit.deployMode", "client"))) {
            // The analytics-service that started this driver owns the job's run: when it is gone (even
            // SIGKILLed), so is this driver (the shutdown hook stops the query), before another instance takes
            // the job over.
            ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
                System.err.println("job " + plan.job() + ": analytics-service (pid " + parent.pid()
                        + ") is gone; stopping");
                System.exit(3);
            }));
        }
        watchRun(plan, callback);
        SparkSession.Builder builder = SparkSession.builder().appName("tributary-" + plan.job())
                .config("spark.sql.session.timeZone", "UTC");
        if (!submitted.contains("spark.ui.enabled")) {
            builder.config("spark.ui.enabled", "false");
        }
        SparkSession spark = builder.getOrCreate();
        if (plan.freshCheckpoint()) {
            removeCheckpoint(spark, plan.checkpointLocation());
        }
        spark.streams().addListener(new ProgressReporter(callback));
        StreamingQuery query = start(spark, plan, callback);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(query), "stop-query"));
        int status = 0;
        try {
            query.awaitTermination();
        } catch (Exception e) {
            System.err.println("job " + plan.job() + ": the query failed: " + e);
            status = 1;
        }
        spark.stop();
        System.exit(status);
    }

    /** Asks analytics-service every {@code runCheckMs} whether this driver's run is still current. */
    private static void watchRun(SparkPlan plan, Callback callback) {
        String job = plan.job();
        long interval = plan.runCheckMs() > 0 ? plan.runCheckMs() : 5_000;
        java.time.Duration orphaned = java.time.Duration.ofMillis(plan.orphanedAfterMs() > 0 ? plan.orphanedAfterMs()
                : 60_000);
        Thread watch = new Thread(() -> {
            long lastAnswer = System.nanoTime();
            while (true) {
                try {
                    Thread.sleep(interval);
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    if (!callback.current()) {
                        System.err.println("job " + job + ": analytics-service ended this run; stopping");
                        System.exit(4);
                    }
                    lastAnswer = System.nanoTime();
                } catch (RuntimeException e) {
                    if (System.nanoTime() - lastAnswer > orphaned.toNanos()) {
                        System.err.println("job " + job + ": analytics-service unreachable for " + orphaned
                                + " (" + e.getMessage() + "); stopping");
                        System.exit(4);
                    }
                }
            }
        }, "run-watch");
        watch.setDaemon(true);
        watch.start();
    }

    /** A new or reset job starts from nothing: its checkpoint, on whichever file system it lies, is removed. */
    private static void removeCheckpoint(SparkSession spark, String location) throws java.io.IOException {
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(location);
        path.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(path, true);
    }

    static StreamingQuery start(SparkSession spark, SparkPlan plan, Callback callback) throws Exception {
        DataStreamReader reader = spark.readStream().format("kafka").option("subscribe", plan.topic())
                .option("startingOffsets", plan.startingOffsets()).option("failOnDataLoss", "true");
        for (Map.Entry<String, String> option : plan.kafka().entrySet()) {
            reader = reader.option("kafka." + option.getKey(), option.getValue());
        }
        Dataset<Row> records = reader.load().select(expr("try_parse_json(CAST(value AS STRING))").as("_v"));
        if (plan.join() != null) {
            records = join(spark, plan, records);
        }
        if (plan.filter() != null) {
            records = records.where(expr(plan.filter()));
        }
        List<Column> fields = new ArrayList<>();
        fields.add(expr(plan.eventTime()).as("_ts"));
        for (int i = 0; i < plan.groups().size(); i++) {
            fields.add(expr(plan.groups().get(i)).as("_g" + i));
        }
        fields.add(expr("_v"));
        if (plan.join() != null) {
            fields.add(expr("_j"));
        }
        Dataset<Row> timed = records.select(fields.toArray(Column[]::new)).where("_ts IS NOT NULL");
        if (plan.watermark() != null) {
            timed = timed.withWatermark("_ts", plan.watermark());
        }
        List<Column> keys = new ArrayList<>();
        if (plan.window() != null) {
            keys.add(expr(plan.window()).as("_w"));
        }
        for (int i = 0; i < plan.groups().size(); i++) {
            keys.add(expr("_g" + i));
        }
        List<Column> aggregates = new ArrayList<>();
        for (SparkPlan.Aggregate aggregate : plan.aggregates()) {
            aggregates.add(expr(aggregate.sql()).as("_a_" + aggregate.name()));
        }
        Dataset<Row> aggregated = timed.groupBy(keys.toArray(Column[]::new))
                .agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new));
        List<Column> out = new ArrayList<>();
        out.add(expr(plan.window() == null ? "CAST(NULL AS BIGINT)" : "unix_millis(_w.start)").as("_start"));
        out.add(expr(plan.window() == null ? "CAST(NULL AS BIGINT)" : "unix_millis(_w.end)").as("_end"));
        for (int i = 0; i < plan.groups().size(); i++) {
            out.add(expr("_g" + i));
        }
        for (SparkPlan.Aggregate aggregate : plan.aggregates()) {
            out.add(expr("_a_" + aggregate.name()));
        }
        Dataset<Row> rows = aggregated.select(out.toArray(Column[]::new));
        VoidFunction2<Dataset<Row>, Long> commit = (batch, batchId) ->
                callback.commit(BatchRows.of(batchId, batch.collectAsList(), plan));
        DataStreamWriter<Row> writer = rows.writeStream().queryName(plan.job()).outputMode(plan.outputMode())
                .option("checkpointLocation", plan.checkpointLocation()).foreachBatch(commit);
        writer = writer.trigger(plan.availableNow() ? Trigger.AvailableNow()
                : Trigger.ProcessingTime(plan.triggerIntervalMs(), TimeUnit.MILLISECONDS));
        return writer.start();
    }

    /**
     * The records joined with the table of {@code plan.join()}: a topic's latest value per key (a stream-static
     * join, so the table is read again for every micro-batch; a null latest value deletes its key), or the rows
     * the plan carries, broadcast. The match becomes {@code _j}.
     */
    private static Dataset<Row> join(SparkSession spark, SparkPlan plan, Dataset<Row> records) {
        SparkPlan.Join join = plan.join();
        Dataset<Row> table;
        if (join.topic() != null) {
            DataFrameReader reader = spark.read().format("kafka").option("subscribe", join.topic())
                    .option("startingOffsets", "earliest").option("endingOffsets", "latest");
            for (Map.Entry<String, String> option : plan.kafka().entrySet()) {
                reader = reader.option("kafka." + option.getKey(), option.getValue());
            }
            table = reader.load().where("key IS NOT NULL")
                    .selectExpr("CAST(key AS STRING) AS _jk", "CAST(value AS STRING) AS _jt", "offset")
                    .groupBy("_jk").agg(expr("max_by(_jt, offset)").as("_jt"))
                    .where("_jt IS NOT NULL").selectExpr("_jk", "try_parse_json(_jt) AS _j");
        } else {
            List<Row> rows = new ArrayList<>();
            for (SparkPlan.TableRow row : join.rows()) {
                rows.add(RowFactory.create(row.key(), row.value()));
            }
            StructType schema = new StructType().add("_jk", DataTypes.StringType).add("_jt", DataTypes.StringType);
            table = broadcast(spark.createDataFrame(rows, schema).selectExpr("_jk", "try_parse_json(_jt) AS _j"));
        }
        Column matches = expr(join.key()).equalTo(table.col("_jk"));
        return records.join(table, matches, join.dropMissing() ? "inner" : "left_outer").select("_v", "_j");
    }

    private static void stop(StreamingQuery query) {
        try {
            if (query.isActive()) {
                query.stop();
            }
        } catch (Exception e) {
            System.err.println("stopping the query: " + e);
        }
    }

    /** Sends each batch's {@code StreamingQueryProgress} to the service. */
    private static final class ProgressReporter extends StreamingQueryListener {
        private final Callback callback;

        ProgressReporter(Callback callback) {
            this.callback = callback;
        }

        @Override
        public void onQueryStarted(QueryStartedEvent event) {
        }

        @Override
        public void onQueryProgress(QueryProgressEvent event) {
            callback.progress(event.progress().json());
        }

        @Override
        public void onQueryIdle(QueryIdleEvent event) {
        }

        @Override
        public void onQueryTerminated(QueryTerminatedEvent event) {
        }
    }
}
