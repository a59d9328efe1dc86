package io.tributary.analytics.runner;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.analytics.job.JobService;
import io.tributary.analytics.job.JobStatus;
import io.tributary.analytics.lease.JobLeases;

/**
 * What every engine's run does around its work: take the job's lease first (or leave the job to the instance
 * that holds it), mark the job FAILED when the work throws (unless the lease was lost meanwhile: then the job
 * belongs to another instance), give the lease up and tell the runner when it ends. Subclasses do the work in
 * {@link #work} until {@link #stopped}.
 */
public abstract class LeasedRun implements JobRun {

    private static final Logger LOG = LoggerFactory.getLogger(LeasedRun.class);

    protected final String name;
    protected final JobService jobs;
    protected final JobLeases leases;
    private final Runnable onExit;
    private final CountDownLatch exited = new CountDownLatch(1);
    protected volatile boolean stopped;
    protected volatile boolean leaseHeld;
    protected volatile boolean leaseLost;

    protected LeasedRun(String name, JobService jobs, JobLeases leases, Runnable onExit) {
        this.name = name;
        this.jobs = jobs;
        this.leases = leases;
        this.onExit = onExit;
    }

    /** The run's work, with the lease held; returns when the run ends. */
    protected abstract void work() throws Exception;

    /** Releases what the work holds (a prefetch, a child process); called once, as the run ends. */
    protected void cleanUp() {
    }

    @Override
    public void stop() {
        stopped = true;
    }

    @Override
    public boolean isStopping() {
        return stopped;
    }

    @Override
    public boolean holdsLease() {
        return leaseHeld && !leaseLost;
    }

    @Override
    public void loseLease() {
        leaseLost = true;
        stopped = true;
    }

    @Override
    public void awaitStop(Duration timeout) {
        try {
            exited.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public final void run() {
        try {
            if (!leases.acquire(name)) {
                LOG.info("job {} is leased by another instance; it runs there", name);
                return;
            }
            leaseHeld = true;
            work();
        } catch (Throwable e) { // an Error too: the job must not stay RUNNING with nothing running it
            if (leaseLost) {
                LOG.warn("job {} stopped here after losing its lease: {}", name, e.toString());
            } else {
                LOG.error("job {} failed", name, e);
                finish(JobStatus.FAILED, e instanceof IllegalStateException ? e.getMessage() : e.toString());
            }
        } finally {
            cleanUp();
            releaseLease();
            onExit.run();
            exited.countDown();
        }
    }

    /** Records that the job ended (COMPLETED or FAILED); if the database cannot say so, the job stays RUNNING. */
    protected void finish(JobStatus status, String error) {
        try {
            jobs.finished(name, status, error);
        } catch (RuntimeException e) {
            // The status stays RUNNING: once the lease expires this or another instance starts the job again.
            LOG.error("job {}: could not record its end ({}): {}", name, status, e.toString());
        }
    }

    /** Notes an error the run recovers from (null: it works again); false when the database could not. */
    protected boolean noteError(String error) {
        try {
            jobs.noteError(name, error);
            return true;
        } catch (RuntimeException e) {
            LOG.warn("job {}: could not note its error (the database may be down): {}", name, e.toString());
            return false;
        }
    }

    /** Waits {@code duration}, or less when the run is stopped meanwhile. */
    protected void pause(Duration duration) {
        long until = System.nanoTime() + duration.toNanos();
        while (!stopped && System.nanoTime() < until) {
            try {
                Thread.sleep(Math.min(50, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void releaseLease() {
        if (leaseHeld && !leaseLost) {
            try {
                leases.release(name);
            } catch (RuntimeException e) {
                LOG.warn("job {}: could not release its lease (it expires by itself): {}", name, e.toString());
            }
        }
    }
}
