package io.tributary.ingest.replication;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.tributary.ingest.log.AppendResult;
import io.tributary.ingest.produce.IdempotencyKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The journal of {@code Idempotency-Key}s learnt outside Raft entries: what a memory wrote to it comes
 * back into a memory restored from an older snapshot, a torn tail is cut off, and a snapshot's cut keeps
 * only what that snapshot's memory does not hold.
 */
class KeyJournalTest {

    @TempDir
    Path dir;

    private static IdempotencyKey key(String id, long fingerprint, long atMs) {
        return new IdempotencyKey(id, fingerprint, atMs, 60_000, 100);
    }

    /** A leader's memory that remembers {@code count} keys outside Raft entries, from {@code first} on. */
    private static void rememberDirect(KeyMemory m, int first, int count) {
        for (int i = first; i < first + count; i++) {
            IdempotencyKey k = key("k" + i, 1000 + i, 5000 + i);
            assertThat(m.lookup(k)).isNull();
            m.remember(k, new AppendResult(10L * i, new long[] {77, 78}, false), 9000 + i, true);
        }
    }

    @Test
    void shouldBringBackWhatAMemoryLearntSinceItsSnapshot() throws IOException {
        Path file = dir.resolve("keys.journal");
        AtomicLong applied = new AtomicLong(4);
        KeyJournal journal = KeyJournal.open(file, applied::get);
        KeyMemory memory = new KeyMemory();
        memory.journalTo(journal);
        rememberDirect(memory, 0, 3);
        // A key remembered on the Raft-entry path is not journaled (its entry replays it).
        IdempotencyKey raft = key("raft", 1, 5100);
        memory.lookup(raft);
        memory.remember(raft, new AppendResult(99, new long[] {1}, false), 1, false);
        byte[] snapshot = memory.encode(2, 4, journal.lastSeq());
        applied.set(6);
        rememberDirect(memory, 3, 2);
        journal.close();

        KeyJournal reopened = KeyJournal.open(file, applied::get);
        List<KeyJournal.Entry> read = reopened.takeRead();
        assertThat(read).extracting(KeyJournal.Entry::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(read).extracting(KeyJournal.Entry::appliedIndex).containsExactly(4L, 4L, 4L, 6L, 6L);
        assertThat(reopened.takeRead()).as("handed over once, not kept").isEmpty();
        KeyMemory restored = KeyMemory.decode(snapshot, 2, 4);
        assertThat(restored.journalSeq()).isEqualTo(3);
        for (KeyJournal.Entry e : read) {
            if (e.seq() > restored.journalSeq()) {
                restored.restore(e);
            }
        }
        assertThat(restored.journalSeq()).isEqualTo(5);
        assertThat(restored.size()).isEqualTo(memory.size()).isEqualTo(6);
        for (int i = 0; i < 5; i++) {
            KeyMemory.Held held = restored.lookup(key("k" + i, 1000 + i, 6000));
            assertThat(held).as("k%d", i).isNotNull();
            assertThat(held.baseOffset()).isEqualTo(10L * i);
            assertThat(held.batchCrc()).isEqualTo(9000 + i);
            assertThat(held.asDuplicate().timestamps()).containsExactly(77, 78);
        }
        // Nothing restored was written again; the next record follows the last one read.
        restored.journalTo(reopened);
        rememberDirect(restored, 5, 1);
        reopened.close();
        assertThat(KeyJournal.open(file, applied::get).takeRead()).extracting(KeyJournal.Entry::seq)
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    }

    @Test
    void shouldCutATornTailAndKeepWritingAfterTheLastWholeRecord() throws IOException {
        Path file = dir.resolve("keys.journal");
        KeyJournal journal = KeyJournal.open(file, () -> 1);
        KeyMemory memory = new KeyMemory();
        memory.journalTo(journal);
        rememberDirect(memory, 0, 2);
        journal.close();
        long whole = Files.size(file);
        Files.write(file, new byte[] {0, 0, 0, 90, 1, 2, 3}, StandardOpenOption.APPEND); // a record cut by a crash

        KeyJournal reopened = KeyJournal.open(file, () -> 1);
        assertThat(reopened.takeRead()).hasSize(2);
        assertThat(Files.size(file)).isEqualTo(whole);
        assertThat(reopened.write(new byte[] {1}, 5)).isEqualTo(3);
        reopened.close();

        // A flipped bit in the middle record: it and what follows are cut (the CRC tells).
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {(byte) 0xff}), whole / 2 + 10);
        }
        assertThat(KeyJournal.open(file, () -> 1).takeRead()).hasSize(1);
    }

    @Test
    void shouldDropWhatASnapshotHoldsAndContinueTheCountAfterIt() throws IOException {
        Path file = dir.resolve("keys.journal");
        KeyJournal journal = KeyJournal.open(file, () -> 3);
        for (int i = 0; i < 4; i++) {
            journal.write(new byte[] {(byte) i}, 10);
        }
        journal.dropThrough(2);
        assertThat(journal.write(new byte[] {9}, 10)).isEqualTo(5);
        journal.close();
        assertThat(KeyJournal.open(file, () -> 3).takeRead()).extracting(KeyJournal.Entry::seq)
                .containsExactly(3L, 4L, 5L);

        // Dropping everything removes the file; a snapshot's memory that named seq 5 keeps the count above it.
        KeyJournal again = KeyJournal.open(file, () -> 3);
        again.dropThrough(5);
        assertThat(file).doesNotExist();
        KeyJournal empty = KeyJournal.open(file, () -> 3);
        empty.continueAfter(5);
        assertThat(empty.write(new byte[] {1}, 10)).isEqualTo(6);
        empty.close();
    }
}
