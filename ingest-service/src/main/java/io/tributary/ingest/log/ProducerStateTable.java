package io.tributary.ingest.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/**
 * Per-partition memory of idempotent producers: for each producer id, its epoch, the last
 * {@value #REMEMBERED_BATCHES} batches it wrote (sequence range and offsets) and when it last wrote.
 *
 * <p>Sequence rules (per producer and partition; a batch marked with contiguous sequences follows
 * Kafka's instead, see {@link #check}): sequences only increase, within and across
 * epochs of the same producer id; gaps are allowed, because writers such as the cleaning
 * service derive sequences from source offsets and skip the records they filter out. A batch
 * equal to a remembered one is a retry and gets the original offsets back; one that overlaps
 * what was written without matching is out of order; one older than everything remembered is
 * reported as a duplicate of unknown offsets. A lower epoch is fenced.
 *
 * <p>Bounds ({@link ProducerStateLimits}, issue 10), as Kafka's producer-id expiration: an
 * entry whose last write is more than the retention behind the partition's <em>log time</em> is
 * forgotten, and a new producer id beyond the cap makes the table forget the entry written
 * longest ago. A forgotten producer is a stranger: its next batch is appended whatever its epoch
 * and sequences (fencing of named producers does not depend on this table: the produce path
 * checks {@code ProducerIds.latestEpoch} first).
 *
 * <p>Determinism: on a cluster every replica applies the same batches and must reach the same
 * verdicts, so nothing here reads the clock. The log time is the largest record timestamp
 * appended so far; an entry's last write is the log time once its batch was appended (so a batch
 * of old timestamps, as a pipeline copying old records writes, is not forgotten at once); the
 * eviction order is (last write, offset of the last batch), and offsets are unique. Whether an
 * expired entry is already removed or only skipped is never visible: the log time only grows, so
 * an expired entry stays expired, and expired entries are removed before a live one is evicted.
 *
 * <p>Durability: the table is snapshotted to {@code <offset>.producers} at every segment roll
 * and clean close; after a crash the newest snapshot is loaded and the batches after it are
 * replayed, so the table always matches the log. Layout: see {@link #writeSnapshot}.
 *
 * <p>Thread-safety: guarded by the partition's write lock.
 */
final class ProducerStateTable {

    static final int REMEMBERED_BATCHES = 5;

    /**
     * First int of a snapshot of the current layout. The unversioned layout before it began with the
     * (non-negative) entry count, so a negative first int tells the two apart.
     */
    static final int SNAPSHOT_VERSION_MARKER = -2;

    /** Where a producer's batch landed. */
    record BatchMetadata(long firstSequence, long lastSequence, long firstOffset, long lastOffset) {
    }

    /** What to do with an incoming batch. */
    sealed interface Verdict permits Append, Duplicate {
    }

    record Append() implements Verdict {
    }

    record Duplicate(BatchMetadata original) implements Verdict {
    }

    private static final class Entry {
        final long producerId;
        short epoch;
        /** The partition's log time once this producer's last batch was appended. */
        long lastWrite;
        final ArrayDeque<BatchMetadata> recent = new ArrayDeque<>(REMEMBERED_BATCHES);

        Entry(long producerId) {
            this.producerId = producerId;
        }

        long lastSequence() {
            return recent.isEmpty() ? Long.MIN_VALUE : recent.peekLast().lastSequence();
        }

        long lastOffset() {
            return recent.isEmpty() ? -1 : recent.peekLast().lastOffset();
        }
    }

    /** Written longest ago first; the id only breaks ties that cannot happen (offsets are unique). */
    private static final Comparator<Entry> BY_LAST_WRITE = Comparator.<Entry>comparingLong(e -> e.lastWrite)
            .thenComparingLong(Entry::lastOffset).thenComparingLong(e -> e.producerId);

    private final Map<Long, Entry> producers = new HashMap<>();
    /** The same entries in eviction order; an entry is taken out before its sort keys change. */
    private final TreeSet<Entry> byLastWrite = new TreeSet<>(BY_LAST_WRITE);
    private final long retentionMs;
    private final int maxProducers;
    private final ProducerStateLimits.Listener listener;
    /** The largest record timestamp appended so far; -1 before any. */
    private long logTime = -1;

    ProducerStateTable() {
        this(ProducerStateLimits.DEFAULTS);
    }

    ProducerStateTable(ProducerStateLimits limits) {
        this.retentionMs = limits.retention().toMillis();
        this.maxProducers = limits.maxProducers();
        this.listener = limits.listener();
    }

    /**
     * Decides whether a batch from this producer should be appended. Changes nothing.
     *
     * <p>A batch with contiguous sequences ({@link RecordBatch#CONTIGUOUS_SEQUENCES}, Kafka's rules,
     * {@link #check(long, short, long, long, boolean)}): within an epoch it must start right after
     * the last batch (32-bit sequences, wrapping to 0), a new epoch must start at 0, and anything
     * else that is not a retry of a remembered batch is out of order. So a batch that failed and is
     * sent again after later ones were refused cannot be skipped as a "duplicate".
     *
     * @throws ProducerFencedException     when the epoch is older than the newest seen
     * @throws OutOfOrderSequenceException when the sequences overlap written ones without matching
     *                                     (or, contiguous, do not follow on)
     * @throws DuplicateSequenceException  when the batch is older than anything remembered (not contiguous)
     */
    Verdict check(long producerId, short epoch, long firstSequence, long lastSequence) {
        return check(producerId, epoch, firstSequence, lastSequence, false);
    }

    /** {@link #check(long, short, long, long)} under the batch's rules; see the other overload. */
    Verdict check(long producerId, short epoch, long firstSequence, long lastSequence, boolean contiguous) {
        Entry entry = live(producerId);
        if (entry == null) {
            return new Append();
        }
        if (epoch < entry.epoch) {
            throw new ProducerFencedException(producerId, epoch, entry.epoch);
        }
        if (epoch > entry.epoch) {
            // Nothing remembered was written by this epoch, so nothing is its retry. Kafka's rule: a
            // new epoch starts at 0; the log's own: sequences go on increasing from the previous epoch's.
            if (contiguous ? firstSequence == 0 : firstSequence > entry.lastSequence()) {
                return new Append();
            }
            throw new OutOfOrderSequenceException("producer " + producerId + " epoch " + epoch + " sent sequences "
                    + firstSequence + ".." + lastSequence + (contiguous ? "; a new epoch starts at 0"
                    : " but epoch " + entry.epoch + " has already written up to " + entry.lastSequence()),
                    entry.lastSequence());
        }
        for (BatchMetadata m : entry.recent) {
            if (m.firstSequence() == firstSequence && m.lastSequence() == lastSequence) {
                return new Duplicate(m);
            }
        }
        if (contiguous) {
            long expected = (entry.lastSequence() + 1) & Integer.MAX_VALUE;
            if (firstSequence == expected) {
                return new Append();
            }
            throw new OutOfOrderSequenceException("producer " + producerId + " sent sequences " + firstSequence + ".."
                    + lastSequence + " but the next expected is " + expected, entry.lastSequence());
        }
        if (firstSequence > entry.lastSequence()) {
            return new Append();
        }
        if (lastSequence < entry.recent.peekFirst().firstSequence()) {
            throw new DuplicateSequenceException("producer " + producerId + " sequences " + firstSequence + ".."
                    + lastSequence + " were written before the last " + REMEMBERED_BATCHES + " batches");
        }
        throw new OutOfOrderSequenceException("producer " + producerId + " sent sequences " + firstSequence + ".."
                + lastSequence + " but has already written up to " + entry.lastSequence(), entry.lastSequence());
    }

    /** Records an appended (or replayed) batch; every batch moves the log time, with a producer id or not. */
    void update(RecordBatch batch) {
        // check() judged this batch against the log time before it: so does the expiry of its entry.
        long judgedAt = logTime;
        logTime = Math.max(logTime, batch.maxTimestamp());
        if (!batch.hasProducerId()) {
            return;
        }
        Entry entry = producers.get(batch.producerId());
        if (entry != null) {
            byLastWrite.remove(entry);
            if (expired(entry, judgedAt)) {
                producers.remove(entry.producerId);
                listener.expired(1);
                entry = null;
            }
        }
        if (entry == null) {
            makeRoomForOneMore();
            entry = new Entry(batch.producerId());
            entry.epoch = batch.producerEpoch();
            producers.put(entry.producerId, entry);
        }
        if (batch.producerEpoch() > entry.epoch) {
            // Only batches of the current epoch can be retried: forget the older epoch's.
            entry.epoch = batch.producerEpoch();
            entry.recent.clear();
        }
        if (entry.recent.size() == REMEMBERED_BATCHES) {
            entry.recent.pollFirst();
        }
        entry.recent.addLast(new BatchMetadata(batch.baseSequence(), batch.lastSequence(), batch.baseOffset(),
                batch.lastOffset()));
        entry.lastWrite = logTime;
        byLastWrite.add(entry);
    }

    private void makeRoomForOneMore() {
        if (producers.size() < maxProducers) {
            return;
        }
        // Expired entries first: whether they were swept already must not decide which live one goes.
        expire();
        while (producers.size() >= maxProducers) {
            Entry oldest = byLastWrite.pollFirst();
            producers.remove(oldest.producerId);
            listener.evicted();
        }
    }

    /** Removes the entries whose last write is older than the retention (segment roll, snapshot). */
    void expire() {
        int removed = 0;
        for (Iterator<Entry> it = byLastWrite.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (!expired(e, logTime)) {
                break; // in last-write order: the rest are younger
            }
            it.remove();
            producers.remove(e.producerId);
            removed++;
        }
        if (removed > 0) {
            listener.expired(removed);
        }
    }

    private boolean expired(Entry entry, long at) {
        return at - entry.lastWrite > retentionMs;
    }

    /** The producer's entry, or null when there is none or it has expired (and is only not removed yet). */
    private Entry live(long producerId) {
        Entry entry = producers.get(producerId);
        return entry == null || expired(entry, logTime) ? null : entry;
    }

    /** The last sequence the producer wrote here, or -1 when nothing of it is remembered (any more). */
    long lastSequence(long producerId) {
        Entry entry = live(producerId);
        return entry == null || entry.recent.isEmpty() ? -1 : entry.lastSequence();
    }

    /** The largest record timestamp appended so far, -1 before any: the clock expiry goes by. */
    long logTime() {
        return logTime;
    }

    /** Forgets everything (before a replay from scratch). */
    void clear() {
        producers.clear();
        byLastWrite.clear();
        logTime = -1;
    }

    /** Producers remembered (expired entries not yet removed do not count). */
    int size() {
        int expired = 0;
        for (Entry e : byLastWrite) {
            if (!expired(e, logTime)) {
                break;
            }
            expired++;
        }
        return producers.size() - expired;
    }

    /**
     * Writes the live entries, oldest write first (so equal tables give equal files). Layout, big-endian:
     * <pre>
     * int   -2 (version marker; the unversioned layout began with the entry count, never negative)
     * long  log time (-1: none yet)
     * int   entry count
     * per entry:
     *   long  producer id
     *   short epoch
     *   long  last write (log time once its last batch was appended)
     *   byte  n, the batches remembered (1..5)
     *   n x   long first sequence, long last sequence, long first offset, long last offset
     * int   CRC32C of everything before it
     * </pre>
     */
    void writeSnapshot(Path file) throws IOException {
        expire();
        int bytes = 4 + 8 + 4 + 4;
        for (Entry e : byLastWrite) {
            bytes += 8 + 2 + 8 + 1 + e.recent.size() * 32;
        }
        ByteBuffer buf = ByteBuffer.allocate(bytes);
        buf.putInt(SNAPSHOT_VERSION_MARKER).putLong(logTime).putInt(byLastWrite.size());
        for (Entry e : byLastWrite) {
            buf.putLong(e.producerId).putShort(e.epoch).putLong(e.lastWrite).put((byte) e.recent.size());
            for (BatchMetadata m : e.recent) {
                buf.putLong(m.firstSequence()).putLong(m.lastSequence()).putLong(m.firstOffset()).putLong(m.lastOffset());
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 0, bytes - 4);
        buf.putInt((int) crc.getValue());
        AtomicFiles.write(file, buf.array());
    }

    /**
     * Replaces the table with a snapshot.
     *
     * @return false for a snapshot of the unversioned layout (no write times): the table is left empty and the
     *         caller treats the snapshot as absent, rebuilding from the log
     * @throws CorruptRecordException a snapshot failing its CRC, truncated, or of an unknown version
     */
    boolean loadSnapshot(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < 8) {
            throw new CorruptRecordException("producer snapshot " + file + " is truncated");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        if ((int) crc.getValue() != buf.getInt(bytes.length - 4)) {
            throw new CorruptRecordException("producer snapshot " + file + " fails its CRC");
        }
        clear();
        int marker = buf.getInt();
        if (marker >= 0) {
            return false;
        }
        if (marker != SNAPSHOT_VERSION_MARKER) {
            throw new CorruptRecordException("producer snapshot " + file + " has an unknown version marker " + marker);
        }
        try {
            logTime = buf.getLong();
            int count = buf.getInt();
            for (int i = 0; i < count; i++) {
                Entry e = new Entry(buf.getLong());
                e.epoch = buf.getShort();
                e.lastWrite = buf.getLong();
                int n = buf.get();
                for (int j = 0; j < n; j++) {
                    e.recent.addLast(new BatchMetadata(buf.getLong(), buf.getLong(), buf.getLong(), buf.getLong()));
                }
                producers.put(e.producerId, e);
                byLastWrite.add(e);
            }
        } catch (java.nio.BufferUnderflowException e) {
            clear();
            throw new CorruptRecordException("producer snapshot " + file + " is truncated");
        }
        return true;
    }
}
