package io.tributary.ingest.replication;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.TreeSet;

/**
 * A partition Raft entry that records which replicas are in sync while the partition is written by
 * its leader and fetched by its followers (FETCH, docs/replication.md "The in-sync set"). The
 * leader proposes it when a follower falls out of sync or catches up again; once applied it is what
 * the high watermark waits for (with a follower about to join counted from the proposal on) and who
 * may lead: a replica left out may lack acknowledged records, so it neither serves nor keeps the
 * leadership. Every replica applies the same entries, so every replica, and a leader elected later,
 * knows the same set. A FETCH or REPLICATED mode entry resets it to every replica.
 *
 * <pre>
 * offset size   field
 *  0     8      marker       -4 (a record batch starts with its base offset, never negative; -2 KeyedBatch, -3 ModeEntry)
 *  8     4      frameLength  the bytes after this field: 14 + 4 * count
 * 12     8      term         the Raft term of the proposing leader
 * 20     4      sequence     the proposer's count of its in-sync proposals in that term, from 1
 * 24     2      count        the number of replicas in the set
 * 26     4*n    replicas     node ids, ascending; the leader itself among them
 * </pre>
 * Big-endian; always alone in its entry. Like a mode entry, a node of an earlier version refuses it
 * as a malformed batch: every node must know it before {@code ingest.replication.fetch-writes} is on.
 */
record InSyncEntry(long term, int sequence, List<Integer> replicas) {

    static final long MARKER = -4L;
    private static final int HEADER = 26;

    InSyncEntry {
        replicas = List.copyOf(new TreeSet<>(replicas));
    }

    byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(HEADER + 4 * replicas.size()).putLong(MARKER)
                .putInt(HEADER - 12 + 4 * replicas.size()).putLong(term).putInt(sequence).putShort((short) replicas.size());
        replicas.forEach(b::putInt);
        return b.array();
    }

    /** The in-sync entry these bytes hold, or null when they are not one. */
    static InSyncEntry decode(byte[] bytes) {
        if (bytes.length < HEADER) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int count = Short.toUnsignedInt(b.getShort(24));
        if (b.getLong(0) != MARKER || b.getInt(8) != HEADER - 12 + 4 * count || bytes.length != HEADER + 4 * count) {
            return null;
        }
        Integer[] ids = new Integer[count];
        for (int i = 0; i < count; i++) {
            ids[i] = b.getInt(HEADER + 4 * i);
        }
        return new InSyncEntry(b.getLong(12), b.getInt(20), List.of(ids));
    }
}
