package io.tributary.analytics.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the analytics service ({@code analytics.*}).
 *
 * @param ingestUrl       the ingest API: one base URL, or on a cluster several nodes separated by commas
 *                        ({@code http://ingest-1:8081,http://ingest-2:8081}); calls go to one node and move to
 *                        the next when it fails (ingest-client's {@code ClientSettings})
 * @param cleanUrl        base URL of stream-clean-service, the owner of reference tables
 * @param referenceTables how joined reference tables are read
 * @param leases          which instance runs a job, and failover
 * @param runner          how jobs run
 * @param eventTime       which event times a job accepts
 * @param limits          bounds on job definitions (400 at create beyond them)
 * @param spark           how jobs with {@code "engine": "spark"} run (docs/spark.md)
 */
@ConfigurationProperties("analytics")
public record AnalyticsProperties(@DefaultValue("http://localhost:8081") String ingestUrl,
                                  @DefaultValue("http://localhost:8082") String cleanUrl,
                                  @DefaultValue ReferenceTables referenceTables,
                                  @DefaultValue Leases leases,
                                  @DefaultValue Runner runner,
                                  @DefaultValue EventTime eventTime,
                                  @DefaultValue Limits limits,
                                  @DefaultValue Spark spark) {

    /**
     * The Spark engine: each running spark job is a Spark application this instance submits through Spark's
     * launcher ({@code <spark-home>/bin/spark-submit}) with the job's run, and stops with it. In {@code client}
     * deploy mode (default) the driver is a JVM on this instance's machine and its executors run where
     * {@code master} says; in {@code cluster} mode the cluster runs the driver too (docs/spark.md).
     *
     * @param sparkHome     the Spark home to submit from: analytics-spark's {@code target/spark-home} (its jars and a
     *                      {@code bin/spark-submit} of its own) or a Spark 4.0 distribution; empty (default): engine
     *                      spark is not available here and such jobs are refused
     * @param application   the application jar as spark-submit takes it; empty (default):
     *                      {@code <spark-home>/app/analytics-spark.jar}. In cluster mode a path the driver can read,
     *                      e.g. {@code local:///opt/tributary/spark-home/app/analytics-spark.jar} in the driver's image
     * @param javaHome      the JDK spark-submit and a client-mode driver run on, 17 or 21 (Spark 4.0 does not run on
     *                      25); empty: the environment's {@code TRIBUTARY_SPARK_JAVA_HOME}, else this service's own
     * @param master        Spark's master URL: {@code local[2]} (default: driver and executors in one JVM),
     *                      {@code spark://host:7077}, {@code k8s://https://host:port}
     * @param deployMode    {@code client} (default) or {@code cluster}
     * @param driverMemory  the driver's heap ({@code spark.driver.memory})
     * @param kafka         options of Spark's Kafka source without their {@code kafka.} prefix, at least
     *                      {@code bootstrap.servers}: the ingest Kafka listener (default {@code localhost:9092})
     * @param conf          further Spark settings of every application ({@code spark.*}); unless set here,
     *                      {@code spark.sql.shuffle.partitions} is 2 (Spark's 200 suits a cluster, not one job's
     *                      state on a few cores)
     * @param checkpointDir where each job's Spark checkpoint lives ({@code <dir>/<job>}): a folder, or a URL Spark's
     *                      file systems write ({@code hdfs://}, {@code s3a://}); for failover between instances, and
     *                      in cluster mode, storage every instance and driver reaches
     * @param logDir        where {@code <job>.driver.log} (spark-submit's and a client-mode driver's output) is
     *                      written; empty: the checkpoint folder when that is local, else {@code ./data/analytics-spark}
     * @param callbackUrl   the URL the driver reaches this instance at; empty: {@code http://127.0.0.1:<server.port>}
     *                      (client mode); in cluster mode the instance's address as the cluster sees it
     * @param maxFailures   driver failures in a row (each within {@code failureWindow} of its start) before the job
     *                      goes FAILED; a driver that ran longer than the window starts the count again
     * @param failureWindow see {@code maxFailures}
     * @param stopTimeout   how long a stopped driver may take to end its batch before it is killed
     */
    public record Spark(@DefaultValue("") String sparkHome,
                        @DefaultValue("") String application,
                        @DefaultValue("") String javaHome,
                        @DefaultValue("local[2]") String master,
                        @DefaultValue("client") DeployMode deployMode,
                        @DefaultValue("512m") String driverMemory,
                        java.util.Map<String, String> kafka,
                        java.util.Map<String, String> conf,
                        @DefaultValue("./data/analytics-spark") String checkpointDir,
                        @DefaultValue("") String logDir,
                        @DefaultValue("") String callbackUrl,
                        @DefaultValue("3") int maxFailures,
                        @DefaultValue("2m") Duration failureWindow,
                        @DefaultValue("30s") Duration stopTimeout) {

        public Spark {
            kafka = kafka == null || kafka.isEmpty() ? java.util.Map.of("bootstrap.servers", "localhost:9092")
                    : java.util.Map.copyOf(kafka);
            java.util.Map<String, String> all = new java.util.TreeMap<>();
            all.put("spark.sql.shuffle.partitions", "2");
            if (conf != null) {
                all.putAll(conf);
            }
            conf = java.util.Collections.unmodifiableMap(all);
        }

        /** Where spark-submit puts a job's driver. */
        public enum DeployMode {
            CLIENT, CLUSTER
        }
    }

    /**
     * Bounds on every job definition field; a definition beyond one is refused at create with a
     * 400 {@code invalid-job} naming the field. Names (job, source and output topic, joined table)
     * have fixed rules: 1-100 (job, table) or 1-249 (topic) characters of {@code [a-zA-Z0-9._-]};
     * a filter at most 1,000 characters (the expression sandbox's own bound).
     *
     * @param maxDuration        the longest duration of any field (watermark, window size, slide, gap,
     *                           trigger interval)
     * @param maxWindowsPerEvent the most sliding windows one record falls into ({@code size / slide},
     *                           rounded up): every record is added to that many windows
     * @param maxPointerChars    the longest JSON Pointer (event time, group-by, aggregate field, join key
     *                           and target)
     * @param maxGroupBy         the most group-by fields
     * @param maxAggregations    the most aggregations
     * @param maxPercentiles     the most ranks of one {@code percentiles} aggregation
     */
    public record Limits(@DefaultValue("3650d") Duration maxDuration,
                         @DefaultValue("1000") long maxWindowsPerEvent,
                         @DefaultValue("256") int maxPointerChars,
                         @DefaultValue("16") int maxGroupBy,
                         @DefaultValue("64") int maxAggregations,
                         @DefaultValue("32") int maxPercentiles) {
    }

    /**
     * The event times a job accepts, around the processing time of each batch. A record whose time
     * lies outside is counted in {@code invalidRows} and never moves the watermark (one order dated
     * 9999 would otherwise close every window for good).
     *
     * @param maxPast   how far before now an event time may be (default 3650 days: old enough for
     *                  backfills, while 0, negative times and seconds taken for milliseconds are refused)
     * @param maxFuture how far after now an event time may be (default 1 day: clock skew and time zones)
     */
    public record EventTime(@DefaultValue("3650d") Duration maxPast,
                            @DefaultValue("1d") Duration maxFuture) {
    }

    /**
     * @param instanceId    this instance's name in job leases; empty: {@code <host name>:<server.port>}, so an
     *                      instance restarted where it ran before takes its jobs back at once (a new name
     *                      waits for the old name's leases to expire)
     * @param ttl           a lease not renewed for this long may be taken by another instance (the failover time)
     * @param renewInterval how often a running job's lease is renewed, and how often this instance
     *                      looks for jobs to take over or that were stopped through another instance
     */
    public record Leases(@DefaultValue("") String instanceId,
                         @DefaultValue("15s") Duration ttl,
                         @DefaultValue("3s") Duration renewInterval) {
    }

    /**
     * @param refresh  a job's copy of a reference table is read again once it is this old
     * @param timeout  timeout of one request to stream-clean-service (to connect, and to wait for its answer)
     * @param attempts requests in all for one read when the failure may pass (no answer, a 5xx or 429); 1 = no retry
     * @param backoff  wait before the first retry; each next wait is twice the one before
     */
    public record ReferenceTables(@DefaultValue("10s") Duration refresh,
                                  @DefaultValue("10s") Duration timeout,
                                  @DefaultValue("3") int attempts,
                                  @DefaultValue("200ms") Duration backoff) {

        public ReferenceTables {
            if (attempts < 1) {
                throw new IllegalArgumentException("analytics.reference-tables.attempts must be at least 1, was "
                        + attempts);
            }
        }
    }

    /**
     * @param enabled          run jobs at all (off for API-only tests and tools)
     * @param workers          jobs that may run at once; further started jobs wait for a free worker
     * @param maxBatchRecords  records one micro-batch takes at most, over all partitions
     * @param maxFetchRecords  records one partition fetch asks for at most
     * @param maxFetchBytes    bytes one partition fetch asks for at most (the ingest service caps it at 16 MiB)
     * @param requestTimeout   timeout of one ingest request (long polls add their wait)
     * @param errorBackoff     pause after a failed batch before the job tries again; it doubles with every
     *                         further failure of the same batch, up to {@code maxErrorBackoff}
     * @param maxErrorBackoff  the longest pause between two attempts of a failing batch
     * @param maxBatchAttempts attempts of one batch that fails with a deterministic error (anything but an
     *                         unreachable ingest service, stream-clean or database) before the job goes
     *                         FAILED with the error in {@code lastError}; transient errors are retried for ever
     * @param progressRetained progress rows kept per job (GET .../progress): every 100th commit deletes the ones
     *                         older than the latest this many (so at most this many + 99 exist), so a job that commits
     *                         several batches a second does not fill the database with them (results and
     *                         checkpoints are not affected)
     */
    public record Runner(@DefaultValue("true") boolean enabled,
                         @DefaultValue("8") int workers,
                         @DefaultValue("60000") int maxBatchRecords,
                         @DefaultValue("20000") int maxFetchRecords,
                         @DefaultValue("8388608") int maxFetchBytes,
                         @DefaultValue("30s") Duration requestTimeout,
                         @DefaultValue("1s") Duration errorBackoff,
                         @DefaultValue("1m") Duration maxErrorBackoff,
                         @DefaultValue("5") int maxBatchAttempts,
                         @DefaultValue("1000") int progressRetained) {

        /** The pause before attempt {@code failures + 1} of a batch that failed {@code failures} times. */
        public Duration backoff(int failures) {
            Duration pause = errorBackoff;
            for (int i = 1; i < failures && pause.compareTo(maxErrorBackoff) < 0; i++) {
                pause = pause.multipliedBy(2);
            }
            return pause.compareTo(maxErrorBackoff) > 0 ? maxErrorBackoff : pause;
        }
    }
}
