package io.tributary.ingest.replication;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.tributary.ingest.log.AppendResult;
import io.tributary.ingest.log.BatchBuilder;
import io.tributary.ingest.log.Bytes;
import io.tributary.ingest.log.LogRecord;
import io.tributary.ingest.log.RecordBatch;
import io.tributary.ingest.produce.IdempotencyKey;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The replicated Idempotency-Key memory of a partition and the entry frame that carries a key. */
class KeyMemoryTest {

    private static IdempotencyKey key(String id, long fingerprint, long atMs, long windowMs, int maxEntries) {
        return new IdempotencyKey(id, fingerprint, atMs, windowMs, maxEntries);
    }

    private static AppendResult result(long base, long... timestamps) {
        return new AppendResult(base, timestamps, false);
    }

    @Test
    void shouldAnswerAHeldKeyWithItsOriginalOffsetsAsADuplicate() {
        KeyMemory m = new KeyMemory();
        assertThat(m.lookup(key("k", 7, 1000, 60_000, 10))).isNull();
        m.remember(key("k", 7, 1000, 60_000, 10), result(42, 5, 6), KeyMemory.UNKNOWN_CRC, false);

        KeyMemory.Held held = m.lookup(key("k", 7, 2000, 60_000, 10));
        assertThat(held.fingerprint()).isEqualTo(7);
        AppendResult dup = held.asDuplicate();
        assertThat(dup.baseOffset()).isEqualTo(42);
        assertThat(dup.timestamps()).containsExactly(5, 6);
        assertThat(dup.duplicate()).isTrue();
    }

    @Test
    void shouldKeepOneTimestampForRecordsThatShareIt() {
        KeyMemory m = new KeyMemory();
        m.lookup(key("k", 7, 1000, 60_000, 10));
        m.remember(key("k", 7, 1000, 60_000, 10), result(3, 9, 9, 9, 9), KeyMemory.UNKNOWN_CRC, false);
        KeyMemory.Held held = m.lookup(key("k", 7, 1000, 60_000, 10));
        assertThat(held.timestamps()).containsExactly(9);
        assertThat(held.asDuplicate().timestamps()).containsExactly(9, 9, 9, 9);
    }

    @Test
    void shouldForgetKeysOlderThanTheWindowByTheKeysOwnClockNeverGoingBack() {
        KeyMemory m = new KeyMemory();
        m.remember(keyAfterLookup(m, "old", 1000), result(0, 1), KeyMemory.UNKNOWN_CRC, false);
        m.remember(keyAfterLookup(m, "new", 5000), result(1, 1), KeyMemory.UNKNOWN_CRC, false);
        // A proposer whose clock is behind does not move time back: "old" is still 4 s old, inside 10 s.
        assertThat(m.lookup(key("x", 0, 100, 10_000, 10))).isNull();
        assertThat(m.size()).isEqualTo(2);
        // 11.5 s after "old": it expired, "new" (6.5 s) did not.
        assertThat(m.lookup(key("old", 0, 11_500, 10_000, 10))).isNull();
        assertThat(m.lookup(key("new", 0, 11_500, 10_000, 10))).isNotNull();
        assertThat(m.size()).isEqualTo(1);
    }

    private static IdempotencyKey keyAfterLookup(KeyMemory m, String id, long atMs) {
        IdempotencyKey k = key(id, 0, atMs, 10_000, 10);
        assertThat(m.lookup(k)).isNull();
        return k;
    }

    @Test
    void shouldDropTheOldestKeysBeyondTheBound() {
        KeyMemory m = new KeyMemory();
        for (int i = 0; i < 5; i++) {
            IdempotencyKey k = key("k" + i, i, 1000 + i, 60_000, 3);
            m.lookup(k);
            m.remember(k, result(i, 1), KeyMemory.UNKNOWN_CRC, false);
        }
        assertThat(m.size()).isEqualTo(3);
        assertThat(m.lookup(key("k1", 0, 2000, 60_000, 3))).isNull();
        assertThat(m.lookup(key("k2", 0, 2000, 60_000, 3))).isNotNull();
        assertThat(m.lookup(key("k4", 0, 2000, 60_000, 3))).isNotNull();
    }

    /** Oracle: a memory read back from its snapshot bytes answers every key as the original does, at any later time. */
    @Test
    void shouldReadBackWhatItWroteForItsSnapshot() throws IOException {
        Random random = new Random(11);
        KeyMemory m = new KeyMemory();
        Map<String, long[]> timestamps = new LinkedHashMap<>();
        for (int i = 0; i < 200; i++) {
            String id = "p" + random.nextInt(50) + ":é-" + i;
            long[] ts = new long[1 + random.nextInt(4)];
            boolean uniform = random.nextBoolean();
            for (int j = 0; j < ts.length; j++) {
                ts[j] = uniform ? 77 : random.nextLong();
            }
            IdempotencyKey k = key(id, random.nextLong(), 1000L * i, 150_000, 120);
            if (m.lookup(k) == null) {
                m.remember(k, result(i, ts), random.nextBoolean() ? KeyMemory.UNKNOWN_CRC : random.nextInt() & 0xffffffffL, false);
                timestamps.put(id, ts);
            }
        }
        KeyMemory copy = KeyMemory.decode(m.encode(3, 99, 0), 3, 99);
        assertThat(copy.size()).isEqualTo(m.size());
        List<String> ids = new ArrayList<>(timestamps.keySet());
        for (long at = 200_000; at < 400_000; at += 20_000) {
            for (String id : ids) {
                KeyMemory.Held a = m.lookup(key(id, 0, at, 150_000, 120));
                KeyMemory.Held b = copy.lookup(key(id, 0, at, 150_000, 120));
                if (a == null) {
                    assertThat(b).as(id).isNull();
                } else {
                    assertThat(b).as(id).isNotNull();
                    assertThat(b.fingerprint()).isEqualTo(a.fingerprint());
                    assertThat(b.baseOffset()).isEqualTo(a.baseOffset());
                    assertThat(b.batchCrc()).isEqualTo(a.batchCrc());
                    assertThat(b.asDuplicate().timestamps()).isEqualTo(a.asDuplicate().timestamps())
                            .isEqualTo(timestamps.get(id));
                }
            }
        }
    }

    /** A memory written before entries carried their batch's CRC still loads; its entries are trusted as they are. */
    @Test
    void shouldReadAMemoryWrittenBeforeBatchCrcs() throws IOException {
        byte[] id = "k".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(32 + 2 + id.length + 8 * 3 + 4 + 4 + 8 + 4);
        b.putInt(0x544B4D31).putLong(2).putLong(10).putLong(500).putInt(1)
                .putShort((short) id.length).put(id).putLong(7).putLong(500).putLong(42).putInt(1).putInt(1).putLong(9);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());

        KeyMemory m = KeyMemory.decode(b.array(), 2, 10);
        KeyMemory.Held held = m.lookup(key("k", 7, 600, 60_000, 10));
        assertThat(held.baseOffset()).isEqualTo(42);
        assertThat(held.batchCrc()).isEqualTo(KeyMemory.UNKNOWN_CRC);
        assertThat(KeyMemory.holds(held, offset -> -1)).isTrue();
    }

    /**
     * The Kafka-shape path: a follower learns the keys of the batches of a fetch answer before it appends
     * them, and a held entry counts only while its batch (by CRC) is at its offset.
     */
    @Test
    void shouldShipTheKeysOfAFetchedRangeAndTellATruncatedBatch() throws IOException {
        KeyMemory leader = new KeyMemory();
        for (int i = 0; i < 5; i++) {
            IdempotencyKey k = key("k" + i, 100 + i, 1000 + i, 60_000, 3);
            assertThat(leader.lookup(k)).isNull();
            leader.remember(k, result(10L * i, 7), 5000 + i, false);
        }
        // The bound of 3 kept k2..k4 (offsets 20, 30, 40).
        assertThat(leader.shipped(0, 20)).isNull();
        byte[] shipped = leader.shipped(15, 41);

        KeyMemory follower = new KeyMemory();
        follower.learn(shipped);
        assertThat(follower.size()).isEqualTo(3);
        KeyMemory.Held k3 = follower.lookup(key("k3", 103, 2000, 60_000, 3));
        assertThat(k3.baseOffset()).isEqualTo(30);
        assertThat(k3.fingerprint()).isEqualTo(103);
        assertThat(k3.batchCrc()).isEqualTo(5003);
        assertThat(follower.shipped(0, 100)).isNotNull();
        // It appended the batches at 20 and 30 only (the answer was cut off): k4 names a batch it does not hold.
        KeyMemory.Held k4 = follower.lookup(key("k4", 104, 2000, 60_000, 3));
        assertThat(KeyMemory.holds(k4, offset -> offset == 20 ? 5002 : offset == 30 ? 5003 : -1)).isFalse();

        // Still at 30 with its CRC, or taken by retention: held. Another batch there or none: not.
        assertThat(KeyMemory.holds(k3, offset -> offset == 30 ? 5003 : -1)).isTrue();
        assertThat(KeyMemory.holds(k3, offset -> -2)).isTrue();
        assertThat(KeyMemory.holds(k3, offset -> offset == 30 ? 9999 : -1)).isFalse();
        assertThat(KeyMemory.holds(k3, offset -> -1)).isFalse();
        follower.forget("k3");
        assertThat(follower.lookup(key("k3", 103, 2000, 60_000, 3))).isNull();

        // A new batch at a truncated one's offset: the older key names nothing any more and goes.
        follower.remember(key("n", 1, 2100, 60_000, 3), result(20, 8), 7777, false);
        assertThat(follower.lookup(key("k2", 102, 2100, 60_000, 3))).isNull();
        assertThatThrownBy(() -> follower.learn(new byte[] {0, 0, 0, 3, 0, 0, 0, 2, 1}))
                .isInstanceOf(IOException.class);
    }

    @Test
    void shouldRefuseAMemoryOfAnotherSnapshotOrDamagedBytes() {
        KeyMemory m = new KeyMemory();
        m.lookup(key("k", 1, 1, 1000, 10));
        m.remember(key("k", 1, 1, 1000, 10), result(0, 1), KeyMemory.UNKNOWN_CRC, false);
        byte[] bytes = m.encode(2, 10, 0);
        assertThatThrownBy(() -> KeyMemory.decode(bytes, 2, 11)).isInstanceOf(IOException.class);
        byte[] damaged = bytes.clone();
        damaged[40] ^= 1;
        assertThatThrownBy(() -> KeyMemory.decode(damaged, 2, 10)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> KeyMemory.decode(Arrays.copyOf(bytes, 20), 2, 10)).isInstanceOf(IOException.class);
    }

    @Test
    void shouldSplitAnEntryOfPlainAndKeyedBatchesBackIntoItsParts() {
        byte[] plain = BatchBuilder.build(List.of(new LogRecord(null, Bytes.utf8("a"), List.of(), 5))).copyBytes();
        byte[] other = BatchBuilder.build(List.of(new LogRecord(Bytes.utf8("k"), Bytes.utf8("bb"), List.of(), 6),
                new LogRecord(null, Bytes.utf8("c"), List.of(), 7))).copyBytes();
        IdempotencyKey k = key("4:User3:idemorder-1", 0xabcdefL, 123, 600_000, 100_000);
        byte[] keyed = KeyedBatch.encode(k, other);
        byte[] entry = new byte[plain.length + keyed.length + plain.length];
        System.arraycopy(plain, 0, entry, 0, plain.length);
        System.arraycopy(keyed, 0, entry, plain.length, keyed.length);
        System.arraycopy(plain, 0, entry, plain.length + keyed.length, plain.length);

        List<KeyedBatch> parts = KeyedBatch.partsOf(entry);
        assertThat(parts).hasSize(3);
        assertThat(parts.get(0).key()).isNull();
        assertThat(parts.get(0).batch().copyBytes()).isEqualTo(plain);
        assertThat(parts.get(1).key()).isEqualTo(k);
        assertThat(parts.get(1).batch().copyBytes()).isEqualTo(other);
        assertThat(parts.get(1).batch().recordCount()).isEqualTo(2);
        assertThat(parts.get(2).key()).isNull();
        // An entry of one batch, as before keys were replicated, is that batch.
        assertThat(KeyedBatch.partsOf(plain)).singleElement().satisfies(p -> assertThat(p.key()).isNull());
    }

    @Test
    void shouldLeaveAFrameThatDoesNotAddUpAsOneMalformedBatch() {
        byte[] batch = BatchBuilder.build(List.of(new LogRecord(null, Bytes.utf8("a"), List.of(), 5))).copyBytes();
        byte[] keyed = KeyedBatch.encode(key("id", 1, 1, 1, 1), batch);
        byte[] cut = Arrays.copyOf(keyed, keyed.length - 1);
        java.nio.ByteBuffer.wrap(cut).putInt(8, cut.length - 12); // the frame's length agrees, its batch's does not
        List<KeyedBatch> parts = KeyedBatch.partsOf(cut);
        assertThat(parts).singleElement().satisfies(p -> {
            assertThat(p.key()).isNull();
            assertThat(p.batch().sizeInBytes()).isEqualTo(cut.length);
        });
        assertThat(RecordBatch.HEADER_SIZE).isLessThan(cut.length);
    }
}
