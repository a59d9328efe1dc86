package io.tributary.ingest.log;

import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Parked long-poll fetches of one partition. A fetch that found nothing registers the offset
 * it waits for; every advance of the offset watched (the high watermark for readers, the log end
 * for a follower's fetch) completes the futures it satisfies. No thread is held while waiting:
 * the caller answers when the future completes or times out.
 */
final class DataWaiters {

    private record Waiter(long offset, CompletableFuture<Void> future) {
    }

    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();

    /** Completes once the watched offset is above {@code offset} (or the log closes). */
    CompletableFuture<Void> await(long offset, long current) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        if (offset < current) {
            future.complete(null);
            return future;
        }
        waiters.add(new Waiter(offset, future));
        // Drop the waiter as soon as it completes for any reason (timeout included).
        future.whenComplete((v, e) -> waiters.removeIf(w -> w.future == future));
        return future;
    }

    void advanced(long to) {
        if (waiters.isEmpty()) {
            return;
        }
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.offset < to) {
                it.remove();
                w.future.complete(null);
            }
        }
    }

    void releaseAll() {
        for (Waiter w; (w = waiters.poll()) != null; ) {
            w.future.complete(null);
        }
    }
}
