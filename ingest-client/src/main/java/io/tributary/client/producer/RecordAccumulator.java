package io.tributary.client.producer;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.tributary.client.TopicPartition;

/**
 * Collects records into per-partition batches and hands ready batches to the sender.
 *
 * <p>Invariant: a partition has at most one batch in flight, and batches leave a partition's
 * queue in the order they were created, so the log keeps each partition's send order.
 */
final class RecordAccumulator {

    private final int batchSize;
    private final long maxBatchBytes;
    private final long lingerNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<TopicPartition, Deque<ProducerBatch>> queues = new LinkedHashMap<>();
    private final Set<TopicPartition> inFlight = new HashSet<>();
    /** Batches queued or in flight. */
    private final Set<ProducerBatch> incomplete = new HashSet<>();
    private boolean closing;

    RecordAccumulator(int batchSize, long maxBatchBytes, Duration linger) {
        this.batchSize = batchSize;
        this.maxBatchBytes = maxBatchBytes;
        this.lingerNanos = linger.toNanos();
    }

    void append(TopicPartition partition, ProducerRecord record, int recordBytes,
                CompletableFuture<RecordMetadata> future) {
        lock.lock();
        try {
            if (closing) {
                throw new IllegalStateException("producer is closing");
            }
            Deque<ProducerBatch> queue = queues.computeIfAbsent(partition, p -> new ArrayDeque<>());
            ProducerBatch last = queue.peekLast();
            if (last != null && last.tryAppend(record, recordBytes, future, batchSize, maxBatchBytes)) {
                if (last.isFull(batchSize, maxBatchBytes)) {
                    changed.signalAll();
                }
                return;
            }
            ProducerBatch batch = new ProducerBatch(partition, System.nanoTime());
            batch.tryAppend(record, recordBytes, future, batchSize, maxBatchBytes);
            queue.addLast(batch);
            incomplete.add(batch);
            // A new batch starts a linger clock the sender may not be waiting for yet.
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until some batches are ready and marks their partitions in flight. A batch is ready
     * when it is full, sealed, lingered long enough, followed by another batch, or the
     * accumulator is closing.
     *
     * @return the ready batches, or null once closing and everything has completed
     */
    List<ProducerBatch> awaitReady() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                long now = System.nanoTime();
                long waitNanos = Long.MAX_VALUE;
                List<ProducerBatch> ready = new ArrayList<>();
                for (Map.Entry<TopicPartition, Deque<ProducerBatch>> entry : queues.entrySet()) {
                    Deque<ProducerBatch> queue = entry.getValue();
                    if (queue.isEmpty() || inFlight.contains(entry.getKey())) {
                        continue;
                    }
                    ProducerBatch head = queue.peekFirst();
                    long lingeredNanos = now - head.createdNanos();
                    if (closing || head.isSealed() || queue.size() > 1 || lingeredNanos >= lingerNanos
                            || head.isFull(batchSize, maxBatchBytes)) {
                        head.seal();
                        queue.pollFirst();
                        inFlight.add(entry.getKey());
                        ready.add(head);
                    } else {
                        waitNanos = Math.min(waitNanos, lingerNanos - lingeredNanos);
                    }
                }
                if (!ready.isEmpty()) {
                    return ready;
                }
                if (closing && incomplete.isEmpty()) {
                    return null;
                }
                if (waitNanos == Long.MAX_VALUE) {
                    changed.await();
                } else {
                    changed.awaitNanos(waitNanos);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Frees the batch's partition for its next batch. */
    void completed(ProducerBatch batch) {
        lock.lock();
        try {
            inFlight.remove(batch.partition());
            incomplete.remove(batch);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Makes every open batch ready now and returns the completions of all unfinished batches. */
    List<CompletableFuture<?>> sealAll() {
        lock.lock();
        try {
            queues.values().forEach(queue -> queue.forEach(ProducerBatch::seal));
            changed.signalAll();
            List<CompletableFuture<?>> pending = new ArrayList<>();
            incomplete.forEach(batch -> pending.add(batch.settled()));
            return pending;
        } finally {
            lock.unlock();
        }
    }

    /** Refuses further appends; the sender drains what is left and then stops. */
    void close() {
        lock.lock();
        try {
            closing = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
