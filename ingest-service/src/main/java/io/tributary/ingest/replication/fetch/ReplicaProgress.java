package io.tributary.ingest.replication.fetch;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;

import io.tributary.ingest.log.PartitionLog;

/**
 * A leader's view, for one partition and one leader epoch, of its followers: how far each one's
 * log reaches (learnt from its fetch offsets), which of them are in sync, and the high watermark
 * that gives: the lowest log end among the leader and the in-sync followers. A follower that has
 * not fetched yet in this epoch counts as holding nothing past the high watermark the leader
 * started the epoch with.
 *
 * <p>In sync, as in Kafka: a follower is caught up at a fetch whose offset reaches the leader's log
 * end as it was at that follower's previous fetch (so a follower that keeps pace with a log that
 * never stops growing is caught up), and out of sync once it was last caught up longer than the lag
 * time ago. It may join again once its log reaches the high watermark. The set itself changes only
 * through {@link #inSync(Set)}: the leader decides ({@link #outOfSync}, {@link #readyToJoin}) and the
 * change takes effect once it is recorded where an election can see it.
 *
 * <p>Made anew for each epoch a node leads in: what was learnt under an earlier leader says nothing
 * about the logs now. Within an epoch the followers change only by a move ({@link #followersChanged}).
 */
public final class ReplicaProgress {

    private final PartitionLog log;
    /** Replaced as a whole by {@link #followersChanged}, under {@code this}; read without it by {@link #fetchedBy}. */
    private volatile Set<Integer> followers;
    private final long startHighWatermark;
    private final long lagNanos;
    private final LongSupplier clock;
    private final long created;
    /** Everything below is guarded by {@code this}. */
    private Set<Integer> inSync;
    private final Map<Integer, Follower> state = new HashMap<>();
    /** Followers counted in sync ahead of their recorded entry: id -> the number of the proposal that adds them. */
    private final Map<Integer, Integer> pending = new HashMap<>();

    /** What the leader knows of one follower. */
    private static final class Follower {
        long reached = -1;
        /** The leader's log end when this follower last fetched, and when that was. */
        long endAtLastFetch = Long.MAX_VALUE;
        long lastFetch;
        long lastCaughtUp;
        /** Since when this view knows it: the epoch's start, or when a move made it a follower. */
        final long since;

        Follower(long since) {
            this.since = since;
            lastCaughtUp = since; // a follower gets the lag time from when it became one
        }
    }

    /** Every follower in sync from the start; no lag limit (for tests and tools). */
    public ReplicaProgress(PartitionLog log, Set<Integer> followers) {
        this(log, followers, followers, Duration.ofDays(365), System::nanoTime);
    }

    /**
     * @param followers the partition's replicas other than this node
     * @param inSync    those counted in sync when the epoch starts
     * @param lagTime   how long a follower may go without catching up before it is out of sync
     * @param clock     nanoseconds, as {@link System#nanoTime}
     */
    public ReplicaProgress(PartitionLog log, Set<Integer> followers, Set<Integer> inSync, Duration lagTime,
                           LongSupplier clock) {
        if (!followers.containsAll(inSync)) {
            throw new IllegalArgumentException("in sync " + inSync + " but followers " + followers);
        }
        this.log = log;
        this.followers = Set.copyOf(followers);
        this.inSync = Set.copyOf(inSync);
        this.startHighWatermark = log.highWatermark();
        this.lagNanos = lagTime.toNanos();
        this.clock = clock;
        this.created = clock.getAsLong();
    }

    /**
     * Follower {@code replicaId} holds every batch below {@code offset} and fetches from there; may
     * move the high watermark. Fetches from a node that is not a follower of the partition are ignored.
     */
    public void fetchedBy(int replicaId, long offset) {
        if (!followers.contains(replicaId)) {
            return;
        }
        long now = clock.getAsLong();
        long end = log.logEndOffset();
        long lowest;
        synchronized (this) {
            Follower f = state.computeIfAbsent(replicaId, id -> new Follower(created));
            if (offset < f.reached) {
                // Its log went back (a restart that lost what it had not flushed, a truncation): it may no
                // longer hold what it was counted for; out of sync now unless this very fetch catches up.
                f.lastCaughtUp = Long.MIN_VALUE / 2;
                f.endAtLastFetch = Long.MAX_VALUE;
            }
            f.reached = offset;
            if (offset >= end) {
                f.lastCaughtUp = now;
            } else if (offset >= f.endAtLastFetch) {
                f.lastCaughtUp = Math.max(f.lastCaughtUp, f.lastFetch);
            }
            f.endAtLastFetch = end;
            f.lastFetch = now;
            lowest = lowestInSync();
        }
        log.raiseHighWatermark(lowest);
    }

    /** After this node appended: with no follower in sync its own log end is the high watermark. */
    public void appended() {
        boolean alone;
        synchronized (this) {
            alone = inSync.isEmpty();
        }
        if (alone) {
            log.raiseHighWatermark(log.logEndOffset());
        }
    }

    /**
     * The partition's replicas changed within this epoch (a move added or removed some): a follower that left
     * is forgotten (no longer holds the high watermark back, nor is judged); a new one is known from now on and
     * starts out of sync, as an adding replica does in Kafka: it holds nothing yet, and joins once its log
     * reaches the high watermark ({@link #readyToJoin}). Without this, a replica a move added mid-epoch had its
     * fetches ignored, and the recorded set ("every replica") counted it in sync for good.
     */
    public void followersChanged(Set<Integer> next) {
        long now = clock.getAsLong();
        long lowest;
        synchronized (this) {
            for (int id : next) {
                if (!followers.contains(id)) {
                    state.put(id, new Follower(now));
                }
            }
            state.keySet().retainAll(next);
            pending.keySet().retainAll(next);
            Set<Integer> in = new TreeSet<>(inSync);
            in.retainAll(next);
            followers = Set.copyOf(next);
            inSync = Set.copyOf(in);
            lowest = lowestInSync();
        }
        log.raiseHighWatermark(lowest);
    }

    /** The followers this view knows. */
    public Set<Integer> followers() {
        return followers;
    }

    /** The followers in sync now, sorted. */
    public synchronized Set<Integer> inSync() {
        return new TreeSet<>(inSync);
    }

    /** The in-sync set as recorded; the high watermark follows it at once (it only ever rises). */
    public void inSync(Set<Integer> members) {
        if (!followers.containsAll(members)) {
            throw new IllegalArgumentException("in sync " + members + " but followers " + followers);
        }
        long lowest;
        synchronized (this) {
            inSync = Set.copyOf(members);
            lowest = lowestInSync();
        }
        log.raiseHighWatermark(lowest);
    }

    /**
     * Followers about to be added to the in-sync set by the leader's proposal number {@code sequence}:
     * counted from now on, before the entry is recorded, so that the high watermark never passes what
     * they hold once they are in the recorded set. They stay counted until an entry records them, or
     * an entry proposed after that one leaves them out ({@link #recorded}). Each counts as caught up
     * now.
     */
    public void joining(Set<Integer> ids, int sequence) {
        Set<Integer> more = new TreeSet<>();
        long now = clock.getAsLong();
        synchronized (this) {
            for (int id : ids) {
                if (followers.contains(id)) {
                    pending.put(id, sequence);
                    more.add(id);
                    // It reached the high watermark now: it gets the lag time from here, or it would be
                    // dropped again at once and the set would flap while it closes the rest of the gap.
                    state.computeIfAbsent(id, x -> new Follower(created)).lastCaughtUp = now;
                }
            }
            more.addAll(inSync);
            inSync = Set.copyOf(more);
        }
    }

    /**
     * An in-sync set was recorded (applied): {@code members} (the leader itself and nodes that are no
     * follower are ignored), plus the followers still joining. {@code sequence}: the number of the
     * proposal that recorded it when this leader proposed it in this epoch, else -1.
     */
    public void recorded(Set<Integer> members, int sequence) {
        long lowest;
        synchronized (this) {
            pending.entrySet().removeIf(e -> members.contains(e.getKey()) || sequence >= e.getValue());
            Set<Integer> now = new TreeSet<>(pending.keySet());
            for (int id : members) {
                if (followers.contains(id)) {
                    now.add(id);
                }
            }
            inSync = Set.copyOf(now);
            lowest = lowestInSync();
        }
        log.raiseHighWatermark(lowest);
    }

    /** In-sync followers that were last caught up longer than the lag time ago: to be dropped. */
    public synchronized Set<Integer> outOfSync() {
        long now = clock.getAsLong();
        Set<Integer> out = new TreeSet<>();
        for (int id : inSync) {
            Follower f = state.get(id);
            long caughtUp = f == null ? created : f.lastCaughtUp;
            if (now - caughtUp > lagNanos) {
                out.add(id);
            }
        }
        return out;
    }

    /**
     * Followers out of sync whose logs reach the high watermark, and the start of this epoch's
     * batches (so they hold what this leader wrote), and that fetched within {@code fetchedWithin}: to be
     * added back. Only one that still fetches: how far a stopped follower reached may be all it left behind
     * (with nothing written since it stopped, its last fetch still reaches the high watermark), and a joiner
     * is waited for by every {@code acks=all} write.
     */
    public synchronized Set<Integer> readyToJoin(long epochStartOffset, Duration fetchedWithin) {
        long hw = log.highWatermark();
        long now = clock.getAsLong();
        Set<Integer> out = new TreeSet<>();
        for (int id : followers) {
            Follower f = state.get(id);
            if (!inSync.contains(id) && f != null && f.reached >= hw && f.reached >= epochStartOffset
                    && now - f.lastFetch <= fetchedWithin.toNanos()) {
                out.add(id);
            }
        }
        return out;
    }

    /** Followers that have not fetched for {@code time} (since they became followers when they never did). */
    public synchronized Set<Integer> notFetchingFor(Duration time) {
        long now = clock.getAsLong();
        Set<Integer> out = new TreeSet<>();
        for (int id : followers) {
            Follower f = state.get(id);
            long last = f == null ? created : f.lastFetch == 0 ? f.since : f.lastFetch;
            if (now - last > time.toNanos()) {
                out.add(id);
            }
        }
        return out;
    }

    /**
     * Followers that have not fetched at all in this epoch (as far as this view knows: it is made at the
     * epoch's first fetch or in-sync check, whichever comes first, so it saw every fetch of the epoch).
     */
    public synchronized Set<Integer> neverFetched() {
        Set<Integer> out = new TreeSet<>();
        for (int id : followers) {
            Follower f = state.get(id);
            if (f == null || f.lastFetch == 0) {
                out.add(id);
            }
        }
        return out;
    }

    /** How far a follower's log reaches, as far as this leader learnt; -1 before its first fetch. */
    public synchronized long reached(int replicaId) {
        Follower f = state.get(replicaId);
        return f == null ? -1 : f.reached;
    }

    private long lowestInSync() {
        long lowest = log.logEndOffset();
        for (int id : inSync) {
            Follower f = state.get(id);
            lowest = Math.min(lowest, f == null || f.reached < 0 ? startHighWatermark : f.reached);
        }
        return lowest;
    }
}
