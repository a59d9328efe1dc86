package io.tributary.ingest.replication;

import java.nio.ByteBuffer;
import java.util.List;

import io.tributary.ingest.log.BatchBuilder;
import io.tributary.ingest.log.Bytes;
import io.tributary.ingest.log.LogRecord;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The partition entry that records the in-sync replicas, told apart from the other entries of a partition group. */
class InSyncEntryTest {

    @Test
    void roundTripsWithTermSequenceAndSortedReplicas() {
        InSyncEntry entry = new InSyncEntry(42, 7, List.of(3, 1));
        byte[] bytes = entry.encode();
        assertThat(bytes).hasSize(26 + 8);
        assertThat(InSyncEntry.decode(bytes)).isEqualTo(new InSyncEntry(42, 7, List.of(1, 3)));
        assertThat(InSyncEntry.decode(bytes).replicas()).containsExactly(1, 3);
        // The frame length sits where a batch has its length.
        assertThat(ByteBuffer.wrap(bytes).getInt(8)).isEqualTo(bytes.length - 12);
        assertThat(InSyncEntry.decode(new InSyncEntry(1, 1, List.of(5)).encode()).replicas()).containsExactly(5);
    }

    @Test
    void otherEntriesAreNotInSyncEntriesAndTheyAreNoModeEntry() {
        byte[] batch = BatchBuilder.build(List.of(new LogRecord(null, Bytes.utf8("a"), List.of(), 5))).copyBytes();
        assertThat(InSyncEntry.decode(batch)).isNull();
        assertThat(InSyncEntry.decode(ModeEntry.toFetch(1).encode())).isNull();
        byte[] entry = new InSyncEntry(2, 1, List.of(1, 2)).encode();
        assertThat(ModeEntry.decode(entry)).isNull();
        // A count that disagrees with the length is refused, as is a cut entry.
        byte[] cut = java.util.Arrays.copyOf(entry, entry.length - 4);
        assertThat(InSyncEntry.decode(cut)).isNull();
        ByteBuffer.wrap(entry).putShort(24, (short) 3);
        assertThat(InSyncEntry.decode(entry)).isNull();
    }
}
