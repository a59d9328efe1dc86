package io.tributary.ingest.log;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The log of one partition: an ordered set of {@link LogSegment}s, the last of which takes
 * appends.
 *
 * <p>Offsets: {@code logStartOffset <= highWatermark <= logEndOffset}. Readers see only
 * records below the high watermark. On a single node (and on a cluster while batches are Raft
 * entries or written directly) the high watermark follows the log end as soon as an append (and
 * the fsync the flush policy asks for) completes; a replica of the Kafka-shape write path has
 * replication move it instead ({@link #highWatermarkByReplication}). Every batch carries the
 * leader epoch that wrote it ({@link LeaderEpochs}).
 *
 * <p>Concurrency: one writer at a time (the write lock), any number of lock-free readers. A
 * reader works on segments it found in the concurrent map; a segment removed by retention or
 * compaction is closed only after a grace period ({@link #FILE_DELETE_DELAY_MS}), so such a
 * reader finishes normally.
 *
 * <p>Crash safety: see {@link LogLoader}. Everything below {@code recoveryPoint} is fsynced and
 * trusted at start-up; everything above it is validated batch by batch.
 */
public final class PartitionLog implements Closeable {

    static final long FILE_DELETE_DELAY_MS = 30_000;

    private final String topic;
    private final int partition;
    private final Path dir;
    private final ScheduledExecutorService scheduler;
    private final ConcurrentSkipListMap<Long, LogSegment> segments;
    private final ProducerStateTable producers;
    /** Where each leader epoch starts in this log ({@link LeaderEpochs}). */
    private final LeaderEpochs epochs;
    private final DataWaiters waiters = new DataWaiters();
    /** Follower fetches waiting for the log end to pass an offset (only while replication moves the high watermark). */
    private final DataWaiters appendWaiters = new DataWaiters();
    /**
     * False (single node, Raft entries, direct writes): an append moves the high watermark to the
     * log end. True (a replica of the Kafka-shape write path): only replication does
     * ({@link #raiseHighWatermark}), to the lowest log end of the in-sync replicas.
     */
    private volatile boolean highWatermarkByReplication;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ReentrantLock flushLock = new ReentrantLock();
    /** Serialises retention and compaction, which both replace segments. */
    private final Object maintenanceLock = new Object();

    private volatile LogConfig config;
    private volatile long logStartOffset;
    private volatile long logEndOffset;
    private volatile long highWatermark;
    private volatile long recoveryPoint;
    private volatile boolean closed;
    /**
     * Compaction rewrites and retention deletes only segments that end at or below this offset.
     * Unlimited on a single node; on a cluster the partition's Raft snapshot point, because a
     * restarting replica replays the Raft entries after its snapshot by comparing each with the batch
     * stored at its offset, byte for byte: a rewritten batch would no longer match, a deleted one
     * leaves nothing to match (see replication/PartitionStateMachine).
     */
    private volatile long cleanupLimit = Long.MAX_VALUE;
    /**
     * The end of the segments retention (compaction) found due but kept because they end above
     * {@link #cleanupLimit}, at its latest check; -1 when it kept none for that reason.
     */
    private volatile long retentionHeldTo = -1;
    private volatile long compactionHeldTo = -1;
    /**
     * A producer snapshot kept whatever the rolls since ({@link #snapshotProducers}): on a cluster the
     * one at the Raft snapshot point, which a replica rebuilding by copy asks for; -1: none.
     */
    private volatile long keptProducerSnapshot = -1;
    private volatile long checkpointedRecoveryPoint = -1;
    private volatile long lastFlushMs = System.currentTimeMillis();

    PartitionLog(String topic, int partition, Path dir, LogConfig config, ScheduledExecutorService scheduler,
                 ConcurrentSkipListMap<Long, LogSegment> segments, ProducerStateTable producers, LeaderEpochs epochs,
                 long logStartOffset, long recoveryPoint) {
        this.epochs = epochs;
        this.topic = topic;
        this.partition = partition;
        this.dir = dir;
        this.config = config;
        this.scheduler = scheduler;
        this.segments = segments;
        this.producers = producers;
        this.logStartOffset = logStartOffset;
        this.logEndOffset = segments.lastEntry().getValue().nextOffset();
        this.highWatermark = logEndOffset;
        this.recoveryPoint = Math.min(recoveryPoint, logEndOffset);
    }

    /** Opens (creating if needed) the log in {@code dir}, recovering it after an unclean stop. */
    public static PartitionLog open(String topic, int partition, Path dir, LogConfig config,
                                    ScheduledExecutorService scheduler) throws IOException {
        return open(topic, partition, dir, config, ProducerStateLimits.DEFAULTS, scheduler);
    }

    /** {@link #open} with the node's bounds on the idempotent-producer memory. */
    public static PartitionLog open(String topic, int partition, Path dir, LogConfig config,
                                    ProducerStateLimits producerLimits, ScheduledExecutorService scheduler)
            throws IOException {
        return new LogLoader(topic, partition, dir, config, producerLimits, scheduler).load();
    }

    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
    }

    public Path dir() {
        return dir;
    }

    public LogConfig config() {
        return config;
    }

    public void updateConfig(LogConfig newConfig) {
        this.config = newConfig;
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    public long logEndOffset() {
        return logEndOffset;
    }

    public long highWatermark() {
        return highWatermark;
    }

    public long recoveryPoint() {
        return recoveryPoint;
    }

    /** Bytes of all segments. */
    public long sizeInBytes() {
        long total = 0;
        for (LogSegment s : segments.values()) {
            total += s.sizeInBytes();
        }
        return total;
    }

    public int segmentCount() {
        return segments.size();
    }

    /** Appends records as one batch, without producer identity. */
    public AppendResult append(List<LogRecord> records) {
        return append(records, ProducerBatch.NONE, 0);
    }

    /**
     * Appends records as one batch.
     *
     * @throws InvalidRecordException      a keyless record on a compacted topic
     * @throws RecordTooLargeException     the batch exceeds {@code max.message.bytes}
     * @throws ProducerFencedException     the producer epoch is stale
     * @throws OutOfOrderSequenceException the sequence overlaps without being a retry
     * @throws DuplicateSequenceException  a retry too old to know its offsets
     */
    public AppendResult append(List<LogRecord> records, ProducerBatch producer, int leaderEpoch) {
        return append(prepare(records, producer), leaderEpoch);
    }

    /**
     * Encodes and checks a batch without touching the log, so a request spanning partitions
     * can check every batch before writing any.
     *
     * @throws InvalidRecordException  empty, or a keyless record on a compacted topic
     * @throws RecordTooLargeException the batch exceeds {@code max.message.bytes}
     */
    public PreparedBatch prepare(List<LogRecord> records, ProducerBatch producer) {
        return prepare(topic, config, records, producer);
    }

    /**
     * {@link #prepare(List, ProducerBatch)} without a log: for a partition this node hosts no
     * replica of, checked against the topic's config.
     */
    public static PreparedBatch prepare(String topic, LogConfig cfg, List<LogRecord> records, ProducerBatch producer) {
        if (records.isEmpty()) {
            throw new InvalidRecordException("a batch needs at least one record");
        }
        if (cfg.compact()) {
            for (LogRecord r : records) {
                if (r.key() == null) {
                    throw new InvalidRecordException("compacted topic " + topic + " needs a key on every record");
                }
            }
        }
        RecordBatch batch = producer.isIdempotent() ? BatchBuilder.build(records, producer.resolve(records.size()))
                : BatchBuilder.build(records);
        if (batch.sizeInBytes() > cfg.maxMessageBytes()) {
            throw new RecordTooLargeException("batch of " + batch.sizeInBytes() + " bytes is larger than "
                    + LogConfig.MAX_MESSAGE_BYTES + "=" + cfg.maxMessageBytes() + " of topic " + topic);
        }
        long[] timestamps = new long[records.size()];
        for (int i = 0; i < timestamps.length; i++) {
            timestamps[i] = records.get(i).timestamp();
        }
        return new PreparedBatch(batch, timestamps);
    }

    /**
     * Checks a prepared batch against the producer table without writing anything, throwing
     * what {@link #append(PreparedBatch, int)} would; a retry (duplicate) passes. Lets a request
     * spanning partitions refuse a bad sequence before any partition is written.
     */
    public void checkProducer(PreparedBatch prepared) {
        RecordBatch batch = prepared.batch();
        if (!batch.hasProducerId()) {
            return;
        }
        writeLock.lock();
        try {
            producers.check(batch.producerId(), batch.producerEpoch(), batch.baseSequence(), batch.lastSequence(),
                    batch.contiguousSequences());
        } finally {
            writeLock.unlock();
        }
    }

    /** Appends a prepared batch: checks the producer's sequence, assigns offsets, writes. */
    public AppendResult append(PreparedBatch prepared, int leaderEpoch) {
        return appendBatch(prepared.batch(), leaderEpoch, prepared.timestamps());
    }

    /** Appends a batch built elsewhere (replication, tests); its offsets are restamped. */
    public AppendResult appendBatch(RecordBatch batch, int leaderEpoch) {
        long[] timestamps = batch.timestamps();
        return appendBatch(batch, leaderEpoch, timestamps);
    }

    private AppendResult appendBatch(RecordBatch batch, int leaderEpoch, long[] timestamps) {
        LogConfig cfg = config;
        boolean flushNow;
        long baseOffset;
        writeLock.lock();
        try {
            ensureOpen();
            if (batch.hasProducerId()) {
                ProducerStateTable.Verdict verdict = producers.check(batch.producerId(), batch.producerEpoch(),
                        batch.baseSequence(), batch.lastSequence(), batch.contiguousSequences());
                if (verdict instanceof ProducerStateTable.Duplicate dup) {
                    return new AppendResult(dup.original().firstOffset(), timestampsOf(dup.original()), true);
                }
            }
            baseOffset = logEndOffset;
            batch.setBaseOffset(baseOffset);
            batch.setLeaderEpoch(leaderEpoch);
            flushNow = writeAtEnd(batch, cfg);
        } catch (IOException e) {
            throw new UncheckedIOException("append to " + topic + "-" + partition + " failed", e);
        } finally {
            writeLock.unlock();
        }
        if (flushNow) {
            flush();
        }
        appended(batch.nextOffset());
        return new AppendResult(baseOffset, timestamps, false);
    }

    /**
     * Writes a batch whose offsets and epoch are set at the log end (under the write lock): to the
     * active segment (rolled if needed), into the producer table; answers whether the flush policy
     * asks for a flush now.
     */
    private boolean writeAtEnd(RecordBatch batch, LogConfig cfg) throws IOException {
        return writeAtEnd(List.of(batch), batch.toByteBuffer(), cfg);
    }

    /** {@link #writeAtEnd(RecordBatch, LogConfig)} for batches back to back in {@code bytes}, with one write. */
    private boolean writeAtEnd(List<RecordBatch> run, ByteBuffer bytes, LogConfig cfg) throws IOException {
        LogSegment active = maybeRoll(bytes.remaining(), cfg);
        active.appendRun(run, bytes);
        for (RecordBatch batch : run) {
            if (batch.leaderEpoch() > epochs.latestEpoch()) {
                epochs.assign(batch.leaderEpoch(), batch.baseOffset());
            }
            producers.update(batch);
        }
        logEndOffset = run.get(run.size() - 1).nextOffset();
        // Offsets count records, so the distance to the recovery point is the unflushed count.
        return logEndOffset - recoveryPoint >= cfg.flushMessages();
    }

    /**
     * Appends a batch copied from another replica's log as it is: at its own base offset, which must
     * be this log's end, with its own leader epoch and without the producer checks (the replica it
     * comes from judged it, against a producer table this log may not have); the producer table
     * records it.
     *
     * @throws IllegalArgumentException when the batch does not start at the log end
     */
    public void appendCopied(RecordBatch batch) {
        appendCopied(List.of(batch));
    }

    /**
     * Appends batches copied from another replica's log, each as {@link #appendCopied(RecordBatch)}
     * does, with one write when they lie back to back in one array (what a fetch answer holds): the
     * first must start at the log end, each next one where the one before ends.
     *
     * @throws IllegalArgumentException when the first batch does not start at the log end or the
     *                                  batches leave a gap; nothing is appended then
     */
    public void appendCopied(List<RecordBatch> run) {
        LogConfig cfg = config;
        boolean flushNow = false;
        long expected;
        writeLock.lock();
        try {
            ensureOpen();
            expected = logEndOffset;
            long bytes = 0;
            boolean backToBack = true;
            RecordBatch first = run.get(0);
            for (RecordBatch batch : run) {
                if (batch.baseOffset() != expected) {
                    throw new IllegalArgumentException(topic + "-" + partition + ": a copied batch at " + batch.baseOffset()
                            + (batch == first ? " does not start at the log end " : " does not follow on at ") + expected);
                }
                backToBack &= batch.array() == first.array() && batch.start() == first.start() + bytes;
                bytes += batch.sizeInBytes();
                expected = batch.nextOffset();
            }
            if (!backToBack || bytes > cfg.segmentBytes()) {
                for (RecordBatch batch : run) {
                    flushNow |= writeAtEnd(batch, cfg);
                }
            } else {
                flushNow = writeAtEnd(run, ByteBuffer.wrap(first.array(), first.start(), (int) bytes), cfg);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("append to " + topic + "-" + partition + " failed", e);
        } finally {
            writeLock.unlock();
        }
        if (flushNow) {
            flush();
        }
        appended(expected);
    }

    /**
     * Discards this log and starts it again, empty, at {@code startOffset}: every segment and
     * producer snapshot goes, a new active segment is based at {@code startOffset}, the log start,
     * end, high watermark and recovery point become {@code startOffset}, and the producer table is
     * empty. For a replica whose log ends below the start of the log it copies from.
     *
     * <p>On disk, in this order: (1) the {@code reset-to} file is written atomically (temp file,
     * fsync, rename): from then on the reset is decided, and {@link LogLoader} finishes it if a crash
     * interrupts it; (2) every segment is renamed to {@code .deleted} (files removed after
     * {@link #FILE_DELETE_DELAY_MS}, or at the next open) and every producer snapshot deleted; (3)
     * {@code log-start-offset} and {@code recovery-point} are written atomically; (4) the new empty
     * segment is created; (5) {@code reset-to} is deleted and the directory fsynced. A crash before
     * (1) completes leaves the old log (the temp file is a leftover the next open removes); any
     * later crash leaves a reset that the next open completes: an empty log at {@code startOffset}.
     *
     * @throws IllegalArgumentException when {@code startOffset} is below the log end (a reset only
     *                                  moves forward, so no new file can take an old segment's name)
     */
    public void resetTo(long startOffset) {
        synchronized (maintenanceLock) {
            flushLock.lock();
            writeLock.lock();
            try {
                ensureOpen();
                if (startOffset < logEndOffset) {
                    throw new IllegalArgumentException(topic + "-" + partition + ": cannot reset to " + startOffset
                            + ", below the log end " + logEndOffset);
                }
                LogLoader.beginReset(dir, startOffset);
                // The active segment is reused when it is empty and already at the new start.
                LogSegment keep = segments.lastEntry().getValue();
                if (!(keep.isEmpty() && keep.baseOffset() == startOffset)) {
                    keep = null;
                }
                List<LogSegment> old = new ArrayList<>(segments.values());
                old.remove(keep);
                for (LogSegment s : old) {
                    s.markDeleted();
                }
                LogLoader.deleteProducerSnapshots(dir);
                LogLoader.writeLogStartOffset(dir, startOffset);
                LogLoader.writeRecoveryPoint(dir, startOffset);
                LogSegment fresh = keep != null ? keep : LogSegment.create(dir, startOffset, config.indexIntervalBytes());
                segments.put(startOffset, fresh);
                for (LogSegment s : old) {
                    removeSegmentLater(s); // in-flight readers finish on the renamed files
                }
                producers.clear();
                epochs.clear();
                keptProducerSnapshot = -1;
                logStartOffset = startOffset;
                logEndOffset = startOffset;
                recoveryPoint = startOffset;
                checkpointedRecoveryPoint = startOffset;
                synchronized (waiters) {
                    highWatermark = startOffset;
                }
                LogLoader.endReset(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("reset of " + topic + "-" + partition + " to " + startOffset
                        + " failed", e);
            } finally {
                writeLock.unlock();
                flushLock.unlock();
            }
        }
        waiters.advanced(startOffset);
    }

    /**
     * Removes every batch holding an offset at or after {@code offset}: what a follower does with
     * batches its new leader does not have (they were never acknowledged, since an acknowledged
     * batch is on every in-sync replica). A batch holding {@code offset} goes whole, so the new
     * log end may be below {@code offset}. The high watermark and the recovery point come down to
     * the new end at most; the producer table is rebuilt from the newest producer snapshot at or
     * below it and the batches after that (the start-up rebuild, which deletes later snapshots).
     *
     * <p>On disk, newest first, so that a crash at any step leaves a prefix of the log for
     * {@link LogLoader} to open: every segment based above {@code offset} is renamed to
     * {@code .deleted}; the segment holding {@code offset} is cut at that batch and fsynced; the
     * recovery point is written. A crash before the cut may bring the cut batches back at the next
     * open; the caller truncates again then (a follower does whenever it meets a new leader).
     *
     * @return the new log end
     * @throws IllegalArgumentException when {@code offset} is below the log start ({@link #resetTo} then)
     */
    public long truncateTo(long offset) {
        long end;
        synchronized (maintenanceLock) {
            flushLock.lock();
            writeLock.lock();
            try {
                ensureOpen();
                if (offset >= logEndOffset) {
                    return logEndOffset;
                }
                if (offset < logStartOffset) {
                    throw new IllegalArgumentException(topic + "-" + partition + ": cannot truncate to " + offset
                            + ", below the log start " + logStartOffset);
                }
                long floor = segments.floorKey(offset);
                for (LogSegment s : new ArrayList<>(segments.tailMap(floor, false).descendingMap().values())) {
                    removeSegmentLater(s);
                }
                LogSegment last = segments.get(floor);
                last.truncateTo(offset);
                end = last.nextOffset();
                logEndOffset = end;
                synchronized (waiters) {
                    highWatermark = Math.min(highWatermark, end);
                }
                if (recoveryPoint > end) {
                    recoveryPoint = end;
                    checkpointedRecoveryPoint = end;
                    LogLoader.writeRecoveryPoint(dir, end);
                }
                epochs.truncateFromEnd(end);
                if (keptProducerSnapshot > end) {
                    keptProducerSnapshot = -1;
                }
                LogLoader.rebuildProducerState(dir, producers, segments, end);
            } catch (IOException e) {
                throw new UncheckedIOException("truncation of " + topic + "-" + partition + " to " + offset
                        + " failed", e);
            } finally {
                writeLock.unlock();
                flushLock.unlock();
            }
        }
        return end;
    }

    /**
     * Writes the producer table as a snapshot at {@code offset}, which must be the log end (the
     * table then describes exactly the batches below it), and keeps that snapshot until the next
     * call, whatever the segment rolls in between (they keep only the two newest otherwise). On a
     * cluster the replica does this at each Raft snapshot point, so a replica rebuilding by copy can
     * fetch the producer state matching the offset it copied up to ({@link #producerSnapshot}).
     *
     * @return false, writing nothing, when the log end is not {@code offset}
     */
    public boolean snapshotProducers(long offset) {
        writeLock.lock();
        try {
            ensureOpen();
            if (logEndOffset != offset) {
                return false;
            }
            producers.writeSnapshot(LogFiles.producerSnapshot(dir, offset));
            keptProducerSnapshot = offset;
            LogLoader.deleteOldSnapshots(dir, 2, offset);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("producer snapshot of " + topic + "-" + partition + " failed", e);
        } finally {
            writeLock.unlock();
        }
    }

    /** Keeps the producer snapshot at {@code offset}, if there is one, through later rolls (after a restart). */
    public void keepProducerSnapshot(long offset) {
        keptProducerSnapshot = offset;
    }

    /**
     * The producer snapshot file at {@code offset} (the table as of that offset, see
     * {@link ProducerStateTable#writeSnapshot}), or null when there is none.
     */
    public byte[] producerSnapshot(long offset) {
        try {
            return Files.readAllBytes(LogFiles.producerSnapshot(dir, offset));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Replaces the producer table with a snapshot taken by another replica of the same log at this
     * log's end ({@link #producerSnapshot}). The file is written first (atomically), so the next
     * open loads it as the newest snapshot; then it is loaded.
     *
     * @throws CorruptRecordException when the snapshot fails its checks (the file is removed again)
     */
    public void installProducerSnapshot(byte[] snapshot) {
        writeLock.lock();
        try {
            ensureOpen();
            Path file = LogFiles.producerSnapshot(dir, logEndOffset);
            AtomicFiles.write(file, snapshot);
            try {
                // Checked on a scratch table first: a failed load would leave this one emptied.
                if (!new ProducerStateTable().loadSnapshot(file)) {
                    throw new CorruptRecordException("producer snapshot of the unversioned layout");
                }
            } catch (CorruptRecordException e) {
                Files.deleteIfExists(file);
                throw e;
            }
            producers.loadSnapshot(file);
            keptProducerSnapshot = logEndOffset;
            LogLoader.deleteOldSnapshots(dir, 2, logEndOffset);
        } catch (IOException e) {
            throw new UncheckedIOException("installing a producer snapshot in " + topic + "-" + partition
                    + " failed", e);
        } finally {
            writeLock.unlock();
        }
    }

    /** After an append (and the flush the policy asked for) up to {@code end}. */
    private void appended(long end) {
        if (highWatermarkByReplication) {
            appendWaiters.advanced(end);
        } else {
            advanceHighWatermark(end);
        }
    }

    /**
     * From now on only {@link #raiseHighWatermark} moves the high watermark, which starts at
     * {@code highWatermark} (capped at the log end; it may go down, e.g. to what a replica knew to
     * be committed when it stopped). For a replica of the Kafka-shape write path. A read answers
     * whole batches, so the high watermark must lie between batches, as every replica's log end
     * does (a leader's is the lowest of them, a follower's its leader's or its own log end).
     */
    public void highWatermarkByReplication(long highWatermark) {
        writeLock.lock();
        try {
            highWatermarkByReplication = true;
            synchronized (waiters) {
                this.highWatermark = Math.max(logStartOffset, Math.min(highWatermark, logEndOffset));
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** Appends move the high watermark to the log end again (and it moves there now). */
    public void highWatermarkByAppends() {
        writeLock.lock();
        try {
            highWatermarkByReplication = false;
        } finally {
            writeLock.unlock();
        }
        advanceHighWatermark(logEndOffset);
        appendWaiters.releaseAll();
    }

    /**
     * Moves the high watermark up to {@code offset} (never down, never past the log end) and wakes
     * the readers waiting for it: on a leader the lowest log end of its in-sync replicas, on a
     * follower its leader's high watermark.
     */
    public void raiseHighWatermark(long offset) {
        advanceHighWatermark(offset);
    }

    /**
     * A follower's read: the stored batches from {@code offset} up to the log end (past the high
     * watermark: the follower copies what it has not yet acknowledged), as regions of the segment
     * files for sending them as they are.
     *
     * @throws OffsetOutOfRangeException when {@code offset} is below the log start or above the log end
     */
    public RegionFetchResult readRegionsForReplica(long offset, int maxBytes) {
        return bounded(offset, logEndOffset, (end, start) ->
                new RegionFetchResult(collect(offset, maxBytes, end, LogSegment::readRegions), highWatermark, start, end));
    }

    /**
     * Completes when the log end passes {@code offset} (a follower's fetch parked at the leader's
     * log end), or when the log closes or stops being replicated this way.
     */
    public CompletableFuture<Void> awaitAppend(long offset) {
        // Registered before the log end is read: an append either is seen here or finds the waiter.
        CompletableFuture<Void> future = appendWaiters.await(offset, Long.MIN_VALUE);
        if (offset < logEndOffset || closed || !highWatermarkByReplication) {
            future.complete(null);
        }
        return future;
    }

    /** On a single node the high watermark is the log end, once the flush policy is satisfied. */
    private void advanceHighWatermark(long upTo) {
        long hw;
        synchronized (waiters) {
            hw = Math.max(highWatermark, Math.min(upTo, logEndOffset));
            highWatermark = hw;
        }
        waiters.advanced(hw);
    }

    private long[] timestampsOf(ProducerStateTable.BatchMetadata original) {
        try {
            for (RecordBatch b : readBatches(original.firstOffset(), 1, logEndOffset)) {
                if (b.baseOffset() == original.firstOffset()) {
                    return b.timestamps();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // The original batch is gone (retention); the offsets are still right.
        return new long[(int) (original.lastOffset() - original.firstOffset() + 1)];
    }

    private LogSegment maybeRoll(int batchSize, LogConfig cfg) throws IOException {
        LogSegment active = segments.lastEntry().getValue();
        boolean full = active.sizeInBytes() + (long) batchSize > cfg.segmentBytes();
        boolean old = System.currentTimeMillis() - active.firstAppendMs() >= cfg.segmentMs();
        if (active.isEmpty() || !(full || old)) {
            return active;
        }
        return roll();
    }

    /** Seals the active segment and starts a new one at the log end. Caller holds the write lock. */
    private LogSegment roll() throws IOException {
        LogSegment previous = segments.lastEntry().getValue();
        previous.writeIndexes();
        long base = logEndOffset;
        LogSegment next = LogSegment.create(dir, base, config.indexIntervalBytes());
        segments.put(base, next);
        producers.writeSnapshot(LogFiles.producerSnapshot(dir, base));
        LogLoader.deleteOldSnapshots(dir, 2, keptProducerSnapshot);
        // The sealed segment still needs its fsync; the flusher (or the next flush) does it.
        return next;
    }

    /** Forces a roll now (tests and admin); returns the new active segment's base offset. */
    public long rollNow() {
        writeLock.lock();
        try {
            LogSegment active = segments.lastEntry().getValue();
            return active.isEmpty() ? active.baseOffset() : roll().baseOffset();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Fsyncs every segment holding records above the recovery point. Takes only the flush lock,
     * never the write lock, so appends continue during an fsync (lock order: write, then flush).
     */
    public void flush() {
        flushLock.lock();
        try {
            long upTo = logEndOffset;
            if (upTo <= recoveryPoint) {
                return;
            }
            Long from = segments.floorKey(recoveryPoint);
            for (LogSegment s : segments.tailMap(from == null ? segments.firstKey() : from).values()) {
                s.flush();
            }
            recoveryPoint = upTo;
            lastFlushMs = System.currentTimeMillis();
        } catch (IOException e) {
            throw new UncheckedIOException("flush of " + topic + "-" + partition + " failed", e);
        } finally {
            flushLock.unlock();
        }
    }

    /**
     * Records the flushed offset on disk so that crash recovery can trust everything below it.
     * Called periodically rather than per flush: a stale checkpoint only means more to validate.
     */
    public void checkpointRecoveryPoint() {
        long point = recoveryPoint;
        if (point != checkpointedRecoveryPoint && !closed) {
            LogLoader.writeRecoveryPoint(dir, point);
            checkpointedRecoveryPoint = point;
        }
    }

    /** Flushes unflushed records when {@code flush.ms} has passed since the last flush. */
    public void maybeFlushByTime(long nowMs) {
        if (logEndOffset > recoveryPoint && nowMs - lastFlushMs >= config.flushMs()) {
            flush();
        }
    }

    /**
     * {@link #read} on a replica that may lag its leader, for read your writes: an answer that would
     * stop at the high watermark (not at {@code maxRecords} or {@code maxBytes}) first runs
     * {@code confirm}, which returns once this replica has applied what its leader acknowledged, and
     * reads again if that raised the watermark; a read from at or past the watermark confirms first.
     * When {@code confirm} fails, a read from at or past the watermark fails with it; one from below
     * answers the records it read, which are final anyway (a replica cut off from its majority keeps
     * serving them).
     */
    public FetchResult readConfirmed(long offset, long maxRecords, int maxBytes, Runnable confirm) {
        return confirmed(offset, confirm, () -> read(offset, maxBytes), FetchResult::highWatermark,
                r -> r.endsAtHighWatermark(offset, maxRecords));
    }

    /** {@link #readConfirmed} as {@link #readRegions}: regions of the segment files, not bytes. */
    public RegionFetchResult readRegionsConfirmed(long offset, int maxBytes, Runnable confirm) {
        return confirmed(offset, confirm, () -> readRegions(offset, maxBytes), RegionFetchResult::highWatermark,
                r -> r.endsAtHighWatermark(offset));
    }

    private <R> R confirmed(long offset, Runnable confirm, Supplier<R> read, ToLongFunction<R> watermark,
                            Predicate<R> endsAtWatermark) {
        if (offset >= highWatermark()) {
            confirm.run(); // nothing final to answer without it
            return read.get();
        }
        R result = read.get();
        if (!endsAtWatermark.test(result)) {
            return result;
        }
        try {
            confirm.run();
        } catch (RuntimeException e) {
            return result;
        }
        return highWatermark() > watermark.applyAsLong(result) ? read.get() : result;
    }

    /**
     * Reads from {@code offset} up to the high watermark, about {@code maxBytes} of batches (at
     * least one).
     *
     * @throws OffsetOutOfRangeException when {@code offset} is below the log start or above the high watermark
     */
    public FetchResult read(long offset, int maxBytes) {
        return belowWatermark(offset, (hw, start) ->
                new FetchResult(readBatches(offset, maxBytes, hw), hw, start, logEndOffset));
    }

    /** A read of the batches from {@code offset} below {@code limit} (the high watermark, or the log end). */
    @FunctionalInterface
    private interface BoundedRead<R> {
        R read(long limit, long logStart) throws IOException;
    }

    private <R> R belowWatermark(long offset, BoundedRead<R> read) {
        return bounded(offset, highWatermark, read);
    }

    /** A read from {@code offset} below {@code limit} (the high watermark, or the log end for a follower). */
    private <R> R bounded(long offset, long limit, BoundedRead<R> read) {
        long start = logStartOffset;
        if (offset < start || offset > limit) {
            throw new OffsetOutOfRangeException(offset, start, limit);
        }
        try {
            return read.read(limit, start);
        } catch (IOException e) {
            throw new UncheckedIOException("read of " + topic + "-" + partition + " failed", e);
        }
    }

    /**
     * {@link #read} as regions of the segment files ({@link BatchRegion}): the headers are read, the
     * records are left in the files for the caller to transfer.
     *
     * @throws OffsetOutOfRangeException when {@code offset} is below the log start or above the high watermark
     */
    public RegionFetchResult readRegions(long offset, int maxBytes) {
        return belowWatermark(offset, (hw, start) ->
                new RegionFetchResult(collect(offset, maxBytes, hw, LogSegment::readRegions), hw, start, logEndOffset));
    }

    private List<RecordBatch> readBatches(long offset, int maxBytes, long maxOffset) throws IOException {
        return collect(offset, maxBytes, maxOffset, LogSegment::read);
    }

    /** How one segment is read: {@link LogSegment#read} or {@link LogSegment#readRegions}. */
    @FunctionalInterface
    private interface SegmentRead<B extends StoredBatch> {
        List<B> read(LogSegment segment, long from, int maxBytes, long maxOffset) throws IOException;
    }

    /** The batches from {@code offset} below {@code maxOffset}, about {@code maxBytes} (at least one), across segments. */
    private <B extends StoredBatch> List<B> collect(long offset, int maxBytes, long maxOffset, SegmentRead<B> reader)
            throws IOException {
        List<B> out = new ArrayList<>();
        int budget = maxBytes;
        Map.Entry<Long, LogSegment> entry = segments.floorEntry(offset);
        if (entry == null) {
            entry = segments.firstEntry();
        }
        long from = offset;
        while (entry != null && from < maxOffset) {
            LogSegment segment = entry.getValue();
            List<B> batches = reader.read(segment, from, Math.max(budget, 1), maxOffset);
            for (B b : batches) {
                if (!out.isEmpty() && b.sizeInBytes() > budget) {
                    return out;
                }
                out.add(b);
                budget -= b.sizeInBytes();
                from = b.nextOffset();
            }
            // The segment read stops at its byte limit: only move on once this segment is exhausted,
            // or the batches it still holds would be skipped.
            if (budget <= 0 || (!batches.isEmpty() && from < segment.nextOffset())) {
                return out;
            }
            entry = segments.higherEntry(entry.getKey());
        }
        return out;
    }

    /** Completes when a record at or after {@code offset} is readable. */
    public CompletableFuture<Void> awaitData(long offset) {
        // Under the lock that advanceHighWatermark holds while moving the high watermark: either we
        // see the new value, or our waiter is registered before the advance looks for waiters.
        synchronized (waiters) {
            if (closed) {
                return CompletableFuture.completedFuture(null); // the caller's re-read reports the closed log
            }
            return waiters.await(offset, highWatermark);
        }
    }

    /**
     * The first offset whose record timestamp is at or after {@code timestamp}, or the high
     * watermark when every record is older.
     */
    public long offsetForTimestamp(long timestamp) {
        long hw = highWatermark;
        try {
            for (LogSegment s : segments.values()) {
                if (s.maxTimestamp() >= timestamp) {
                    long found = s.offsetForTimestamp(Math.max(timestamp, 0), hw);
                    if (found >= 0) {
                        return Math.max(found, logStartOffset);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return hw;
    }

    /**
     * Deletes whole segments beyond the retention limits (never the active one, nor one ending
     * above the cleanup limit) and moves the log start offset past them. Returns the number of
     * segments deleted.
     */
    public int enforceRetention(long nowMs) {
        LogConfig cfg = config;
        if (!cfg.delete()) {
            return 0;
        }
        synchronized (maintenanceLock) {
            List<LogSegment> doomed = new ArrayList<>();
            long total = sizeInBytes();
            long limit = cleanupLimit;
            long held = -1;
            LogSegment active = segments.lastEntry().getValue();
            for (LogSegment s : segments.values()) {
                if (s == active) {
                    break;
                }
                boolean expired = cfg.retentionMs() >= 0 && s.maxTimestamp() >= 0
                        && nowMs - s.maxTimestamp() > cfg.retentionMs();
                boolean oversize = cfg.retentionBytes() >= 0 && total - s.sizeInBytes() >= cfg.retentionBytes();
                if (!(expired || oversize)) {
                    break;
                }
                long end = segments.higherKey(s.baseOffset()); // not the active one, so a later segment exists
                if (end > limit) {
                    held = end;
                    break;
                }
                doomed.add(s);
                total -= s.sizeInBytes();
            }
            retentionHeldTo = held;
            if (doomed.isEmpty()) {
                return 0;
            }
            long newStart = segments.higherKey(doomed.get(doomed.size() - 1).baseOffset());
            advanceLogStartOffset(newStart);
            for (LogSegment s : doomed) {
                removeSegmentLater(s);
            }
            return doomed.size();
        }
    }

    private void advanceLogStartOffset(long offset) {
        if (offset > logStartOffset) {
            logStartOffset = offset;
            LogLoader.writeLogStartOffset(dir, offset);
            epochs.truncateFromStart(offset);
        }
    }

    /** The latest leader epoch that wrote a batch to this log; -1 when none did. */
    public int latestEpoch() {
        return epochs.latestEpoch();
    }

    /**
     * Where {@code epoch} ends in this log ({@link LeaderEpochs#endOffsetFor}): the log end for the
     * latest epoch, else the start of the next newer one, with the newest epoch at or below
     * {@code epoch}; {@link LeaderEpochs#UNKNOWN} when {@code epoch} is older than the log's history.
     */
    public LeaderEpochs.EpochEnd endOffsetForEpoch(int epoch) {
        return epochs.endOffsetFor(epoch, logEndOffset);
    }

    /** The leader-epoch table, oldest first. */
    public List<LeaderEpochs.Entry> epochHistory() {
        return epochs.entries();
    }

    /** Unlinks a segment from the log now and deletes its files after readers had time to finish. */
    void removeSegmentLater(LogSegment segment) {
        segments.remove(segment.baseOffset(), segment);
        try {
            segment.markDeleted();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        scheduler.schedule(() -> {
            try {
                segment.closeAndDelete();
            } catch (IOException ignored) {
                // The .deleted files are removed at the next start-up.
            }
        }, FILE_DELETE_DELAY_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Lets compaction rewrite and retention delete only segments ending at or below {@code offset}
     * (see {@code cleanupLimit}).
     */
    public void limitCleanup(long offset) {
        cleanupLimit = offset;
    }

    /**
     * How far retention or compaction would go if the cleanup limit let them: the end of the due
     * segments they kept at their latest checks because those end above the limit; -1 when none.
     */
    public long cleanupHeldTo() {
        return Math.max(retentionHeldTo, compactionHeldTo);
    }

    void compactionHeldTo(long end) {
        compactionHeldTo = end;
    }

    long cleanupLimit() {
        return cleanupLimit;
    }

    /** Compacts sealed segments of a compacted topic; see {@link LogCompactor}. */
    public LogCompactor.Stats compact(long nowMs) {
        if (!config.compact()) {
            return LogCompactor.Stats.NONE;
        }
        synchronized (maintenanceLock) {
            return new LogCompactor(this, nowMs).run();
        }
    }

    /** Segments in offset order (a snapshot; the last is the active one). */
    List<LogSegment> segments() {
        return new ArrayList<>(segments.values());
    }

    /** Puts a rewritten segment in place of the one with the same base offset. */
    void swapSegment(LogSegment replacement, LogSegment original) {
        segments.replace(original.baseOffset(), original, replacement);
        scheduler.schedule(() -> {
            try {
                original.close();
            } catch (IOException ignored) {
                // closing a read handle cannot lose data
            }
        }, FILE_DELETE_DELAY_MS, TimeUnit.MILLISECONDS);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("log " + topic + "-" + partition + " is closed");
        }
    }

    /**
     * Flushes, writes the active segment's indexes and a producer snapshot, then leaves the
     * clean-shutdown marker so the next open skips validation.
     */
    @Override
    public void close() throws IOException {
        // flushLock before writeLock, the order flush() takes them in: the other way round a
        // concurrent flush (holding flushLock, waiting for writeLock) and close deadlock.
        flushLock.lock();
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            flush();
            closed = true;
            LogSegment active = segments.lastEntry().getValue();
            active.writeIndexes();
            producers.writeSnapshot(LogFiles.producerSnapshot(dir, logEndOffset));
            LogLoader.deleteOldSnapshots(dir, 2, keptProducerSnapshot);
            for (LogSegment s : segments.values()) {
                s.close();
            }
            LogLoader.writeCleanShutdownMarker(dir, recoveryPoint);
        } finally {
            writeLock.unlock();
            flushLock.unlock();
            waiters.releaseAll();
            appendWaiters.releaseAll();
        }
    }

    /** Closes file handles without the clean-shutdown work: what a crash leaves behind (tests). */
    void closeAbruptly() throws IOException {
        closed = true;
        for (LogSegment s : segments.values()) {
            s.close();
        }
        waiters.releaseAll();
        appendWaiters.releaseAll();
    }

    /** Closes and removes every file of this partition. */
    public void deleteAll() throws IOException {
        writeLock.lock();
        try {
            closed = true;
            for (LogSegment s : segments.values()) {
                s.close();
            }
        } finally {
            writeLock.unlock();
            waiters.releaseAll();
            appendWaiters.releaseAll();
        }
        LogLoader.deleteRecursively(dir);
    }

    boolean isClosed() {
        return closed;
    }

    /** The last sequence {@code producerId} wrote to this partition, or -1. */
    public long lastSequence(long producerId) {
        writeLock.lock();
        try {
            return producers.lastSequence(producerId);
        } finally {
            writeLock.unlock();
        }
    }

    /** Idempotent producers this partition remembers (bounded by {@link ProducerStateLimits#maxProducers()}). */
    public int producerCount() {
        writeLock.lock();
        try {
            return producers.size();
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "PartitionLog[" + topic + "-" + partition + ", start=" + logStartOffset + ", hw=" + highWatermark
                + ", end=" + logEndOffset + ", segments=" + segments.size() + "]";
    }
}
