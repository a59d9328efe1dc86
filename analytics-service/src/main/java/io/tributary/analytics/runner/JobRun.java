package io.tributary.analytics.runner;

import java.time.Duration;

/**
 * One run of a job on this instance, whichever engine computes it: the builtin micro-batch loop
 * ({@link JobWorker}) or a Spark driver ({@code spark.SparkJobRun}). It holds the job's lease while it
 * runs; {@link JobRunner} starts it on a worker thread, renews the lease through {@link #holdsLease}, and
 * stops it.
 */
public interface JobRun extends Runnable {

    /** Stops the run; the job's status is the caller's business. */
    void stop();

    boolean isStopping();

    /** Whether this run took the job's lease and has not lost it. */
    boolean holdsLease();

    /** Another instance holds the job's lease now: stop without touching the job's status. */
    void loseLease();

    /** Waits until the run has ended, at most {@code timeout}. */
    void awaitStop(Duration timeout);
}
