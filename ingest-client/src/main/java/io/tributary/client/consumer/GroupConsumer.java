package io.tributary.client.consumer;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.client.ConsumedRecord;
import io.tributary.client.IngestException;
import io.tributary.client.ProblemKind;
import io.tributary.problem.ProblemType;
import io.tributary.client.TopicPartition;
import io.tributary.client.internal.HttpTransport;

/**
 * A member of a consumer group. The service keeps all group state (assignment, positions,
 * committed offsets); this class joins on the first {@link #poll}, heartbeats in the
 * background, follows assignment changes and commits what the application has processed.
 *
 * <p><b>Not thread-safe.</b> Call every method from one polling thread, except
 * {@link #wakeup()}, which another thread may call to make a blocked or the next {@code poll}
 * throw {@link WakeupException}; the polling thread then calls {@link #close()}.
 *
 * <p>Assignment changes are noticed in heartbeat, poll and commit answers and reported to the
 * {@link RebalanceListener} on the polling thread. When the service forgets the member (its
 * session expired), the consumer rejoins transparently, revoking everything it owned and
 * assigning the new assignment.
 *
 * <p>Each poll tells the service which answer arrived last ({@code after}, the answer's
 * {@code pollSeq}), so a poll whose answer was lost (a reset, a timeout, a node dying after
 * answering) is sent again and gets that answer's records again: records are delivered at least
 * once, never skipped. {@code poll} tries again after such a failure, and after a 503 the service
 * marked retriable, until its timeout, and only rethrows a failure that outlasts it.
 *
 * <p>On a cluster ({@link io.tributary.client.ClientSettings#bootstrapUrls()} lists several nodes),
 * every call goes to the next node when one fails. While a group's coordinator moves, the service
 * may answer 503 (retriable) or a node may refuse connections: {@code poll} tries again as above;
 * heartbeats and commits go to the next node within their request timeout; none of this gives up
 * the assignment. A member the new coordinator does not know (404) rejoins as above, from the
 * committed offsets.
 *
 * <pre>{@code
 * try (GroupConsumer consumer = new GroupConsumer(settings, RebalanceListener.NONE)) {
 *     while (running) {
 *         for (ConsumedRecord record : consumer.poll(Duration.ofSeconds(1))) {
 *             process(record);
 *         }
 *         consumer.commitSync();
 *     }
 * }
 * }</pre>
 */
public final class GroupConsumer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupConsumer.class);
    private static final int MAX_PAUSE_DOUBLINGS = 5;
    /** A commit refused by a rebalance is sent again, for the partitions still owned, this many times in all. */
    private static final int MAX_COMMIT_ATTEMPTS = 3;

    private final ConsumerSettings settings;
    private final RebalanceListener listener;
    private final GroupProtocol protocol;
    private final ScheduledExecutorService heartbeats;
    /** Written by the polling thread only; read by the heartbeat thread. */
    private volatile Membership membership;
    /** The latest heartbeat answer, for the polling thread to apply. */
    private final AtomicReference<Membership> heartbeatAnswer = new AtomicReference<>();
    private volatile boolean memberExpired;
    private final AtomicBoolean wakeupRequested = new AtomicBoolean();
    private volatile CompletableFuture<?> pendingPoll;
    /** Next offset to consume per owned partition, from records already returned by poll. */
    private final Map<TopicPartition, Long> positions = new HashMap<>();
    /** The pollSeq of the latest poll answer received by this member (0: none yet). */
    private long lastPollSeq;
    /**
     * False once an answer came without pollSeq: that service ignores {@code after}, so a poll
     * that may have reached it is not sent again (its records would be skipped).
     */
    private boolean pollsResendable = true;
    private boolean heartbeatStarted;
    private boolean closed;

    public GroupConsumer(ConsumerSettings settings, RebalanceListener listener) {
        this.settings = settings;
        this.listener = listener;
        this.protocol = new GroupProtocol(new HttpTransport(settings.client()), settings.group());
        this.heartbeats = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "group-consumer-heartbeat-" + settings.group());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Returns the next records of the owned partitions, waiting up to {@code timeout} for some.
     * Joins the group first if needed. An empty list means nothing arrived in time.
     *
     * @throws WakeupException when {@link #wakeup()} was called
     */
    public List<ConsumedRecord> poll(Duration timeout) {
        ensureOpen();
        throwIfWakeupRequested();
        if (settings.enableAutoCommit()) {
            commitQuietly();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        int failures = 0;
        while (true) {
            try {
                ensureMember();
            } catch (IngestException e) {
                // A join that may have happened is not sent again: it would leave a member behind.
                pauseOrThrow(e, deadline, ++failures, false);
                continue;
            }
            applyHeartbeatAnswer();
            Duration wait = shorter(settings.pollWait(), Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            GroupProtocol.PollAnswer answer;
            try {
                answer = awaitPoll(protocol.poll(membership.memberId(), lastPollSeq, settings.maxPollRecords(),
                        wait));
            } catch (IngestException e) {
                if (e.kind() == ProblemKind.NOT_FOUND) {
                    memberExpired = true;
                } else if (ProblemType.UNKNOWN_POLL_SEQUENCE.is(e.type())) {
                    // The service lost track of which answers arrived: start over from the committed offsets.
                    LOG.warn("Group {}: {}; rejoining", settings.group(), e.getMessage());
                    leaveQuietly();
                    memberExpired = true;
                } else {
                    pauseOrThrow(e, deadline, ++failures, pollsResendable);
                }
                continue;
            }
            failures = 0;
            if (answer.pollSeq() < 0) {
                pollsResendable = false;
            } else {
                lastPollSeq = answer.pollSeq();
            }
            apply(answer.membership());
            for (ConsumedRecord record : answer.records()) {
                positions.put(record.topicPartition(), record.offset() + 1);
            }
            if (!answer.records().isEmpty() || wait.isZero() || System.nanoTime() >= deadline) {
                return answer.records();
            }
        }
    }

    /**
     * Commits the positions after the records returned by {@code poll} so far, as
     * {@link #commitSync(Map)} does.
     *
     * @throws CommitFailedException when some of the partitions belong to another member now, or the
     *                               member had expired; the assignment is refreshed first
     */
    public void commitSync() {
        ensureOpen();
        if (!positions.isEmpty()) {
            commitSync(Map.copyOf(positions));
        }
    }

    /**
     * Commits the given next-offsets-to-consume (Kafka semantics: the offset after the last
     * processed record).
     *
     * <p>When the group rebalanced since the records were polled (the service answers 409), the
     * consumer refreshes its assignment and commits again the offsets of the partitions it still
     * owns: the service kept its read positions there, so that progress is this member's to
     * record. Without that, a member that keeps a partition through a rebalance would leave its
     * last poll uncommitted until more records arrive there, and its lag would never reach zero.
     *
     * @throws CommitFailedException when the group has moved on and some of the partitions belong to
     *                               another member now (the rest is committed), or the member had
     *                               expired; the assignment is refreshed first
     */
    public void commitSync(Map<TopicPartition, Long> offsets) {
        ensureOpen();
        ensureMember();
        Map<TopicPartition, Long> pending = offsets;
        IngestException refusal = null;
        for (int attempt = 1; ; attempt++) {
            try {
                protocol.commit(membership, pending);
                break;
            } catch (IngestException e) {
                if (e.status() == 409) {
                    refreshAssignment();
                    Map<TopicPartition, Long> stillOwned = new HashMap<>(pending);
                    stillOwned.keySet().retainAll(assignment());
                    if (stillOwned.isEmpty() || attempt == MAX_COMMIT_ATTEMPTS) {
                        throw new CommitFailedException("commit rejected, the group has rebalanced: " + e.getMessage(),
                                e);
                    }
                    LOG.debug("Group {}: {}; committing again for the partitions still owned", settings.group(),
                            e.getMessage());
                    pending = stillOwned;
                    refusal = e;
                    continue;
                }
                if (e.kind() == ProblemKind.NOT_FOUND) {
                    memberExpired = true;
                    ensureMember();
                    throw new CommitFailedException("commit rejected, the member had expired and rejoined", e);
                }
                throw e;
            }
        }
        if (pending.size() < offsets.size()) {
            Set<TopicPartition> moved = new HashSet<>(offsets.keySet());
            moved.removeAll(pending.keySet());
            throw new CommitFailedException("the group has rebalanced: committed " + pending.keySet()
                    + ", not " + moved + ", which another member owns now", refusal);
        }
    }

    /** The partitions this member owns as far as it knows; empty before the first poll. */
    public Set<TopicPartition> assignment() {
        Membership current = membership;
        return current == null ? Set.of() : current.assignment();
    }

    /**
     * Makes a blocked {@code poll} (or the next one) throw {@link WakeupException}. Thread-safe.
     * Records the aborted poll may have been served are delivered by the next poll.
     */
    public void wakeup() {
        wakeupRequested.set(true);
        CompletableFuture<?> inFlight = pendingPoll;
        if (inFlight != null) {
            inFlight.cancel(true);
        }
    }

    /**
     * Revokes the assignment (the listener may still commit), commits when auto-commit is on,
     * leaves the group and stops heartbeating. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        heartbeats.shutdownNow();
        Membership current = membership;
        if (current != null && !memberExpired) {
            try {
                if (!current.assignment().isEmpty()) {
                    listener.onPartitionsRevoked(current.assignment());
                }
                if (settings.enableAutoCommit()) {
                    commitQuietly();
                }
                protocol.leave(current.memberId());
            } catch (RuntimeException e) {
                LOG.warn("Could not leave group {} cleanly: {}", settings.group(), e.getMessage());
            }
        }
        closed = true;
    }

    private void ensureMember() {
        if (membership != null && !memberExpired) {
            return;
        }
        Membership lost = membership;
        positions.clear();
        if (lost != null && !lost.assignment().isEmpty()) {
            // Emptied before the join, which may fail and be tried again: revoked once.
            membership = new Membership(lost.memberId(), lost.generation(), Set.of());
            listener.onPartitionsRevoked(lost.assignment());
        }
        Membership joined = protocol.join(settings);
        heartbeatAnswer.set(null);
        lastPollSeq = 0;
        membership = joined;
        memberExpired = false;
        startHeartbeats();
        if (!joined.assignment().isEmpty()) {
            listener.onPartitionsAssigned(joined.assignment());
        }
    }

    /** Moves to a newer membership, telling the listener what was lost and gained. */
    private void apply(Membership next) {
        Membership current = membership;
        if (!next.memberId().equals(current.memberId()) || next.generation() < current.generation()
                || !next.differsFrom(current)) {
            return;
        }
        Set<TopicPartition> revoked = new HashSet<>(current.assignment());
        revoked.removeAll(next.assignment());
        Set<TopicPartition> assigned = new HashSet<>(next.assignment());
        assigned.removeAll(current.assignment());
        if (!revoked.isEmpty()) {
            listener.onPartitionsRevoked(revoked);
        }
        positions.keySet().removeAll(revoked);
        membership = next;
        if (!assigned.isEmpty()) {
            listener.onPartitionsAssigned(assigned);
        }
    }

    private void applyHeartbeatAnswer() {
        Membership answer = heartbeatAnswer.getAndSet(null);
        if (answer != null) {
            apply(answer);
        }
    }

    private void refreshAssignment() {
        try {
            apply(protocol.heartbeat(membership.memberId()));
        } catch (IngestException e) {
            if (e.kind() != ProblemKind.NOT_FOUND) {
                throw e;
            }
            memberExpired = true;
            ensureMember();
        }
    }

    private void startHeartbeats() {
        if (heartbeatStarted) {
            return;
        }
        heartbeatStarted = true;
        long interval = settings.heartbeatInterval().toMillis();
        heartbeats.scheduleWithFixedDelay(this::heartbeat, interval, interval, TimeUnit.MILLISECONDS);
    }

    /** Runs on the heartbeat thread: never calls the listener, only records what it saw. */
    private void heartbeat() {
        Membership current = membership;
        if (current == null || memberExpired) {
            return;
        }
        try {
            heartbeatAnswer.set(protocol.heartbeat(current.memberId()));
        } catch (IngestException e) {
            if (e.kind() == ProblemKind.NOT_FOUND && current == membership) {
                memberExpired = true;
            } else {
                LOG.debug("Heartbeat for group {} failed: {}", settings.group(), e.getMessage());
            }
        } catch (RuntimeException e) {
            LOG.warn("Heartbeat for group {} failed", settings.group(), e);
        }
    }

    private GroupProtocol.PollAnswer awaitPoll(CompletableFuture<GroupProtocol.PollAnswer> poll) {
        pendingPoll = poll;
        try {
            if (wakeupRequested.get()) {
                poll.cancel(true);
            }
            return poll.join();
        } catch (CancellationException | CompletionException e) {
            // A cancelled exchange may surface either way, depending on where it was cancelled.
            throwIfWakeupRequested();
            if (e instanceof CompletionException && e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        } finally {
            pendingPoll = null;
        }
    }

    /**
     * After a failed join or poll: rethrows it unless it is transient and the poll's time is not
     * up; otherwise pauses, shorter than what is left, and returns for the next try. Transient: the
     * service refused it as unavailable (a retriable 502/503/504), it never reached a node, or, when
     * {@code mayHaveArrived}, no answer came (a reset, a timeout); on a cluster the transport has
     * tried every node by now.
     *
     * @param mayHaveArrived whether a request that may have been processed without its answer
     *                       arriving may be sent again (a poll carrying {@code after})
     */
    private void pauseOrThrow(IngestException failure, long deadline, int failures, boolean mayHaveArrived) {
        boolean transientFailure = HttpTransport.nodeFailure(failure)
                && (failure.status() != 0 || mayHaveArrived || HttpTransport.neverSent(failure));
        long left = deadline - System.nanoTime();
        if (!transientFailure || left <= 0) {
            throw failure;
        }
        LOG.debug("Group {}: {}; trying again", settings.group(), failure.getMessage());
        long pause = Math.min(left, settings.client().failoverBackoff().toNanos()
                * (1L << Math.min(failures, MAX_PAUSE_DOUBLINGS)));
        CompletableFuture<Void> sleep = new CompletableFuture<Void>()
                .completeOnTimeout(null, Math.max(1, pause), TimeUnit.NANOSECONDS);
        pendingPoll = sleep;
        try {
            if (wakeupRequested.get()) {
                sleep.cancel(true);
            }
            sleep.join();
        } catch (CancellationException e) {
            throwIfWakeupRequested();
            throw e;
        } finally {
            pendingPoll = null;
        }
    }

    private void leaveQuietly() {
        try {
            protocol.leave(membership.memberId());
        } catch (RuntimeException e) {
            LOG.debug("Group {}: leaving before rejoining failed: {}", settings.group(), e.getMessage());
        }
    }

    private void commitQuietly() {
        try {
            commitSync();
        } catch (RuntimeException e) {
            LOG.warn("Auto-commit for group {} failed: {}", settings.group(), e.getMessage());
        }
    }

    private void throwIfWakeupRequested() {
        if (wakeupRequested.getAndSet(false)) {
            throw new WakeupException();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("consumer is closed");
        }
    }

    private static Duration shorter(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
