package io.tributary.ingest.replication;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.tributary.ingest.log.RecordBatch;
import io.tributary.ingest.produce.IdempotencyKey;

/**
 * One part of a partition's Raft entry: a record batch, with the {@code Idempotency-Key} of the
 * request it belongs to when it had one ({@code key} null otherwise). An entry is its parts back
 * to back ({@link GroupCommit}); a part without a key is the encoded batch itself, exactly as
 * before keys were replicated, and a part with one is a frame around the batch:
 *
 * <pre>
 * offset size field
 *  0     8    marker       -2 (a record batch starts with its base offset, never negative)
 *  8     4    frameLength  bytes that follow this field (where a batch has its batchLength, so
 *                          both kinds of part are delimited alike: RecordBatch.sizeAt)
 * 12     8    atMs         the proposing node's clock
 * 20     8    windowMs     how long the partition remembers the key
 * 28     4    maxEntries   most keys the partition remembers
 * 32     8    fingerprint  checksum of the request body
 * 40     2    idLength
 * 42     n    id           UTF-8: principal, topic and key, length-prefixed
 * 42+n   ...  the record batch
 * </pre>
 * All big-endian. A node of an older version would take such a frame for a malformed batch, so
 * every node of a cluster must run a version that knows it before keys are sent.
 */
record KeyedBatch(RecordBatch batch, IdempotencyKey key) {

    static final long MARKER = -2L;
    private static final int HEADER = 42;

    /** The frame around an encoded batch. */
    static byte[] encode(IdempotencyKey key, byte[] batch) {
        byte[] id = key.id().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(HEADER + id.length + batch.length);
        b.putLong(MARKER).putInt(HEADER - 12 + id.length + batch.length).putLong(key.atMs()).putLong(key.windowMs())
                .putInt(key.maxEntries()).putLong(key.fingerprint()).putShort((short) id.length).put(id).put(batch);
        return b.array();
    }

    /**
     * The parts of an entry. Framing that does not add up is left as one batch without a key, which
     * the log then refuses as it would any malformed batch.
     */
    static List<KeyedBatch> partsOf(byte[] bytes) {
        List<KeyedBatch> out = new ArrayList<>(1);
        int pos = 0;
        while (pos < bytes.length) {
            int size = bytes.length - pos >= RecordBatch.HEADER_SIZE ? RecordBatch.sizeAt(bytes, pos) : -1;
            if (size < RecordBatch.HEADER_SIZE || size > bytes.length - pos) {
                return malformed(bytes);
            }
            ByteBuffer b = ByteBuffer.wrap(bytes, pos, size).slice();
            if (b.getLong(0) != MARKER) {
                out.add(new KeyedBatch(RecordBatch.view(bytes, pos, size), null));
            } else {
                int idLength = Short.toUnsignedInt(b.getShort(40));
                int batchAt = HEADER + idLength;
                if (batchAt + RecordBatch.HEADER_SIZE > size || RecordBatch.sizeAt(bytes, pos + batchAt) != size - batchAt) {
                    return malformed(bytes);
                }
                String id = new String(bytes, pos + HEADER, idLength, StandardCharsets.UTF_8);
                IdempotencyKey key = new IdempotencyKey(id, b.getLong(32), b.getLong(12), b.getLong(20), b.getInt(28));
                out.add(new KeyedBatch(RecordBatch.view(bytes, pos + batchAt, size - batchAt), key));
            }
            pos += size;
        }
        return out.isEmpty() ? malformed(bytes) : out;
    }

    private static List<KeyedBatch> malformed(byte[] bytes) {
        return List.of(new KeyedBatch(RecordBatch.view(bytes, 0, bytes.length), null));
    }
}
