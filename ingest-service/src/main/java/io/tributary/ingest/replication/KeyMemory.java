package io.tributary.ingest.replication;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.zip.CRC32C;

import io.tributary.ingest.log.AppendResult;
import io.tributary.ingest.produce.IdempotencyKey;

/**
 * One partition replica's memory of {@code Idempotency-Key}s: key id -> the body's fingerprint
 * and the offsets and timestamps its batch got (one timestamp when its records share it). {@link PartitionStateMachine} consults it before
 * applying a batch that carries a key ({@link KeyedBatch}) and answers a held key as a duplicate
 * with the original offsets instead of appending.
 *
 * <p>Deterministic: every replica applies the same entries in order and must reach the same
 * verdicts, or their logs would diverge. So nothing here reads a clock or a setting of this node:
 * time is the latest {@code atMs} any applied key carried (so it never goes back, whichever node
 * proposed), and the window and the bound are the ones each key carries. Entries are in insertion
 * order, which is age order; a lookup first drops the entries older than the window, and an
 * insertion beyond the bound drops the oldest.
 *
 * <p>Durable with the partition's Raft snapshot: entries before the snapshot point are never
 * replayed, so {@link #encode} is written beside the snapshot file and read back at load. Layout
 * (big-endian):
 * <pre>
 * offset size field
 *  0     4    magic        "TKM3" ("TKM2": without journalSeq, read as 0; "TKM1": also without the batchCrc
 *                          field, read as unknown)
 *  4     8    term         the snapshot's (term, index) this memory belongs to
 * 12     8    index
 * 20     8    clockMs      latest atMs applied
 * 28     8    journalSeq   the {@link KeyJournal} records up to this seq are in this memory
 * 36     4    count
 * 40     ...  count entries, oldest first (the entry layout below)
 * end-4  4    CRC32C of every byte before it
 *
 * entry: idLength (2), id (UTF-8), fingerprint (8), createdMs (8), baseOffset (8), batchCrc (8: the
 *        stored batch's CRC, -1 unknown), recordCount (4), timestampCount (4: 1 when all records
 *        share one timestamp, else recordCount), timestamps (8 each)
 * </pre>
 *
 * <p>On a partition written by its leader and fetched by its followers (FETCH) no Raft entry
 * carries the key: the leader ships the entries of the batches a follower fetches beside them
 * ({@link #shipped}, {@link #learn}), so a follower that holds a batch holds its key and answers a
 * retry alike once it leads. A follower may truncate a batch it holds (it was never acknowledged), or
 * learn an entry whose batch it then does not append; the entry then names offsets that hold another
 * batch or none, which {@link #holds} finds by the batch's CRC before a retry is answered as a duplicate.
 * What is learnt or remembered this way (no Raft entry will replay it) is also written to a
 * {@link Journal} as it comes, so that a restart keeps it.
 * Shipped layout (big-endian): maxEntries (4: the bound the leader keeps), count (4), count entries.
 * Not thread-safe by itself: calls are synchronized because the apply thread and a snapshot
 * written from elsewhere (a copy from the leader) may meet.
 */
final class KeyMemory {

    private static final int MAGIC = 0x544B4D33; // "TKM3"
    private static final int MAGIC_WITHOUT_SEQ = 0x544B4D32; // "TKM2"
    private static final int MAGIC_WITHOUT_CRC = 0x544B4D31; // "TKM1"

    /**
     * What a held key answers: {@code count} records from {@code baseOffset}, with {@code timestamps}
     * one per record, or a single one when the records share it (the common case: stamped on arrival).
     */
    record Held(long fingerprint, long createdMs, long baseOffset, long batchCrc, int count, long[] timestamps) {
        static Held of(long fingerprint, long createdMs, long baseOffset, long batchCrc, long[] timestamps) {
            boolean uniform = timestamps.length > 0
                    && Arrays.stream(timestamps).allMatch(t -> t == timestamps[0]);
            return new Held(fingerprint, createdMs, baseOffset, batchCrc, timestamps.length,
                    uniform ? new long[] {timestamps[0]} : timestamps.clone());
        }

        long[] allTimestamps() {
            if (timestamps.length == count) {
                return timestamps.clone();
            }
            long[] all = new long[count];
            Arrays.fill(all, timestamps[0]);
            return all;
        }

        AppendResult asDuplicate() {
            return new AppendResult(baseOffset, allTimestamps(), true);
        }
    }

    /** The CRC of a batch this memory does not know ({@code batchCrc}): a held entry is trusted as it is. */
    static final long UNKNOWN_CRC = -1;

    /** Tells whether the stored batch at an offset has a CRC: the check of a held entry ({@link #holds}). */
    interface StoredBatches {
        /** The stored CRC of the batch starting at {@code offset}; -1 when none starts there; -2 when retention took it. */
        long crcAt(long offset);
    }

    /** Where the entries learnt outside Raft entries are written as they come ({@link KeyJournal}). */
    interface Journal {
        /** Writes one entry (the entry layout above) and the bound it came with; answers its seq. */
        long write(byte[] entry, int bound);
    }

    private final LinkedHashMap<String, Held> entries = new LinkedHashMap<>();
    /** baseOffset -> id of the entries: what a follower fetching a range of batches is sent. */
    private final NavigableMap<Long, String> byOffset = new TreeMap<>();
    /** Entries put or forgotten since this memory was made ({@link #changes}). */
    private long changes;
    private long clockMs;
    private int bound = Integer.MAX_VALUE;
    private Journal journal;
    /** The seq of the {@link Journal} record this memory was read back with, or a decoded snapshot's. */
    private long journalSeq;

    /**
     * Moves time to the key's {@code atMs} (never back), drops what is older than its window, and
     * answers what the key's id holds, or null.
     */
    synchronized Held lookup(IdempotencyKey key) {
        clockMs = Math.max(clockMs, key.atMs());
        for (Iterator<Map.Entry<String, Held>> it = entries.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Held> e = it.next();
            if (clockMs - e.getValue().createdMs() <= key.windowMs()) {
                break;
            }
            byOffset.remove(e.getValue().baseOffset(), e.getKey());
            it.remove();
        }
        return entries.get(key.id());
    }

    /**
     * Remembers the answer a key's batch got, with the stored batch's CRC ({@link #UNKNOWN_CRC} for a
     * batch answered as a duplicate of another); past the key's bound the oldest entries go. An entry
     * appended outside a Raft entry ({@code journaled}) is written to the journal too.
     */
    synchronized void remember(IdempotencyKey key, AppendResult result, long batchCrc, boolean journaled) {
        bound = key.maxEntries();
        Held held = Held.of(key.fingerprint(), clockMs, result.baseOffset(), batchCrc, result.timestamps());
        put(key.id(), held);
        if (journaled) {
            journal(key.id(), held);
        }
    }

    /** From now on, entries learnt or remembered outside Raft entries are written to {@code to} too. */
    synchronized void journalTo(Journal to) {
        journal = to;
    }

    private void journal(String id, Held held) {
        if (journal != null) {
            journal.write(entryBytes(id, held), bound);
        }
    }

    /**
     * Takes back one record of the journal (at load, at the point of a replay it was written at):
     * as when it was first learnt, without writing it again.
     *
     * @throws IOException when the entry is not in the entry layout
     */
    synchronized void restore(KeyJournal.Entry record) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(record.entry());
        try {
            String id = readId(b);
            Held held = readHeld(b, true);
            bound = record.bound();
            clockMs = Math.max(clockMs, held.createdMs());
            put(id, held);
            journalSeq = record.seq();
        } catch (BufferUnderflowException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new IOException("Idempotency-Key journal: truncated entry " + record.seq(), e);
        }
    }

    /** The journal records up to this seq are in this memory (a decoded snapshot's, or the last restored). */
    synchronized long journalSeq() {
        return journalSeq;
    }

    /**
     * An entry in, oldest out past the bound. Another key's entry at the same offset names the same
     * batch (a duplicate of it) or, with another CRC, a batch truncated since: that one goes.
     */
    private void put(String id, Held held) {
        changes++;
        Held before = entries.remove(id);
        if (before != null) {
            byOffset.remove(before.baseOffset(), id);
        }
        entries.put(id, held);
        String other = byOffset.put(held.baseOffset(), id);
        Held otherHeld = other == null || other.equals(id) ? null : entries.get(other);
        if (otherHeld != null && otherHeld.batchCrc() != UNKNOWN_CRC && held.batchCrc() != UNKNOWN_CRC
                && otherHeld.batchCrc() != held.batchCrc()) {
            entries.remove(other); // two batches at one offset: the older was truncated
        }
        for (Iterator<Map.Entry<String, Held>> it = entries.entrySet().iterator(); entries.size() > bound
                && it.hasNext(); ) {
            Map.Entry<String, Held> e = it.next();
            byOffset.remove(e.getValue().baseOffset(), e.getKey());
            it.remove();
        }
    }

    /** Drops a key whose entry no longer names its batch ({@link #holds} said no). */
    synchronized void forget(String id) {
        changes++;
        Held held = entries.remove(id);
        if (held != null) {
            byOffset.remove(held.baseOffset(), id);
        }
    }

    /**
     * Whether the log still holds the batch a held entry names: the same CRC at its base offset, or
     * taken by retention (it was stored). False after a truncation took it, even if the offsets were
     * written again by another batch.
     */
    static boolean holds(Held held, StoredBatches log) {
        if (held.batchCrc() == UNKNOWN_CRC) {
            return true;
        }
        long crc = log.crcAt(held.baseOffset());
        return crc == -2 || crc == held.batchCrc();
    }

    /**
     * The entries of the batches based in {@code [from, to)}, in the shipped layout, for a follower
     * that fetches them; null when there are none.
     */
    synchronized byte[] shipped(long from, long to) {
        NavigableMap<Long, String> range = byOffset.subMap(from, true, to, false);
        if (range.isEmpty()) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(8 + range.size() * 64);
        out.writeBytes(ByteBuffer.allocate(8).putInt(bound).putInt(range.size()).array());
        for (String id : range.values()) {
            out.writeBytes(entryBytes(id, entries.get(id)));
        }
        return out.toByteArray();
    }

    /**
     * Takes the entries a leader shipped beside fetched batches, before this replica appends them (so that
     * it never holds a batch without its key), and writes them to the journal; time moves to the newest
     * entry's.
     *
     * @throws IOException when the bytes are not in the shipped layout
     */
    synchronized void learn(byte[] shipped) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(shipped);
        try {
            int leaderBound = b.getInt();
            int count = b.getInt();
            if (leaderBound < 1 || count < 0) {
                throw new IOException("shipped Idempotency-Keys: bound " + leaderBound + ", count " + count);
            }
            bound = leaderBound;
            for (int i = 0; i < count; i++) {
                String id = readId(b);
                Held held = readHeld(b, true);
                clockMs = Math.max(clockMs, held.createdMs());
                put(id, held);
                journal(id, held);
            }
        } catch (BufferUnderflowException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new IOException("shipped Idempotency-Keys: truncated entry", e);
        }
    }

    /** How many entries went in or out so far: a snapshot taken at another count has another memory. */
    synchronized long changes() {
        return changes;
    }

    synchronized int size() {
        return entries.size();
    }

    /**
     * The memory as of the snapshot {@code (term, index)}, in the layout above; it holds the journal's
     * records up to {@code journalSeq}.
     */
    synchronized byte[] encode(long term, long index, long journalSeq) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(40 + entries.size() * 64);
        out.writeBytes(ByteBuffer.allocate(40).putInt(MAGIC).putLong(term).putLong(index).putLong(clockMs)
                .putLong(journalSeq).putInt(entries.size()).array());
        for (Map.Entry<String, Held> e : entries.entrySet()) {
            out.writeBytes(entryBytes(e.getKey(), e.getValue()));
        }
        CRC32C crc = new CRC32C();
        byte[] body = out.toByteArray();
        crc.update(body);
        return ByteBuffer.allocate(body.length + 4).put(body).putInt((int) crc.getValue()).array();
    }

    /**
     * Reads a memory written by {@link #encode} for the snapshot {@code (term, index)}.
     *
     * @throws IOException when the bytes are damaged or belong to another snapshot
     */
    static KeyMemory decode(byte[] bytes, long term, long index) throws IOException {
        if (bytes.length < 36) {
            throw new IOException("Idempotency-Key memory: " + bytes.length + " bytes is too short");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if ((int) crc.getValue() != b.getInt(bytes.length - 4)) {
            throw new IOException("Idempotency-Key memory: checksum mismatch");
        }
        int magic = b.getInt();
        if ((magic != MAGIC && magic != MAGIC_WITHOUT_SEQ && magic != MAGIC_WITHOUT_CRC) || b.getLong() != term
                || b.getLong() != index) {
            throw new IOException("Idempotency-Key memory: not the memory of snapshot (" + term + ", " + index + ")");
        }
        KeyMemory m = new KeyMemory();
        try {
            m.clockMs = b.getLong();
            m.journalSeq = magic == MAGIC ? b.getLong() : 0;
            int count = b.getInt();
            for (int i = 0; i < count; i++) {
                String id = readId(b);
                m.put(id, readHeld(b, magic != MAGIC_WITHOUT_CRC));
            }
        } catch (BufferUnderflowException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new IOException("Idempotency-Key memory: truncated entry", e);
        }
        return m;
    }

    private static byte[] entryBytes(String key, Held h) {
        byte[] id = key.getBytes(StandardCharsets.UTF_8);
        int tsCount = h.timestamps().length;
        ByteBuffer b = ByteBuffer.allocate(2 + id.length + 8 + 8 + 8 + 8 + 4 + 4 + 8 * tsCount);
        b.putShort((short) id.length).put(id).putLong(h.fingerprint()).putLong(h.createdMs()).putLong(h.baseOffset())
                .putLong(h.batchCrc()).putInt(h.count()).putInt(tsCount);
        for (long t : h.timestamps()) {
            b.putLong(t);
        }
        return b.array();
    }

    private static String readId(ByteBuffer b) {
        byte[] id = new byte[Short.toUnsignedInt(b.getShort())];
        b.get(id);
        return new String(id, StandardCharsets.UTF_8);
    }

    private static Held readHeld(ByteBuffer b, boolean withCrc) throws IOException {
        long fingerprint = b.getLong();
        long created = b.getLong();
        long base = b.getLong();
        long crc = withCrc ? b.getLong() : UNKNOWN_CRC;
        int records = b.getInt();
        int tsCount = b.getInt();
        if (records < 1 || (tsCount != 1 && tsCount != records)) {
            throw new IOException("Idempotency-Key memory: " + tsCount + " timestamps for " + records + " records");
        }
        long[] ts = new long[tsCount];
        for (int j = 0; j < tsCount; j++) {
            ts[j] = b.getLong();
        }
        return new Held(fingerprint, created, base, crc, records, ts);
    }
}
