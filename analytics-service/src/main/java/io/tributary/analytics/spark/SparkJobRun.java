package io.tributary.analytics.spark;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.analytics.config.AnalyticsProperties;
import io.tributary.analytics.engine.ResultRow;
import io.tributary.analytics.job.CompiledJob;
import io.tributary.analytics.job.JobService;
import io.tributary.analytics.job.JobStatus;
import io.tributary.analytics.lease.JobLeases;
import io.tributary.analytics.runner.LeasedRun;
import io.tributary.analytics.runner.ResultPublisher;
import io.tributary.analytics.store.BatchProgress;
import io.tributary.analytics.store.ConcurrentRunException;
import io.tributary.analytics.store.JobCheckpoint;
import io.tributary.analytics.store.JobStore;

/**
 * One run of a spark job on this instance: it takes the job's lease, starts the job's Spark driver and keeps it
 * running — a driver that exits is started again (Spark resumes from its checkpoint), until {@code maxFailures}
 * quick failures in a row make the job FAILED — and stops it (SIGTERM, then a kill after {@code stopTimeout})
 * when the job stops or the lease is lost.
 *
 * <p>The driver commits each batch through this run ({@link #commit}): only while the lease is held, and with the
 * checkpoint version this run last saw, as the builtin engine's commits are fenced. A job without a checkpoint
 * row (new, or reset) has its driver remove its Spark checkpoint first ({@code freshCheckpoint} in the plan), so a
 * reset really starts over.
 */
final class SparkJobRun extends LeasedRun {

    private static final Logger LOG = LoggerFactory.getLogger(SparkJobRun.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** {@link #awaitExit}'s answer when the joined reference table changed. */
    private static final int TABLE_CHANGED = Integer.MIN_VALUE;

    private final JobStore store;
    private final SparkPlanner planner;
    private final SparkDriver driver;
    private final AnalyticsProperties.Spark settings;
    private final String callbackUrl;
    private final Duration tableRefresh;
    /** Rows each committed batch emitted, until its progress report arrives. */
    private final Map<Long, Integer> emitted = new ConcurrentHashMap<>();
    private volatile byte[] token;
    /** The plan the current driver fetches ({@code GET .../plan}); null between drivers. */
    private volatile SparkPlan plan;
    private volatile Process process;
    private long checkpointVersion;
    /** Makes the publisher of a job's output topic (a new producer epoch each time). */
    private final Function<CompiledJob, ResultPublisher> publishers;
    /** Publishes committed rows to the job's output topic; null without one, or until the first commit. */
    private ResultPublisher publisher;
    private volatile CompiledJob job;

    SparkJobRun(String name, JobService jobs, JobStore store, JobLeases leases, SparkPlanner planner,
                SparkDriver driver, AnalyticsProperties.Spark settings, String callbackUrl, Duration tableRefresh,
                Function<CompiledJob, ResultPublisher> publishers, Runnable onExit) {
        super(name, jobs, leases, onExit);
        this.publishers = publishers;
        this.store = store;
        this.planner = planner;
        this.driver = driver;
        this.settings = settings;
        this.callbackUrl = callbackUrl;
        this.tableRefresh = tableRefresh;
    }

    /** Whether {@code presented} is this run's current driver token (constant time). */
    boolean accepts(String presented) {
        byte[] current = token;
        return current != null && presented != null
                && MessageDigest.isEqual(current, presented.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    /**
     * Commits a batch of the driver, then publishes its rows to the job's output topic if it has one (sorted by
     * window and group, so that a replay of the batch gives each row the same sequence and the topic skips it).
     *
     * @throws LeaseLostException when this instance no longer runs the job (the driver's batch fails; it is
     *                            replayed by whoever runs the job now)
     */
    synchronized void commit(long batchId, List<ResultRow> unsorted) {
        if (!holdsLease()) {
            throw new LeaseLostException(name);
        }
        List<ResultRow> rows = unsorted.stream().sorted(Comparator.comparing(ResultRow::key)).toList();
        try {
            checkpointVersion = store.commitEngineBatch(name, batchId, rows, checkpointVersion);
            emitted.put(batchId, rows.size());
            CompiledJob current = job;
            if (current != null && current.outputTopic() != null) {
                if (publisher == null) {
                    publisher = publishers.apply(current);
                }
                publisher.publish(batchId, rows);
            }
        } catch (ConcurrentRunException e) {
            if (!leases.acquire(name)) {
                loseLease();
            } else {
                checkpointVersion = store.checkpoint(name).expectedVersion();
            }
            throw new LeaseLostException(name);
        }
    }

    /** The plan of the current driver. */
    java.util.Optional<SparkPlan> plan() {
        return java.util.Optional.ofNullable(plan);
    }

    /** Records a progress report of the driver, with the rows its batch emitted. */
    void progress(BatchProgress row) {
        Integer rows = emitted.remove(row.batchId);
        row.emittedRows = rows == null ? 0 : rows;
        emitted.keySet().removeIf(batch -> batch < row.batchId);
        store.addProgress(row);
    }

    @Override
    protected void work() throws Exception {
        superviseDriver();
    }

    @Override
    protected void cleanUp() {
        terminate();
    }

    private void superviseDriver() throws Exception {
        int failures = 0;
        while (!stopped) {
            CompiledJob job = jobs.compiled(name);
            JobCheckpoint checkpoint = store.checkpoint(name);
            synchronized (this) {
                checkpointVersion = checkpoint.expectedVersion();
                this.job = job;
                publisher = null; // a new one per driver: taking the producer bumps its epoch, fencing older ones
            }
            String fresh = Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes());
            token = fresh.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            long started = System.nanoTime();
            Map<String, tools.jackson.databind.JsonNode> table = planner.tableRows(job);
            plan = planner.plan(job, driver.checkpoint(name), checkpointVersion == -1, table);
            process = driver.start(name, callbackUrl, fresh);
            LOG.info("job {}: Spark driver started (pid {}, log {})", name, process.pid(), driver.log(name));
            int status = awaitExit(job, table);
            if (stopped) {
                return;
            }
            if (status == TABLE_CHANGED) {
                LOG.info("job {}: reference table {} changed; restarting the Spark driver with its new rows", name,
                        job.join().source());
                terminate();
                continue;
            }
            if (status == 0 && job.availableNow()) {
                LOG.info("job {}: the Spark query drained its source; completed", name);
                finish(JobStatus.COMPLETED, null);
                return;
            }
            Duration ran = Duration.ofNanos(System.nanoTime() - started);
            failures = ran.compareTo(settings.failureWindow()) > 0 ? 1 : failures + 1;
            String error = "Spark driver exited with status " + status + " after " + ran.toSeconds() + " s: "
                    + driver.tail(name, 20);
            if (failures >= settings.maxFailures()) {
                LOG.error("job {}: {} (failure {} in a row: FAILED)", name, error, failures);
                finish(JobStatus.FAILED, error);
                return;
            }
            LOG.warn("job {}: {} (failure {} in a row; starting it again)", name, error, failures);
            noteError(error);
            pause(Duration.ofSeconds(Math.min(30, 1L << failures)));
        }
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /**
     * Waits for the driver to exit (its status), for a stop, or — with a reference-table join — for the table to
     * differ from the rows the driver was started with ({@link #TABLE_CHANGED}; looked at every
     * {@code analytics.reference-tables.refresh}, the builtin engine's refresh).
     */
    private int awaitExit(CompiledJob job, Map<String, tools.jackson.databind.JsonNode> table)
            throws InterruptedException {
        Process running = process;
        boolean watchTable = job.join() != null && !job.join().fromTopic();
        long nextLook = System.nanoTime() + tableRefresh.toNanos();
        while (!running.waitFor(200, TimeUnit.MILLISECONDS)) {
            if (stopped) {
                return -1;
            }
            if (watchTable && System.nanoTime() > nextLook) {
                nextLook = System.nanoTime() + tableRefresh.toNanos();
                try {
                    if (!planner.tableRows(job).equals(table)) {
                        return TABLE_CHANGED;
                    }
                } catch (RuntimeException e) { // stream-clean unreachable: keep the rows the driver has
                    LOG.warn("job {}: could not read reference table {}: {}", name, job.join().source(), e.toString());
                }
            }
        }
        return running.exitValue();
    }

    private void terminate() {
        Process running = process;
        token = null;
        plan = null;
        if (running == null || !running.isAlive()) {
            return;
        }
        running.destroy(); // SIGTERM: the driver stops its query between batches
        try {
            if (!running.waitFor(settings.stopTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("job {}: the Spark driver did not stop within {}; killing it", name, settings.stopTimeout());
                running.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            running.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }



    /** This instance no longer runs the job, or another run committed meanwhile. */
    static final class LeaseLostException extends RuntimeException {
        LeaseLostException(String job) {
            super("job " + job + " is not run by this instance's driver any more");
        }
    }
}
