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
 *  0     4    magic        "TKM1"
 *  4     8    term         the snapshot's (term, index) this memory belongs to
 * 12     8    index
 * 20     8    clockMs      latest atMs applied
 * 28     4    count
 * 32     ...  count entries, oldest first: idLength (2), id (UTF-8), fingerprint (8), createdMs (8),
 *             baseOffset (8), recordCount (4), timestampCount (4: 1 when all records share one
 *             timestamp, else recordCount), timestamps (8 each)
 * end-4  4    CRC32C of every byte before it
 * </pre>
 * Not thread-safe by itself: calls are synchronized because the apply thread and a snapshot
 * written from elsewhere (a copy from the leader) may meet.
 */
final class KeyMemory {

    private static final int MAGIC = 0x544B4D31; // "TKM1"

    /**
     * What a held key answers: {@code count} records from {@code baseOffset}, with {@code timestamps}
     * one per record, or a single one when the records share it (the common case: stamped on arrival).
     */
    record Held(long fingerprint, long createdMs, long baseOffset, int count, long[] timestamps) {
        static Held of(long fingerprint, long createdMs, long baseOffset, long[] timestamps) {
            boolean uniform = timestamps.length > 0
                    && Arrays.stream(timestamps).allMatch(t -> t == timestamps[0]);
            return new Held(fingerprint, createdMs, baseOffset, timestamps.length,
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

    private final LinkedHashMap<String, Held> entries = new LinkedHashMap<>();
    private long clockMs;

    /**
     * Moves time to the key's {@code atMs} (never back), drops what is older than its window, and
     * answers what the key's id holds, or null.
     */
    synchronized Held lookup(IdempotencyKey key) {
        clockMs = Math.max(clockMs, key.atMs());
        for (Iterator<Held> it = entries.values().iterator(); it.hasNext(); ) {
            if (clockMs - it.next().createdMs() <= key.windowMs()) {
                break;
            }
            it.remove();
        }
        return entries.get(key.id());
    }

    /** Remembers the answer a key's batch got; past the key's bound the oldest entries go. */
    synchronized void remember(IdempotencyKey key, AppendResult result) {
        entries.put(key.id(), Held.of(key.fingerprint(), clockMs, result.baseOffset(), result.timestamps()));
        for (Iterator<Held> it = entries.values().iterator(); entries.size() > key.maxEntries() && it.hasNext(); ) {
            it.next();
            it.remove();
        }
    }

    synchronized int size() {
        return entries.size();
    }

    /** The memory as of the snapshot {@code (term, index)}, in the layout above. */
    synchronized byte[] encode(long term, long index) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 + entries.size() * 64);
        out.writeBytes(ByteBuffer.allocate(32).putInt(MAGIC).putLong(term).putLong(index).putLong(clockMs)
                .putInt(entries.size()).array());
        for (Map.Entry<String, Held> e : entries.entrySet()) {
            byte[] id = e.getKey().getBytes(StandardCharsets.UTF_8);
            Held h = e.getValue();
            int tsCount = h.timestamps().length;
            ByteBuffer b = ByteBuffer.allocate(2 + id.length + 8 + 8 + 8 + 4 + 4 + 8 * tsCount);
            b.putShort((short) id.length).put(id).putLong(h.fingerprint()).putLong(h.createdMs()).putLong(h.baseOffset())
                    .putInt(h.count()).putInt(tsCount);
            for (long t : h.timestamps()) {
                b.putLong(t);
            }
            out.writeBytes(b.array());
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
        if (b.getInt() != MAGIC || b.getLong() != term || b.getLong() != index) {
            throw new IOException("Idempotency-Key memory: not the memory of snapshot (" + term + ", " + index + ")");
        }
        KeyMemory m = new KeyMemory();
        try {
            m.clockMs = b.getLong();
            int count = b.getInt();
            for (int i = 0; i < count; i++) {
                byte[] id = new byte[Short.toUnsignedInt(b.getShort())];
                b.get(id);
                long fingerprint = b.getLong();
                long created = b.getLong();
                long base = b.getLong();
                int records = b.getInt();
                int tsCount = b.getInt();
                if (records < 1 || (tsCount != 1 && tsCount != records)) {
                    throw new IOException("Idempotency-Key memory: " + tsCount + " timestamps for " + records + " records");
                }
                long[] ts = new long[tsCount];
                for (int j = 0; j < tsCount; j++) {
                    ts[j] = b.getLong();
                }
                m.entries.put(new String(id, StandardCharsets.UTF_8), new Held(fingerprint, created, base, records, ts));
            }
        } catch (BufferUnderflowException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new IOException("Idempotency-Key memory: truncated entry", e);
        }
        return m;
    }
}
