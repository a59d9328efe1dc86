package io.tributary.ingest.replication;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.zip.CRC32C;

import io.tributary.ingest.log.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code Idempotency-Key} entries a replica learnt outside Raft entries, appended as they come: on a
 * partition written directly or by its leader and fetched, no Raft entry carries a key, so a restart
 * could only get back what the last snapshot's {@link KeyMemory} held. Replayed over that memory at load
 * ({@link PartitionStateMachine}); cut back to what a newer snapshot does not hold yet ({@link #dropThrough}).
 *
 * <p>Written to the page cache before the produce is acknowledged, not fsynced by itself: it reaches disk
 * by the operating system's write-back (a snapshot then cuts it back). A process that is killed keeps every
 * record written; a torn record at the end (a crash of the machine during the write) is cut off at open.
 *
 * <p>Layout ({@code keys.journal} beside the partition's snapshots; big-endian), records back to back:
 * <pre>
 * size field
 *  4   length        bytes after this field, the CRC included
 *  8   seq           1, 2, ... in write order, never reused (a snapshot's memory names the last one it holds)
 *  8   appliedIndex  the Raft index this replica had applied when the entry was learnt (it goes into the
 *                    memory at the same point of a replay, after that entry)
 *  4   bound         the maxEntries the memory kept then
 *  ... entry         {@link KeyMemory}'s entry layout
 *  4   crc           CRC32C of seq .. entry
 * </pre>
 * Thread-safe: writes come from the produce path (a leader's append) and a follower's fetcher.
 */
final class KeyJournal implements KeyMemory.Journal, Closeable {

    private static final Logger log = LoggerFactory.getLogger(KeyJournal.class);
    private static final int MAX_RECORD = 1 << 20;

    /** One learnt entry, as read back. */
    record Entry(long seq, long appliedIndex, int bound, byte[] entry) {
        /** Bytes of the record, the length field included. */
        int size() {
            return 4 + 8 + 8 + 4 + entry.length + 4;
        }

        /** Writes the record in the layout above. */
        void putTo(ByteBuffer b) {
            int start = b.position();
            b.putInt(size() - 4).putLong(seq).putLong(appliedIndex).putInt(bound).put(entry);
            CRC32C crc = new CRC32C();
            crc.update(b.array(), start + 4, size() - 8);
            b.putInt((int) crc.getValue());
        }
    }

    private final Path file;
    private final LongSupplier appliedIndex;
    /** The records read at open, until {@link #takeRead} hands them over (the journal keeps no copy after that). */
    private List<Entry> read;
    private long lastSeq;
    /** Opened at the first write: most partitions on the Raft-entry path never write one. */
    private FileChannel channel;

    private KeyJournal(Path file, LongSupplier appliedIndex, List<Entry> read) {
        this.file = file;
        this.appliedIndex = appliedIndex;
        this.read = read;
        this.lastSeq = read.isEmpty() ? 0 : read.get(read.size() - 1).seq();
    }

    /**
     * Reads the journal at {@code file} (none: empty); a damaged or torn tail is cut off and logged.
     * {@code appliedIndex} tells each later write the Raft index applied at the time.
     */
    static KeyJournal open(Path file, LongSupplier appliedIndex) throws IOException {
        List<Entry> entries = new ArrayList<>();
        if (!Files.exists(file)) {
            return new KeyJournal(file, appliedIndex, entries);
        }
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int good = 0;
        while (b.remaining() >= 4) {
            int length = b.getInt();
            if (length < 8 + 8 + 4 + 4 || length > MAX_RECORD || length > b.remaining()) {
                break;
            }
            int start = b.position();
            CRC32C crc = new CRC32C();
            crc.update(bytes, start, length - 4);
            if ((int) crc.getValue() != b.getInt(start + length - 4)) {
                break;
            }
            long seq = b.getLong();
            long index = b.getLong();
            int bound = b.getInt();
            byte[] entry = new byte[length - 8 - 8 - 4 - 4];
            b.get(entry);
            b.getInt();
            entries.add(new Entry(seq, index, bound, entry));
            good = b.position();
        }
        if (good < bytes.length) {
            log.warn("{}: {} bytes after the last whole record cut off (a write torn by a crash)", file,
                    bytes.length - good);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(good);
                ch.force(true);
            }
        }
        return new KeyJournal(file, appliedIndex, entries);
    }

    /** The records read at open, in write order; once (later calls answer none). */
    synchronized List<Entry> takeRead() {
        List<Entry> out = read;
        read = List.of();
        return out;
    }

    /** The seq of the latest record written (or read); 0 when none ever was. */
    synchronized long lastSeq() {
        return lastSeq;
    }

    /** The next record gets a seq above {@code seq} too (a snapshot's memory names records up to it). */
    synchronized void continueAfter(long seq) {
        lastSeq = Math.max(lastSeq, seq);
    }

    /** Appends one entry; answers its seq. */
    @Override
    public synchronized long write(byte[] entry, int bound) {
        Entry e = new Entry(lastSeq + 1, appliedIndex.getAsLong(), bound, entry);
        ByteBuffer b = ByteBuffer.allocate(e.size());
        e.putTo(b);
        b.flip();
        try {
            if (channel == null) {
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND);
            }
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(file + ": writing an Idempotency-Key entry failed", ex);
        }
        lastSeq = e.seq();
        return e.seq();
    }

    /**
     * Forgets the records up to {@code seq} (a durable snapshot's memory holds them): the file is rewritten
     * with the later ones, atomically.
     */
    synchronized void dropThrough(long seq) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        List<Entry> kept = new ArrayList<>();
        for (Entry e : open(file, appliedIndex).takeRead()) {
            if (e.seq() > seq) {
                kept.add(e);
            }
        }
        closeChannel();
        if (kept.isEmpty()) {
            Files.delete(file);
            AtomicFiles.fsyncDirectory(file.getParent());
            return;
        }
        ByteBuffer b = ByteBuffer.allocate(kept.stream().mapToInt(Entry::size).sum());
        kept.forEach(e -> e.putTo(b));
        AtomicFiles.write(file, b.array());
    }

    @Override
    public synchronized void close() throws IOException {
        closeChannel();
    }

    private void closeChannel() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }
}
