package io.tributary.ingest.replication;

import java.nio.ByteBuffer;

/**
 * A partition Raft entry that switches how the partition is written instead of holding records
 * (docs/replication.md, "Partitions with one replica"). {@code DIRECT}: from this entry on the
 * group's only member appends produced batches straight to its partition log, without a Raft
 * entry per batch. {@code FETCH}: the same for a partition of several replicas: the leader appends
 * produced batches to its partition log and the followers fetch them from it (docs/replication.md,
 * "The Kafka-shape write path"). {@code REPLICATED}: from this entry on every batch is a Raft entry
 * again. {@code argument}: for REPLICATED the partition log's end at the switch, the offset after
 * the last batch appended directly, where the replay cursor of every replica resumes; for DIRECT
 * and FETCH the number of the proposing leader's latest stop of direct appends
 * ({@code PartitionStateMachine.seal}), so that only an entry proposed after a stop resumes them,
 * never an older one applied late.
 *
 * <pre>
 * offset size field
 *  0     8    marker       -3 (a record batch starts with its base offset, never negative; -2 is a KeyedBatch)
 *  8     4    frameLength  9, the bytes after this field (where a batch has its batchLength)
 * 12     1    kind         1 = DIRECT, 2 = REPLICATED, 3 = FETCH
 * 13     8    argument     REPLICATED: the partition log's end at the switch; DIRECT, FETCH: the stop it follows
 * </pre>
 * Big-endian; always alone in its entry. A node of an earlier version takes it for a malformed
 * batch and refuses it, so every node must run a version that knows it before a partition
 * switches (the settings {@code ingest.replication.direct-writes} and {@code fetch-writes}; a node
 * of a version without FETCH refuses that kind the same way).
 */
record ModeEntry(Kind kind, long argument) {

    /** How the partition is written from this entry on. */
    enum Kind {
        DIRECT((byte) 1), REPLICATED((byte) 2), FETCH((byte) 3);

        private final byte code;

        Kind(byte code) {
            this.code = code;
        }
    }

    static final long MARKER = -3L;
    static final int SIZE = 21;

    static ModeEntry toDirect(long afterStop) {
        return new ModeEntry(Kind.DIRECT, afterStop);
    }

    static ModeEntry toFetch(long afterStop) {
        return new ModeEntry(Kind.FETCH, afterStop);
    }

    static ModeEntry toReplicated(long logEnd) {
        return new ModeEntry(Kind.REPLICATED, logEnd);
    }

    /** Whether batches are appended by the leader itself from this entry on (DIRECT or FETCH). */
    boolean direct() {
        return kind != Kind.REPLICATED;
    }

    /** Whether the followers fetch the leader's batches from this entry on. */
    boolean fetch() {
        return kind == Kind.FETCH;
    }

    /** REPLICATED: the log end at the switch. */
    long logEnd() {
        return argument;
    }

    byte[] encode() {
        return ByteBuffer.allocate(SIZE).putLong(MARKER).putInt(SIZE - 12).put(kind.code).putLong(argument).array();
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
        for (Kind k : Kind.values()) {
            if (k.code == b.get(12)) {
                return new ModeEntry(k, b.getLong(13));
            }
        }
        return null;
    }
}
