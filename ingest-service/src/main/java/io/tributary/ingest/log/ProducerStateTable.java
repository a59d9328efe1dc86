package io.tributary.ingest.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Per-partition memory of idempotent producers: for each producer id, its epoch and the last
 * {@value #REMEMBERED_BATCHES} batches it wrote (sequence range and offsets).
 *
 * <p>Sequence rules (per producer and partition): sequences only increase, within and across
 * epochs of the same producer id; gaps are allowed, because writers such as the cleaning
 * service derive sequences from source offsets and skip the records they filter out. A batch
 * equal to a remembered one is a retry and gets the original offsets back; one that overlaps
 * what was written without matching is out of order; one older than everything remembered is
 * reported as a duplicate of unknown offsets. A lower epoch is fenced.
 *
 * <p>Durability: the table is snapshotted to {@code <offset>.producers} at every segment roll
 * and clean close; after a crash the newest snapshot is loaded and the batches after it are
 * replayed, so the table always matches the log.
 *
 * <p>Thread-safety: guarded by the partition's write lock.
 */
final class ProducerStateTable {

    static final int REMEMBERED_BATCHES = 5;

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
        short epoch;
        final ArrayDeque<BatchMetadata> recent = new ArrayDeque<>(REMEMBERED_BATCHES);

        long lastSequence() {
            return recent.isEmpty() ? Long.MIN_VALUE : recent.peekLast().lastSequence();
        }
    }

    private final Map<Long, Entry> producers = new HashMap<>();

    /**
     * Decides whether a batch from this producer should be appended.
     *
     * @throws ProducerFencedException     when the epoch is older than the newest seen
     * @throws OutOfOrderSequenceException when the sequences overlap written ones without matching
     * @throws DuplicateSequenceException  when the batch is older than anything remembered
     */
    Verdict check(long producerId, short epoch, long firstSequence, long lastSequence) {
        Entry entry = producers.get(producerId);
        if (entry == null) {
            return new Append();
        }
        if (epoch < entry.epoch) {
            throw new ProducerFencedException(producerId, epoch, entry.epoch);
        }
        if (epoch > entry.epoch) {
            // Nothing remembered was written by this epoch, so nothing is its retry; its sequences
            // must still go on increasing from the previous epoch's.
            if (firstSequence > entry.lastSequence()) {
                return new Append();
            }
            throw new OutOfOrderSequenceException("producer " + producerId + " epoch " + epoch + " sent sequences "
                    + firstSequence + ".." + lastSequence + " but epoch " + entry.epoch + " has already written up to "
                    + entry.lastSequence(), entry.lastSequence());
        }
        for (BatchMetadata m : entry.recent) {
            if (m.firstSequence() == firstSequence && m.lastSequence() == lastSequence) {
                return new Duplicate(m);
            }
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

    /** Records an appended (or replayed) batch. */
    void update(RecordBatch batch) {
        if (!batch.hasProducerId()) {
            return;
        }
        Entry entry = producers.computeIfAbsent(batch.producerId(), id -> new Entry());
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
    }

    /** The last sequence the producer wrote here, or -1 when it wrote nothing (that is remembered). */
    long lastSequence(long producerId) {
        Entry entry = producers.get(producerId);
        return entry == null || entry.recent.isEmpty() ? -1 : entry.lastSequence();
    }

    /** Forgets everything (before a replay from scratch). */
    void clear() {
        producers.clear();
    }

    int size() {
        return producers.size();
    }

    /** Writes the table; layout: count, then per producer id, epoch, n, n x (firstSeq, lastSeq, firstOff, lastOff); CRC32C last. */
    void writeSnapshot(Path file) throws IOException {
        int bytes = 4 + 4;
        for (Entry e : producers.values()) {
            bytes += 8 + 2 + 1 + e.recent.size() * 32;
        }
        ByteBuffer buf = ByteBuffer.allocate(bytes);
        buf.putInt(producers.size());
        producers.forEach((id, e) -> {
            buf.putLong(id).putShort(e.epoch).put((byte) e.recent.size());
            for (BatchMetadata m : e.recent) {
                buf.putLong(m.firstSequence()).putLong(m.lastSequence()).putLong(m.firstOffset()).putLong(m.lastOffset());
            }
        });
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 0, bytes - 4);
        buf.putInt((int) crc.getValue());
        AtomicFiles.write(file, buf.array());
    }

    /** Replaces the table with a snapshot; a snapshot failing its CRC is reported as corrupt. */
    void loadSnapshot(Path file) throws IOException {
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
        producers.clear();
        int count = buf.getInt();
        for (int i = 0; i < count; i++) {
            long id = buf.getLong();
            Entry e = new Entry();
            e.epoch = buf.getShort();
            int n = buf.get();
            for (int j = 0; j < n; j++) {
                e.recent.addLast(new BatchMetadata(buf.getLong(), buf.getLong(), buf.getLong(), buf.getLong()));
            }
            producers.put(id, e);
        }
    }
}
