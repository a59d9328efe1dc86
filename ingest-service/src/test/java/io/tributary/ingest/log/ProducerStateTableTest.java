package io.tributary.ingest.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 10: the per-partition producer memory forgets by log time and is capped, the same way everywhere. */
class ProducerStateTableTest {

    @TempDir
    Path dir;

    /** Feeds batches to a table with consecutive offsets, as the log would. */
    private static final class Feeder {
        final ProducerStateTable table;
        long nextOffset;

        Feeder(ProducerStateTable table) {
            this.table = table;
        }

        /** A one-record batch of {@code pid} with sequence {@code seq} and record time {@code ts}; checked first. */
        void write(long pid, short epoch, long seq, long ts) {
            table.check(pid, epoch, seq, seq);
            RecordBatch batch = BatchBuilder.build(List.of(LogRecord.of("k", "{}", ts)), pid, epoch, seq);
            batch.setBaseOffset(nextOffset);
            table.update(batch);
            nextOffset = batch.nextOffset();
        }

        /** A batch without producer id: it still moves the log time. */
        void plain(long ts) {
            RecordBatch batch = BatchBuilder.build(List.of(LogRecord.of("k", "{}", ts)));
            batch.setBaseOffset(nextOffset);
            table.update(batch);
            nextOffset = batch.nextOffset();
        }
    }

    private static final class Counting implements ProducerStateLimits.Listener {
        final AtomicInteger expired = new AtomicInteger();
        final AtomicInteger evicted = new AtomicInteger();

        @Override
        public void expired(int count) {
            expired.addAndGet(count);
        }

        @Override
        public void evicted() {
            evicted.incrementAndGet();
        }
    }

    @Test
    void anEntryIsForgottenOnceTheLogTimeHasMovedPastItsLastWriteByTheRetention() {
        Counting counts = new Counting();
        Feeder f = new Feeder(new ProducerStateTable(new ProducerStateLimits(Duration.ofMillis(1000), 100, counts)));
        f.write(1, (short) 3, 10, 100);
        f.write(2, (short) 0, 0, 1100);
        // 1,000 ms behind the log time is not older than the retention yet.
        assertThat(f.table.lastSequence(1)).isEqualTo(10);
        assertThatThrownBy(() -> f.table.check(1, (short) 2, 11, 11)).isInstanceOf(ProducerFencedException.class);

        f.plain(1101); // any batch moves the log time
        assertThat(f.table.logTime()).isEqualTo(1101);
        assertThat(f.table.lastSequence(1)).isEqualTo(-1);
        assertThat(f.table.size()).isEqualTo(1);
        // Nothing is remembered of producer 1: any epoch and sequence is a first write.
        assertThat(f.table.check(1, (short) 0, 0, 0)).isInstanceOf(ProducerStateTable.Append.class);
        f.write(1, (short) 0, 0, 1102);
        assertThat(f.table.lastSequence(1)).isEqualTo(0);
        assertThat(counts.expired.get()).isEqualTo(1);
        assertThat(counts.evicted.get()).isZero();
    }

    @Test
    void theWallClockPlaysNoPart() {
        // Record times from 1970: by the wall clock they are decades past any retention.
        Feeder f = new Feeder(new ProducerStateTable(new ProducerStateLimits(Duration.ofMillis(1000), 100)));
        f.write(1, (short) 0, 0, 5);
        f.write(2, (short) 0, 0, 6);
        f.table.expire();
        assertThat(f.table.size()).isEqualTo(2);
        assertThat(f.table.lastSequence(1)).isZero();
    }

    @Test
    void aBackdatedBatchCountsAsWrittenAtTheLogTimeOfItsWrite() {
        // A writer copying old records (their source timestamps) must not be forgotten at once.
        Feeder f = new Feeder(new ProducerStateTable(new ProducerStateLimits(Duration.ofMillis(1000), 100)));
        f.plain(50_000);
        f.write(1, (short) 0, 7, 10);
        f.plain(50_900);
        assertThat(f.table.lastSequence(1)).isEqualTo(7);
        f.plain(51_001);
        assertThat(f.table.lastSequence(1)).isEqualTo(-1);
    }

    @Test
    void aNewProducerBeyondTheCapEvictsTheEntryWrittenLongestAgoTiesByOffset() {
        Counting counts = new Counting();
        Feeder f = new Feeder(new ProducerStateTable(new ProducerStateLimits(Duration.ofDays(7), 3, counts)));
        // All at the same log time: the offset of the last write decides.
        f.write(1, (short) 0, 0, 100);
        f.write(2, (short) 0, 0, 100);
        f.write(3, (short) 0, 0, 100);
        f.write(1, (short) 0, 1, 100); // producer 1 is now the most recent
        f.write(4, (short) 0, 0, 100);
        assertThat(f.table.size()).isEqualTo(3);
        assertThat(f.table.lastSequence(2)).isEqualTo(-1);
        assertThat(f.table.lastSequence(1)).isEqualTo(1);
        assertThat(f.table.lastSequence(3)).isZero();
        assertThat(f.table.lastSequence(4)).isZero();

        // A later log time; order now 1 (100), 4 (100), 3 (200).
        f.write(3, (short) 0, 1, 200);
        f.write(5, (short) 0, 0, 200);
        assertThat(f.table.lastSequence(1)).isEqualTo(-1);
        assertThat(f.table.lastSequence(4)).isZero();
        assertThat(f.table.lastSequence(3)).isEqualTo(1);
        assertThat(f.table.lastSequence(5)).isZero();
        assertThat(counts.evicted.get()).isEqualTo(2);
        // A known producer writing again takes no new slot.
        f.write(5, (short) 0, 1, 200);
        assertThat(counts.evicted.get()).isEqualTo(2);
    }

    @Test
    void expiredEntriesGoBeforeALiveOneIsEvicted() {
        Counting counts = new Counting();
        Feeder f = new Feeder(new ProducerStateTable(new ProducerStateLimits(Duration.ofMillis(1000), 2, counts)));
        f.write(1, (short) 0, 0, 100);
        f.write(2, (short) 0, 0, 1000);
        f.write(3, (short) 0, 0, 1200); // producer 1 has expired: it makes the room, 2 stays
        assertThat(f.table.lastSequence(2)).isZero();
        assertThat(f.table.lastSequence(3)).isZero();
        assertThat(counts.expired.get()).isEqualTo(1);
        assertThat(counts.evicted.get()).isZero();
    }

    @Test
    void theSameBatchesGiveTheSameTableHoweverOftenItIsSweptOrSnapshotted() throws IOException {
        ProducerStateLimits limits = new ProducerStateLimits(Duration.ofMillis(5_000), 10);
        Feeder steady = new Feeder(new ProducerStateTable(limits));
        Feeder swept = new Feeder(new ProducerStateTable(limits));
        Random random = new Random(42);
        long ts = 1_000;
        long[] sequences = new long[40];
        for (int i = 0; i < 2_000; i++) {
            int pid = random.nextInt(sequences.length);
            ts += random.nextInt(100) - 20; // mostly forward, sometimes backdated
            long seq = steady.table.lastSequence(pid) + 1 + random.nextInt(3);
            assertThat(swept.table.lastSequence(pid)).isEqualTo(steady.table.lastSequence(pid));
            steady.write(pid, (short) 0, seq, ts);
            swept.write(pid, (short) 0, seq, ts);
            if (random.nextInt(50) == 0) {
                swept.table.expire();
            }
            if (random.nextInt(200) == 0) {
                // what a restart does: load the snapshot, carry on
                Path file = dir.resolve("mid-" + i + ".producers");
                swept.table.writeSnapshot(file);
                ProducerStateTable reloaded = new ProducerStateTable(limits);
                assertThat(reloaded.loadSnapshot(file)).isTrue();
                Feeder next = new Feeder(reloaded);
                next.nextOffset = swept.nextOffset;
                swept = next;
            }
        }
        Path a = dir.resolve("a.producers");
        Path b = dir.resolve("b.producers");
        steady.table.writeSnapshot(a);
        swept.table.writeSnapshot(b);
        assertThat(Files.readAllBytes(b)).isEqualTo(Files.readAllBytes(a));
        assertThat(steady.table.size()).isEqualTo(10);
    }

    @Test
    void theSnapshotCarriesLastWriteTimesAndTheLogTime() throws IOException {
        ProducerStateLimits limits = new ProducerStateLimits(Duration.ofMillis(1000), 100);
        Feeder f = new Feeder(new ProducerStateTable(limits));
        f.write(1, (short) 2, 5, 100);
        f.write(2, (short) 0, 9, 700);
        f.plain(900);
        Path file = dir.resolve("00000000000000000003.producers");
        f.table.writeSnapshot(file);

        ProducerStateTable loaded = new ProducerStateTable(limits);
        assertThat(loaded.loadSnapshot(file)).isTrue();
        assertThat(loaded.logTime()).isEqualTo(900);
        assertThat(loaded.lastSequence(1)).isEqualTo(5);
        assertThat(loaded.check(1, (short) 2, 5, 5)).isEqualTo(
                new ProducerStateTable.Duplicate(new ProducerStateTable.BatchMetadata(5, 5, 0, 0)));
        Feeder after = new Feeder(loaded);
        after.nextOffset = 3;
        after.plain(1101); // producer 1 (written at 100) expires, producer 2 (at 700) does not
        assertThat(loaded.lastSequence(1)).isEqualTo(-1);
        assertThat(loaded.lastSequence(2)).isEqualTo(9);
        after.plain(1700);
        assertThat(loaded.lastSequence(2)).isEqualTo(9);
        after.plain(1701);
        assertThat(loaded.lastSequence(2)).isEqualTo(-1);

        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1;
        Files.write(file, bytes);
        assertThatThrownBy(() -> new ProducerStateTable(limits).loadSnapshot(file))
                .isInstanceOf(CorruptRecordException.class);
    }

    @Test
    void aSnapshotOfTheUnversionedLayoutIsIgnored() throws IOException {
        // The layout before versioning: count, then id, epoch, n, n x 4 longs; CRC32C.
        ByteBuffer buf = ByteBuffer.allocate(4 + 8 + 2 + 1 + 32 + 4);
        buf.putInt(1).putLong(7).putShort((short) 1).put((byte) 1).putLong(0).putLong(0).putLong(0).putLong(0);
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 0, buf.position());
        buf.putInt((int) crc.getValue());
        Path file = dir.resolve("00000000000000000001.producers");
        Files.write(file, buf.array());

        ProducerStateTable table = new ProducerStateTable();
        assertThat(table.loadSnapshot(file)).isFalse();
        assertThat(table.size()).isZero();
        assertThat(table.lastSequence(7)).isEqualTo(-1);
    }
}
