package io.tributary.analytics.lease;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.springframework.core.env.Environment;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.tributary.analytics.config.AnalyticsProperties;

/**
 * Leases that make each job run on one instance at a time, with automatic failover: a worker runs
 * only while this instance holds its job's lease (an {@code analytics_job_lease} row: owner and
 * expiry), renewed every {@code analytics.leases.renew-interval}; a lease not renewed for
 * {@code analytics.leases.ttl} (its owner died or lost the database) is taken by the next instance
 * that looks. Taking is one conditional UPDATE (or the INSERT of a first lease, which the primary
 * key lets only one instance win), so two instances never both hold a live lease.
 *
 * <p>Expiry is judged by each instance's own clock; clocks that disagree by more than the TTL could
 * let a second instance start early. Even then nothing is counted twice: every batch commit checks
 * the checkpoint's version, and the instance that loses that check stops. Thread-safe.
 */
@Service
public class JobLeases {

    private final JobLeaseRepository leases;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final Duration ttl;
    private final String instanceId;

    JobLeases(JobLeaseRepository leases, PlatformTransactionManager transactionManager, Clock clock,
              AnalyticsProperties properties, Environment environment) {
        this.leases = leases;
        this.transactions = new TransactionTemplate(transactionManager);
        this.clock = clock;
        this.ttl = properties.leases().ttl();
        String configured = properties.leases().instanceId();
        this.instanceId = configured == null || configured.isBlank()
                ? hostName() + ":" + environment.getProperty("server.port", "8083") : configured;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** This instance's name in the leases it holds. */
    public String instanceId() {
        return instanceId;
    }

    /** Takes or renews the job's lease; false when another instance holds a live one. */
    public boolean acquire(String job) {
        Instant now = clock.instant();
        Boolean taken = transactions.execute(status -> leases.takeIfFree(job, instanceId, now, now.plus(ttl)) == 1);
        if (Boolean.TRUE.equals(taken)) {
            return true;
        }
        try {
            return Boolean.TRUE.equals(transactions.execute(status -> {
                if (leases.existsById(job)) {
                    return false;
                }
                leases.saveAndFlush(new JobLease(job, instanceId, now.plus(ttl)));
                return true;
            }));
        } catch (DataIntegrityViolationException e) {
            return false; // another instance inserted the first lease at the same moment
        }
    }

    /** Gives the lease up (it expires now), if this instance holds it. */
    public void release(String job) {
        Instant now = clock.instant();
        transactions.executeWithoutResult(status -> leases.expire(job, instanceId, now));
    }

    /** True when another instance holds a live lease on the job. */
    public boolean heldElsewhere(String job) {
        Instant now = clock.instant();
        return leases.findById(job).filter(l -> !l.getOwner().equals(instanceId) && l.getExpiresAt().isAfter(now))
                .isPresent();
    }

    /** The live lease of a job, if any instance holds one. */
    public Optional<JobLease> live(String job) {
        Instant now = clock.instant();
        return leases.findById(job).filter(l -> l.getExpiresAt().isAfter(now));
    }

    /** Forgets the job's lease (the job is deleted). */
    public void forget(String job) {
        transactions.executeWithoutResult(status -> leases.findById(job).ifPresent(leases::delete));
    }
}
