package io.tributary.ingest.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where each leader epoch starts in a partition's log: the first offset of the first batch stamped
 * with that epoch, for every epoch that wrote a batch, in increasing order. A follower that meets a
 * new leader compares its history with the leader's through it (the end offset the leader has for
 * the follower's latest epoch, {@link #endOffsetFor}) and truncates where they part; Kafka keeps
 * the same table ({@code leader-epoch-checkpoint}).
 *
 * <p>File {@value #FILE} in the partition directory, UTF-8 text, rewritten whole and atomically
 * (temp file, fsync, rename) at every change, which happens once per new epoch, not per batch:
 * <pre>
 * 0                      format version
 * 2                      number of entries
 * 3 0                    epoch, start offset
 * 5 1200
 * </pre>
 * A log opened without the file (written before it existed) rebuilds the table from its batch
 * headers once ({@link LogLoader}); entries starting at or above the recovered log end are
 * dropped at every open, since the file may describe batches that recovery cut off.
 *
 * <p>Thread-safe (appends and retention change it under different locks of the log); the latest
 * epoch is also readable without a lock, so an append checks it for free.
 */
public final class LeaderEpochs {

    static final String FILE = "leader-epochs";
    private static final int VERSION = 0;

    /** An epoch and the offset of its first batch. */
    public record Entry(int epoch, long startOffset) {
    }

    /** The answer of {@link #endOffsetFor}: the epoch found and where it ends; {@link #UNKNOWN} when none. */
    public record EpochEnd(int epoch, long endOffset) {
    }

    public static final EpochEnd UNKNOWN = new EpochEnd(-1, -1);

    private final Path file;
    private final List<Entry> entries;
    private volatile int latest;
    /** While a table is rebuilt from the batch headers: written once at the end ({@link #rebuilt}). */
    private boolean deferWrites;

    private LeaderEpochs(Path file, List<Entry> entries) {
        this.file = file;
        this.entries = entries;
        updateLatest();
    }

    private void updateLatest() {
        latest = entries.isEmpty() ? -1 : entries.get(entries.size() - 1).epoch();
    }

    /** Reads the table of {@code dir}; null when there is no file (a log written before it existed). */
    static LeaderEpochs read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return null;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        try {
            if (lines.size() < 2 || Integer.parseInt(lines.get(0).trim()) != VERSION) {
                throw new CorruptRecordException(file + ": unknown layout");
            }
            int count = Integer.parseInt(lines.get(1).trim());
            if (lines.size() < 2 + count) {
                throw new CorruptRecordException(file + ": " + count + " entries announced, "
                        + (lines.size() - 2) + " present");
            }
            List<Entry> entries = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String[] f = lines.get(2 + i).trim().split(" ");
                entries.add(new Entry(Integer.parseInt(f[0]), Long.parseLong(f[1])));
            }
            return new LeaderEpochs(file, entries);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new CorruptRecordException(file + ": unreadable: " + e.getMessage());
        }
    }

    /** An empty table of {@code dir}, written at its first entry. */
    static LeaderEpochs empty(Path dir) {
        return new LeaderEpochs(dir.resolve(FILE), new ArrayList<>());
    }

    /** An empty table that {@link #assign} fills without writing, until {@link #rebuilt} writes it once. */
    static LeaderEpochs rebuilding(Path dir) {
        LeaderEpochs epochs = empty(dir);
        epochs.deferWrites = true;
        return epochs;
    }

    /** Ends {@link #rebuilding}: the table is written (also when empty, so the next open reads it). */
    synchronized void rebuilt() {
        deferWrites = false;
        write();
    }

    /** The latest epoch that wrote a batch; -1 when none did. */
    int latestEpoch() {
        return latest;
    }

    synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    /**
     * Records that a batch of {@code epoch} starts at {@code startOffset}, when {@code epoch} is
     * newer than the latest; an older or the same epoch changes nothing (batches of a log never go
     * back to an older epoch, so only the first batch of each epoch counts).
     */
    synchronized void assign(int epoch, long startOffset) {
        if (epoch <= latest) {
            return;
        }
        entries.add(new Entry(epoch, startOffset));
        updateLatest();
        write();
    }

    /**
     * Where {@code epoch} ends in this log: for the latest epoch the log end; for an older one the
     * start of the next newer epoch, answered with the newest epoch at or below the one asked for
     * (a follower asking for an epoch this log never had learns the one before it and where that
     * ends). {@link #UNKNOWN} when {@code epoch} is older than every entry.
     */
    synchronized EpochEnd endOffsetFor(int epoch, long logEndOffset) {
        if (entries.isEmpty() || epoch < entries.get(0).epoch()) {
            return UNKNOWN;
        }
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).epoch() > epoch) {
                return new EpochEnd(entries.get(i - 1).epoch(), entries.get(i).startOffset());
            }
        }
        return new EpochEnd(latestEpoch(), logEndOffset);
    }

    /** Forgets the epochs starting at or above {@code endOffset} (after a truncation of the log to it). */
    synchronized void truncateFromEnd(long endOffset) {
        if (entries.removeIf(e -> e.startOffset() >= endOffset)) {
            updateLatest();
            write();
        }
    }

    /**
     * Follows the log start up to {@code startOffset} (retention, a reset): the epochs that ended
     * below it go, and the one holding it starts there.
     */
    synchronized void truncateFromStart(long startOffset) {
        int keepFrom = 0;
        while (keepFrom + 1 < entries.size() && entries.get(keepFrom + 1).startOffset() <= startOffset) {
            keepFrom++;
        }
        if (entries.isEmpty() || (keepFrom == 0 && entries.get(0).startOffset() >= startOffset)) {
            return;
        }
        Entry holding = entries.get(keepFrom);
        entries.subList(0, keepFrom + 1).clear();
        entries.add(0, new Entry(holding.epoch(), Math.max(holding.startOffset(), startOffset)));
        write();
    }

    /** Forgets every epoch (the log restarts empty). */
    synchronized void clear() {
        if (!entries.isEmpty()) {
            entries.clear();
            updateLatest();
            write();
        }
    }

    private void write() {
        if (deferWrites) {
            return;
        }
        StringBuilder text = new StringBuilder().append(VERSION).append('\n').append(entries.size()).append('\n');
        for (Entry e : entries) {
            text.append(e.epoch()).append(' ').append(e.startOffset()).append('\n');
        }
        try {
            AtomicFiles.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file + " failed", e);
        }
    }
}
