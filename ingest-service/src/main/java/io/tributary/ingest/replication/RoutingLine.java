package io.tributary.ingest.replication;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per partition, the parts that wait before they are routed, in the order they were handed over.
 *
 * <p>A part waits while its partition's switch to leader-written appends is due, its group elects
 * or a new leader's in-sync set settles ({@link DirectWrites}). A part handed over after it must not
 * be appended first, or a producer's batches would land out of the order its connection sent them in
 * (an idempotent producer's first batch behind its later ones). So while a part of a partition
 * waits, every part of that partition that comes after it lines up behind it ({@link #joinIfWaiting}),
 * and each is routed only once the one before it was handed over (appended or forwarded) or refused.
 *
 * <p>A part with no one waiting before it routes at once and never touches this line. Each turn must
 * be {@linkplain Turn#release released} on every path (a second release does nothing): a turn never
 * released would hold its partition's later parts until their requests time out.
 */
final class RoutingLine {

    private static final CompletableFuture<Void> NONE = CompletableFuture.completedFuture(null);

    /** Per partition, the last turn in line: done once every turn before it, and it, were released. */
    private final Map<String, CompletableFuture<Void>> last = new ConcurrentHashMap<>();

    /** A part's place in line. */
    final class Turn {
        private final String partition;
        private final CompletableFuture<Void> before;
        private final CompletableFuture<Void> released;

        private Turn(String partition, CompletableFuture<Void> before, CompletableFuture<Void> released) {
            this.partition = partition;
            this.before = before == null ? NONE : before;
            this.released = released;
        }

        /** Completes once every part before this one in line was handed over (never fails). */
        CompletableFuture<Void> ready() {
            return before;
        }

        /**
         * This part was handed over (or gave up): the next one in line may go once the ones before this
         * one have gone too. Further calls do nothing.
         */
        void release() {
            before.thenRun(() -> {
                if (released.complete(null)) {
                    last.remove(partition, released);
                }
            });
        }
    }

    /** A turn at the end of the line when a part of {@code partition} is waiting; null when none is (route at once). */
    Turn joinIfWaiting(String partition) {
        CompletableFuture<Void> tail = last.get(partition);
        return tail == null || tail.isDone() ? null : join(partition);
    }

    /** A turn at the end of the line of {@code partition}, for a part that has to wait before it is routed. */
    Turn join(String partition) {
        CompletableFuture<Void> released = new CompletableFuture<>();
        // Swapped in atomically, so turns follow the order they joined in.
        return new Turn(partition, last.put(partition, released), released);
    }
}
