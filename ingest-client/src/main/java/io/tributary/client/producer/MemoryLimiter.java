package io.tributary.client.producer;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** Bounds the estimated bytes of records that are accepted but not yet completed. */
final class MemoryLimiter {

    private final long capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    private long used;

    MemoryLimiter(long capacity) {
        this.capacity = capacity;
    }

    /**
     * Reserves {@code bytes}, waiting up to {@code maxWait} for other records to complete.
     *
     * @throws BufferExhaustedException when the wait ran out
     */
    void acquire(long bytes, Duration maxWait) throws InterruptedException {
        if (bytes > capacity) {
            throw new IllegalArgumentException("record of about " + bytes + " bytes exceeds bufferMemory " + capacity);
        }
        long remaining = maxWait.toNanos();
        lock.lock();
        try {
            while (used + bytes > capacity) {
                if (remaining <= 0) {
                    throw new BufferExhaustedException("no buffer memory freed within " + maxWait
                            + " (bufferMemory " + capacity + " bytes)");
                }
                remaining = released.awaitNanos(remaining);
            }
            used += bytes;
        } finally {
            lock.unlock();
        }
    }

    void release(long bytes) {
        lock.lock();
        try {
            used -= bytes;
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    long used() {
        lock.lock();
        try {
            return used;
        } finally {
            lock.unlock();
        }
    }
}
