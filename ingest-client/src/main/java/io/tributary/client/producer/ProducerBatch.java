package io.tributary.client.producer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.tributary.client.TopicPartition;

/**
 * Records bound for one partition that travel in one request. Appends happen under the
 * accumulator's lock; once drained, only the dispatcher touches the batch.
 */
final class ProducerBatch {

    private final TopicPartition partition;
    private final long createdNanos;
    private final List<ProducerRecord> records = new ArrayList<>();
    private final List<CompletableFuture<RecordMetadata>> recordFutures = new ArrayList<>();
    private final CompletableFuture<List<RecordMetadata>> done = new CompletableFuture<>();
    /** Completes after the producer's own bookkeeping for a finished batch (memory, fencing). */
    private final CompletableFuture<Void> settled = new CompletableFuture<>();
    private long bytes;
    private boolean sealed;
    private int attempts;
    private long deadlineNanos;

    ProducerBatch(TopicPartition partition, long createdNanos) {
        this.partition = partition;
        this.createdNanos = createdNanos;
    }

    /** A batch the caller assembled itself ({@code sendBatch}); nothing can be appended to it. */
    static ProducerBatch of(TopicPartition partition, List<ProducerRecord> records) {
        ProducerBatch batch = new ProducerBatch(partition, System.nanoTime());
        batch.records.addAll(records);
        batch.sealed = true;
        return batch;
    }

    /**
     * Adds the record unless the batch is sealed or would exceed a limit. An empty batch always
     * takes the record, so a record larger than {@code maxBytes} still travels, alone.
     */
    boolean tryAppend(ProducerRecord record, int recordBytes, CompletableFuture<RecordMetadata> future,
                      int maxRecords, long maxBytes) {
        if (sealed || (!records.isEmpty() && (records.size() >= maxRecords || bytes + recordBytes > maxBytes))) {
            return false;
        }
        records.add(record);
        recordFutures.add(future);
        bytes += recordBytes;
        return true;
    }

    boolean isFull(int maxRecords, long maxBytes) {
        return records.size() >= maxRecords || bytes >= maxBytes;
    }

    void seal() {
        sealed = true;
    }

    boolean isSealed() {
        return sealed;
    }

    TopicPartition partition() {
        return partition;
    }

    long createdNanos() {
        return createdNanos;
    }

    long bytes() {
        return bytes;
    }

    List<ProducerRecord> records() {
        return Collections.unmodifiableList(records);
    }

    CompletableFuture<List<RecordMetadata>> done() {
        return done;
    }

    CompletableFuture<Void> settled() {
        return settled;
    }

    void markSettled() {
        settled.complete(null);
    }

    /** Counts an attempt and returns how many there have been, including this one. */
    int nextAttempt() {
        return ++attempts;
    }

    long deadlineNanos() {
        return deadlineNanos;
    }

    void startDeliveryClock(long deadline) {
        this.deadlineNanos = deadline;
    }

    void succeed(List<RecordMetadata> metadata) {
        for (int i = 0; i < recordFutures.size(); i++) {
            recordFutures.get(i).complete(metadata.get(i));
        }
        done.complete(metadata);
    }

    void fail(Throwable error) {
        recordFutures.forEach(future -> future.completeExceptionally(error));
        done.completeExceptionally(error);
    }
}
