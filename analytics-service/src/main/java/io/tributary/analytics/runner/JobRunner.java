package io.tributary.analytics.runner;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

import io.tributary.analytics.config.AnalyticsProperties;
import io.tributary.analytics.job.JobService;
import io.tributary.analytics.job.JobStatus;
import io.tributary.analytics.job.JobStatusChanged;
import io.tributary.analytics.reference.ReferenceTables;
import io.tributary.analytics.store.JobStore;
import io.tributary.client.IngestClient;

/**
 * Runs started jobs, one {@link JobWorker} each, on a bounded pool of
 * {@code analytics.runner.workers} threads: a job holds its worker while it runs, so a slow job
 * slows only itself, and jobs started beyond the pool size wait for a free worker.
 *
 * <p>A job runs on one instance at a time. Its positions live in its own checkpoint row, not in
 * an ingest consumer group, so results, state and offsets commit in one database transaction.
 * Two instances sharing the database and both running a job do not double count: the
 * checkpoint's version makes the second commit fail and that run stop ({@code FAILED}); there is
 * no automatic failover yet — start the job again on the surviving instance.
 */
@Component
public class JobRunner {

    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

    private final JobService jobs;
    private final JobStore store;
    private final IngestClient ingest;
    private final ReferenceTables referenceTables;
    private final AnalyticsProperties.Runner settings;
    private final ExecutorService workers;
    /** Wake-up long polls of idle jobs; they only signal, so a cached pool is fine. */
    private final ExecutorService polls;
    private final Map<String, JobWorker> running = new ConcurrentHashMap<>();

    JobRunner(JobService jobs, JobStore store, IngestClient ingest, ReferenceTables referenceTables,
              AnalyticsProperties properties) {
        this.jobs = jobs;
        this.store = store;
        this.ingest = ingest;
        this.referenceTables = referenceTables;
        this.settings = properties.runner();
        this.workers = Executors.newFixedThreadPool(settings.workers(), named("analytics-job-"));
        this.polls = Executors.newCachedThreadPool(named("analytics-poll-"));
    }

    /** Resumes the jobs that were running when the service stopped. */
    @EventListener(ApplicationReadyEvent.class)
    void resume() {
        if (settings.enabled()) {
            jobs.runningJobs().forEach(this::launch);
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

    private synchronized void launch(String name) {
        JobWorker current = running.get(name);
        if (current != null) {
            if (!current.isStopping()) {
                return;
            }
            // Stopped but not yet out (a stop followed at once by a start): let it finish first.
            current.awaitStop(settings.requestTimeout().plusSeconds(5));
            running.remove(name, current);
        }
        JobWorker[] self = new JobWorker[1];
        JobWorker worker = new JobWorker(name, jobs, store, ingest, referenceTables, settings, polls, () -> running.remove(name, self[0]));
        self[0] = worker;
        running.put(name, worker);
        workers.submit(worker);
        LOG.info("job {} scheduled", name);
    }

    private void halt(String name) {
        JobWorker worker = running.get(name);
        if (worker != null) {
            worker.stop();
            worker.awaitStop(settings.requestTimeout().plusSeconds(5));
        }
    }

    @PreDestroy
    void shutdown() {
        running.values().forEach(JobWorker::stop);
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
