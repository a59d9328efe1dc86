package io.tributary.gateway.resilience;

import java.util.concurrent.Future;

/**
 * The time limit of one proxied call, made on the request's own (virtual) thread: when it strikes before the call
 * ends, it interrupts that thread, which ends a blocking socket read or write of a virtual thread (the upstream's
 * connection is closed and discarded). No hand-off to another thread per call, as a time limiter around a future
 * would need.
 * <p>
 * The strike and the end are decided under one lock, so that an interrupt never reaches the thread after its call
 * is over (when it writes the answer, or serves its connection's next request): {@link #end} clears an interrupt
 * that struck.
 */
final class CallDeadline implements Runnable {

    private final Thread caller;
    private boolean over;
    private boolean struck;
    volatile Future<?> timer;

    CallDeadline(Thread caller) {
        this.caller = caller;
    }

    /** The timer: the limit is reached. */
    @Override
    public synchronized void run() {
        if (!over) {
            over = true;
            struck = true;
            caller.interrupt();
        }
    }

    /** The call is over (the calling thread says so); true when the limit struck first (its interrupt is cleared). */
    boolean end() {
        boolean timedOut;
        synchronized (this) {
            over = true;
            timedOut = struck;
        }
        Future<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
        if (timedOut) {
            Thread.interrupted();
        }
        return timedOut;
    }
}
