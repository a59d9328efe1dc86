package io.tributary.analytics.runner;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

import io.tributary.analytics.config.AnalyticsProperties;
import io.tributary.analytics.engine.EventTimeBounds;
import io.tributary.analytics.job.JobEngine;
import io.tributary.analytics.job.JobService;
import io.tributary.analytics.job.JobStatus;
import io.tributary.analytics.job.JobStatusChanged;
import io.tributary.analytics.lease.JobLeases;
import io.tributary.analytics.reference.ReferenceTables;
import io.tributary.analytics.spark.SparkRuns;
import io.tributary.analytics.store.JobStore;
import io.tributary.client.IngestClient;
import io.tributary.client.producer.IngestProducer;

/**
 * Runs started jobs, one {@link JobRun} each (a {@link JobWorker} of the builtin engine, or a Spark driver's
 * run for {@code "engine": "spark"}), on a bounded pool of
 * {@code analytics.runner.workers} threads: a job holds its worker while it runs, so a slow job
 * slows only itself, and jobs started beyond the pool size wait for a free worker.
 *
 * <p>A job runs on one instance at a time: the one holding its lease ({@link JobLeases}). Every
 * {@code analytics.leases.renew-interval} this instance renews the leases of the jobs it runs
 * (stopping a worker whose lease was lost), stops the jobs whose status says STOPPED (a stop sent
 * to another instance), and starts a worker for every RUNNING job whose lease nobody holds — so
 * when an instance dies, another takes its jobs over once their leases expire, and resumes them
 * from their checkpoints.
 */
@Component
public class JobRunner {

    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

    private final JobService jobs;
    private final JobStore store;
    private final IngestClient ingest;
    private final ReferenceTables referenceTables;
    private final JobLeases leases;
    private final IngestProducer resultProducer;
    private final AnalyticsProperties.Runner settings;
    private final EventTimeBounds eventTimeBounds;
    private final Duration renewInterval;
    private final ExecutorService workers;
    /** Wake-up long polls of idle jobs; they only signal, so a cached pool is fine. */
    private final ExecutorService polls;
    private final ScheduledExecutorService leaseKeeper;
    private final Map<String, JobRun> running = new ConcurrentHashMap<>();
    private final SparkRuns sparkRuns;

    JobRunner(JobService jobs, JobStore store, IngestClient ingest, ReferenceTables referenceTables, JobLeases leases,
              IngestProducer resultProducer, AnalyticsProperties properties, Clock clock, SparkRuns sparkRuns) {
        this.jobs = jobs;
        this.sparkRuns = sparkRuns;
        this.store = store;
        this.ingest = ingest;
        this.referenceTables = referenceTables;
        this.leases = leases;
        this.resultProducer = resultProducer;
        this.settings = properties.runner();
        this.eventTimeBounds = new EventTimeBounds(properties.eventTime().maxPast(),
                properties.eventTime().maxFuture(), clock);
        this.renewInterval = properties.leases().renewInterval();
        this.workers = Executors.newFixedThreadPool(settings.workers(), named("analytics-job-"));
        this.polls = Executors.newCachedThreadPool(named("analytics-poll-"));
        this.leaseKeeper = Executors.newSingleThreadScheduledExecutor(named("analytics-leases-"));
    }

    /** Resumes the running jobs nobody else holds, then keeps leases and takes over orphaned jobs. */
    @EventListener(ApplicationReadyEvent.class)
    void resume() {
        if (settings.enabled()) {
            reconcile();
            leaseKeeper.scheduleWithFixedDelay(this::reconcileSafely, renewInterval.toMillis(),
                    renewInterval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @TransactionalEventListener(condition = "!#event.deleted()")
    void statusChanged(JobStatusChanged event) {
        if (event.status() == JobStatus.RUNNING) {
            if (settings.enabled()) {
                launch(event.name());
            }
        } else {
            halt(event.name());
        }
    }

    /** A deleted job stops before its data goes, inside the deleting transaction. */
    @EventListener(condition = "#event.deleted()")
    void deleted(JobStatusChanged event) {
        halt(event.name());
    }

    public boolean isRunning(String name) {
        return running.containsKey(name);
    }

    private void reconcileSafely() {
        try {
            reconcile();
        } catch (RuntimeException e) {
            LOG.warn("lease check failed; trying again in {}: {}", renewInterval, e.toString());
        }
    }

    private void reconcile() {
        List<String> wanted = jobs.runningJobs();
        for (Map.Entry<String, JobRun> entry : running.entrySet()) {
            JobRun worker = entry.getValue();
            if (worker.isStopping()) {
                continue;
            }
            if (!wanted.contains(entry.getKey())) {
                LOG.info("job {} is no longer RUNNING (stopped through another instance); stopping here", entry.getKey());
                worker.stop();
            } else if (worker.holdsLease() && !leases.acquire(entry.getKey())) {
                LOG.warn("job {}: lease lost to another instance; stopping here", entry.getKey());
                worker.loseLease();
            }
        }
        for (String name : wanted) {
            if (!running.containsKey(name) && !leases.heldElsewhere(name)) {
                launch(name);
            }
        }
    }

    private synchronized void launch(String name) {
        JobRun current = running.get(name);
        if (current != null) {
            if (!current.isStopping()) {
                return;
            }
            // Stopped but not yet out (a stop followed at once by a start): let it finish first.
            current.awaitStop(settings.requestTimeout().plusSeconds(5));
            running.remove(name, current);
        }
        JobRun[] self = new JobRun[1];
        Runnable onExit = () -> running.remove(name, self[0]);
        JobRun worker = engineOf(name) == JobEngine.SPARK ? sparkRuns.create(name, onExit)
                : new JobWorker(name, jobs, store, ingest, resultProducer, referenceTables, leases, settings,
                eventTimeBounds, polls, onExit);
        self[0] = worker;
        running.put(name, worker);
        workers.submit(worker);
        LOG.info("job {} scheduled", name);
    }

    /** The job's engine; the builtin one when the definition cannot be read (its worker then fails the job). */
    private JobEngine engineOf(String name) {
        try {
            return jobs.compiled(name).runsOn();
        } catch (RuntimeException e) {
            return JobEngine.BUILTIN;
        }
    }

    private void halt(String name) {
        JobRun worker = running.get(name);
        if (worker != null) {
            worker.stop();
            worker.awaitStop(settings.requestTimeout().plusSeconds(5));
        }
    }

    @PreDestroy
    void shutdown() {
        leaseKeeper.shutdownNow();
        running.values().forEach(JobRun::stop);
        running.values().forEach(worker -> worker.awaitStop(java.time.Duration.ofSeconds(10)));
        workers.shutdownNow();
        polls.shutdownNow();
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
