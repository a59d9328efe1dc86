package io.tributary.ingest.replication;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

import org.apache.ratis.protocol.RaftClientReply;

/**
 * Group commit of one partition's appends on the node that receives them. A batch that arrives
 * while {@code maxInFlight} entries of the partition are already on their way waits; when one of
 * them completes, everything waiting (up to {@code maxEntryBytes}) goes as one Raft entry. A
 * Raft entry has a fixed cost that does not depend on its size (the client round trip to the
 * leader, the leader's log write and flush, an append to each follower and its answer, the
 * apply on every replica), and under load that fixed cost is most of the replicated path's CPU
 * (docs/replication.md, "Costs"); group commit pays it once for several requests. An idle
 * partition sends a batch at once: nothing waits for a timer.
 *
 * <p>Entry format: the encoded record batches back to back, each delimited by its own length
 * field ({@link io.tributary.ingest.log.RecordBatch#sizeAt}); an entry of one batch is that batch.
 * The apply answers one reply per batch ({@link ApplyReply#split}), so each caller learns its own
 * offsets or refusal: batches of one entry are appended, checked and refused independently.
 *
 * <p>A failure of the entry (no majority in time, a closed request window) fails every batch in
 * it with the same cause; the caller answers 503, as for a single batch. Entries are sent in
 * order through one ordered Ratis client, so the partition keeps the order of arrival.
 */
final class GroupCommit {

    /**
     * Sends an entry's bytes ({@link RaftNode#send}); completes with a successful Ratis reply or
     * exceptionally with the failure.
     */
    interface Sender {
        CompletableFuture<RaftClientReply> send(byte[] entry);
    }

    private final Sender sender;
    private final int maxInFlight;
    private final int maxEntryBytes;
    private final long timeoutMs;
    /** Runs completions: never a Ratis thread, which may hold the client's locks while it completes a reply. */
    private final Executor completions;
    /** Told the number of batches of each entry sent (a metric). */
    private final IntConsumer batchesPerEntry;
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    /** Entries taken off the queue (so counted in flight) but not yet handed to the client, in order. */
    private final ArrayDeque<List<Pending>> outbox = new ArrayDeque<>();
    /** True while one thread hands the outbox to the client; the others leave it their entries. */
    private boolean handing;
    private int inFlight;

    private record Pending(byte[] batch, CompletableFuture<ByteBuffer> reply) {
    }

    GroupCommit(Sender sender, int maxInFlight, int maxEntryBytes, long timeoutMs, Executor completions,
                IntConsumer batchesPerEntry) {
        this.batchesPerEntry = batchesPerEntry;
        this.sender = sender;
        this.maxInFlight = Math.max(1, maxInFlight);
        this.maxEntryBytes = maxEntryBytes;
        this.timeoutMs = timeoutMs;
        this.completions = completions;
    }

    /**
     * Queues one encoded batch; completes with this batch's apply reply (see {@link ApplyReply}),
     * or exceptionally with the entry's failure ({@link java.util.concurrent.TimeoutException}
     * after the request timeout, or the Ratis exception).
     */
    CompletableFuture<ByteBuffer> submit(byte[] batch) {
        Pending p = new Pending(batch, new CompletableFuture<>());
        synchronized (this) {
            waiting.add(p);
            if (inFlight < maxInFlight) {
                takeEntry();
            }
        }
        handOver();
        return p.reply;
    }

    /** Batches waiting to be sent (for tests and metrics). */
    synchronized int waiting() {
        return waiting.size();
    }

    /** Moves the next entry's batches (at least one) from the queue to the outbox; it is in flight from now on. */
    private void takeEntry() {
        List<Pending> entry = new ArrayList<>();
        int bytes = 0;
        while (!waiting.isEmpty()) {
            int next = waiting.peek().batch.length;
            if (!entry.isEmpty() && bytes + next > maxEntryBytes) {
                break;
            }
            entry.add(waiting.poll());
            bytes += next;
        }
        inFlight++;
        outbox.add(entry);
    }

    /**
     * Hands the outbox to the client, in order, outside the lock: the client takes locks of its own
     * and completes replies while holding them, so calling it under this lock could deadlock. One
     * thread at a time hands over; an entry queued meanwhile is handed over by that thread.
     */
    private void handOver() {
        while (true) {
            List<Pending> entry;
            synchronized (this) {
                if (handing || outbox.isEmpty()) {
                    return;
                }
                entry = outbox.poll();
                handing = true;
            }
            batchesPerEntry.accept(entry.size());
            CompletableFuture<RaftClientReply> f;
            try {
                f = sender.send(concat(entry));
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            } finally {
                synchronized (this) {
                    handing = false;
                }
            }
            f.orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                    .whenCompleteAsync((reply, error) -> completed(entry, reply, error), completions);
        }
    }

    /** An entry's answer (or failure): answers its batches, then sends what waited meanwhile. */
    private void completed(List<Pending> entry, RaftClientReply reply, Throwable error) {
        try {
            deliver(entry, reply, error);
        } finally {
            synchronized (this) {
                inFlight--;
                if (!waiting.isEmpty()) {
                    takeEntry();
                }
            }
            handOver();
        }
    }

    private static byte[] concat(List<Pending> entry) {
        if (entry.size() == 1) {
            return entry.get(0).batch;
        }
        int size = 0;
        for (Pending p : entry) {
            size += p.batch.length;
        }
        byte[] out = new byte[size];
        int pos = 0;
        for (Pending p : entry) {
            System.arraycopy(p.batch, 0, out, pos, p.batch.length);
            pos += p.batch.length;
        }
        return out;
    }

    private static void deliver(List<Pending> entry, RaftClientReply reply, Throwable error) {
        Throwable failure = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        List<ByteBuffer> replies = null;
        if (failure == null) {
            try {
                replies = ApplyReply.split(reply.getMessage().getContent().asReadOnlyByteBuffer(), entry.size());
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        for (int i = 0; i < entry.size(); i++) {
            if (failure != null) {
                entry.get(i).reply.completeExceptionally(failure);
            } else {
                entry.get(i).reply.complete(replies.get(i));
            }
        }
    }
}
