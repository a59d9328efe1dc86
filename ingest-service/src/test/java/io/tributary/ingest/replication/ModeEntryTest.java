package io.tributary.ingest.replication;

import java.nio.ByteBuffer;
import java.util.List;

import io.tributary.ingest.log.BatchBuilder;
import io.tributary.ingest.log.Bytes;
import io.tributary.ingest.log.LogRecord;
import io.tributary.ingest.produce.IdempotencyKey;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The partition entries that switch direct and fetched writes on and off, told apart from the entries that hold batches. */
class ModeEntryTest {

    @Test
    void everySwitchRoundTripsWithItsArgument() {
        byte[] direct = ModeEntry.toDirect(7).encode();
        byte[] replicated = ModeEntry.toReplicated(123_456_789_012L).encode();
        byte[] fetch = ModeEntry.toFetch(3).encode();
        assertThat(direct).hasSize(ModeEntry.SIZE);
        assertThat(ModeEntry.decode(direct)).isEqualTo(new ModeEntry(ModeEntry.Kind.DIRECT, 7));
        assertThat(ModeEntry.decode(replicated)).isEqualTo(new ModeEntry(ModeEntry.Kind.REPLICATED, 123_456_789_012L));
        assertThat(ModeEntry.decode(fetch)).isEqualTo(new ModeEntry(ModeEntry.Kind.FETCH, 3));
        assertThat(ModeEntry.decode(fetch).direct()).isTrue();
        assertThat(ModeEntry.decode(fetch).fetch()).isTrue();
        assertThat(ModeEntry.decode(direct).fetch()).isFalse();
        assertThat(ModeEntry.decode(replicated).direct()).isFalse();
        assertThat(fetch[12]).isEqualTo((byte) 3);
        assertThat(ModeEntry.decode(replicated).logEnd()).isEqualTo(123_456_789_012L);
        // The frame length sits where a batch has its length, so a reader that splits entries into parts agrees.
        assertThat(ByteBuffer.wrap(direct).getInt(8)).isEqualTo(direct.length - 12);
    }

    @Test
    void entriesOfBatchesAreNotModeEntries() {
        byte[] batch = BatchBuilder.build(List.of(new LogRecord(null, Bytes.utf8("a"), List.of(), 5))).copyBytes();
        byte[] keyed = KeyedBatch.encode(new IdempotencyKey("id", 1, 2, 3, 4), batch);
        assertThat(ModeEntry.decode(batch)).isNull();
        assertThat(ModeEntry.decode(keyed)).isNull();
        // A batch of exactly the mode entry's size still starts with a base offset, never negative.
        byte[] sameSize = new byte[ModeEntry.SIZE];
        ByteBuffer.wrap(sameSize).putLong(0).putInt(ModeEntry.SIZE - 12).put((byte) 1);
        assertThat(ModeEntry.decode(sameSize)).isNull();
        // An unknown kind is not a mode entry either (the apply then refuses it as a malformed batch).
        byte[] unknown = ModeEntry.toDirect(0).encode();
        unknown[12] = 9;
        assertThat(ModeEntry.decode(unknown)).isNull();
    }
}
