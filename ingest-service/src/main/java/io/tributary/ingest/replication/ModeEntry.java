package io.tributary.ingest.replication;

import java.nio.ByteBuffer;

/**
 * A partition Raft entry that switches how the partition is written instead of holding records
 * (docs/replication.md, "Partitions with one replica"). {@code DIRECT}: from this entry on the
 * group's only member appends produced batches straight to its partition log, without a Raft
 * entry per batch. {@code REPLICATED}: from this entry on every batch is a Raft entry again.
 * {@code argument}: for REPLICATED the partition log's end at the switch, the offset after the last
 * batch appended directly, where the replay cursor of every replica resumes; for DIRECT the number
 * of the proposing leader's latest stop of direct appends ({@code PartitionStateMachine.seal}),
 * so that only a DIRECT proposed after a stop resumes them, never an older one applied late.
 *
 * <pre>
 * offset size field
 *  0     8    marker       -3 (a record batch starts with its base offset, never negative; -2 is a KeyedBatch)
 *  8     4    frameLength  9, the bytes after this field (where a batch has its batchLength)
 * 12     1    kind         1 = DIRECT, 2 = REPLICATED
 * 13     8    argument     REPLICATED: the partition log's end at the switch; DIRECT: the stop it follows
 * </pre>
 * Big-endian; always alone in its entry. A node of an earlier version takes it for a malformed
 * batch and refuses it, so every node must run a version that knows it before a partition
 * switches (the setting {@code ingest.replication.direct-writes}).
 */
record ModeEntry(boolean direct, long argument) {

    static final long MARKER = -3L;
    static final int SIZE = 21;
    private static final byte DIRECT = 1;
    private static final byte REPLICATED = 2;

    static ModeEntry toDirect(long afterStop) {
        return new ModeEntry(true, afterStop);
    }

    static ModeEntry toReplicated(long logEnd) {
        return new ModeEntry(false, logEnd);
    }

    /** REPLICATED: the log end at the switch. */
    long logEnd() {
        return argument;
    }

    byte[] encode() {
        return ByteBuffer.allocate(SIZE).putLong(MARKER).putInt(SIZE - 12).put(direct ? DIRECT : REPLICATED)
                .putLong(argument).array();
    }

    /** The mode entry these bytes hold, or null when they are not one (record batches, keyed or not). */
    static ModeEntry decode(byte[] bytes) {
        if (bytes.length != SIZE) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.getLong(0) != MARKER || b.getInt(8) != SIZE - 12) {
            return null;
        }
        return switch (b.get(12)) {
            case DIRECT -> toDirect(b.getLong(13));
            case REPLICATED -> toReplicated(b.getLong(13));
            default -> null;
        };
    }
}
