package io.tributary.ingest.replication;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;

import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.exceptions.AlreadyExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds this node's member of a Raft group to its server, and tries again when that fails, for as
 * long as the group is still placed on this node.
 *
 * <p>Why again: Ratis 3.2 registers a new member before it starts it, and the group's leader can
 * reach it in between. An install-snapshot notification (sent when the leader purged the entries
 * this member lacks: a wiped, new or long-stopped replica) handled then starts the member's
 * follower timer, and the start that follows fails on finding one running ("previous != null").
 * Ratis then unregisters the member but does not close it: its storage stays locked and its timer
 * runs. Such a left-over member is closed here before the next attempt, which otherwise could not
 * lock the storage.
 *
 * <p>Every attempt runs on the admin executor, one change at a time in the order asked.
 */
final class GroupJoins {

    private static final Logger log = LoggerFactory.getLogger(GroupJoins.class);
    static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
    static final Duration LONGEST_PAUSE = Duration.ofSeconds(30);
    private static final long ADD_TIMEOUT_SECONDS = 30;

    /** Ratis's group-add call on this node's server. */
    interface Server {
        CompletableFuture<?> add(RaftGroup group);

        /** A member of the group this server created but no longer has registered, or null. */
        Closeable leftover(RaftGroupId gid);
    }

    private final Server server;
    private final Predicate<RaftGroupId> placedHere;
    private final Function<RaftGroupId, Object> describe;
    private final Executor admin;
    private final Duration firstPause;

    /**
     * @param placedHere whether the group still has a member on this node (checked before each retry)
     * @param describe   what a group is, for the log (its partition)
     * @param admin      the executor every attempt runs on (single-threaded: changes in order)
     */
    GroupJoins(Server server, Predicate<RaftGroupId> placedHere, Function<RaftGroupId, Object> describe,
               Executor admin, Duration firstPause) {
        this.server = server;
        this.placedHere = placedHere;
        this.describe = describe;
        this.admin = admin;
        this.firstPause = firstPause;
    }

    /** Joins the group now, on the calling (admin) thread; a failed attempt is retried later. */
    void join(RaftGroup group) {
        attempt(group, 1);
    }

    private void attempt(RaftGroup group, int attempt) {
        RaftGroupId gid = group.getGroupId();
        try {
            server.add(group).get(ADD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            log.info("joined Raft group {} of {}{}", gid, describe.apply(gid),
                    attempt == 1 ? "" : " (attempt " + attempt + ")");
        } catch (ExecutionException e) {
            if (alreadyMember(e)) {
                log.debug("already in Raft group {}", gid);
                return;
            }
            closeLeftover(gid);
            retryLater(group, attempt, e.getCause());
        } catch (TimeoutException e) {
            // The add may still finish; the next attempt then finds the member (AlreadyExists).
            retryLater(group, attempt, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean alreadyMember(ExecutionException e) {
        Throwable cause = e.getCause();
        return cause instanceof AlreadyExistsException
                || cause != null && cause.getCause() instanceof AlreadyExistsException;
    }

    private void closeLeftover(RaftGroupId gid) {
        Closeable leftover = server.leftover(gid);
        if (leftover == null) {
            return;
        }
        try {
            leftover.close();
            log.info("closed the member of Raft group {} whose start failed", gid);
        } catch (IOException | RuntimeException e) {
            log.warn("closing the member of Raft group {} whose start failed did not succeed", gid, e);
        }
    }

    private void retryLater(RaftGroup group, int attempt, Throwable failure) {
        RaftGroupId gid = group.getGroupId();
        Duration pause = pause(attempt);
        log.warn("could not join Raft group {} of {} (attempt {}); trying again in {}", gid, describe.apply(gid),
                attempt, pause, failure);
        // Once the node stops, its admin executor refuses the attempt (on the delay's own thread).
        CompletableFuture.delayedExecutor(pause.toMillis(), TimeUnit.MILLISECONDS, admin).execute(() -> {
            if (placedHere.test(gid)) {
                attempt(group, attempt + 1);
            } else {
                log.info("not joining Raft group {} again: it is no longer placed on this node", gid);
            }
        });
    }

    /** Doubling from the first pause, at most {@link #LONGEST_PAUSE}. */
    Duration pause(int attempt) {
        long factor = 1L << Math.min(attempt - 1, 20);
        Duration pause = firstPause.multipliedBy(factor);
        return pause.compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause;
    }
}
