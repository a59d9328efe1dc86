package io.tributary.ingest.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One segment of a partition: {@code <base>.log} holding whole batches back to back, plus its
 * {@link OffsetIndex} and {@link TimeIndex}.
 *
 * <p>Invariants: batches are stored in strictly increasing offset order, each starting where
 * the previous ended; {@link #sizeInBytes()} only ever covers whole, fully written batches.
 *
 * <p>After a crash the file may end in a torn or corrupt batch; {@link #recover} walks it,
 * validating each CRC, rebuilds both indexes and cuts the file at the first bad batch.
 *
 * <p>Thread-safety: one thread appends (the partition's writer); any number read concurrently
 * with positional reads. The size is published after the bytes are written, so readers never
 * see a partial batch.
 */
final class LogSegment implements Closeable {

    /** Largest array one read allocates (unless a single batch is larger); well under half a G1 region (1 MiB+). */
    static final int READ_CHUNK = 256 * 1024;

    private final Path dir;
    private final long baseOffset;
    private final int indexIntervalBytes;
    private final FileChannel channel;
    private OffsetIndex offsetIndex;
    private TimeIndex timeIndex;

    private volatile int size;
    private volatile long nextOffset;
    private volatile long maxTimestamp = -1;
    private volatile long firstAppendMs;
    private int bytesSinceIndexEntry;

    private LogSegment(Path dir, long baseOffset, int indexIntervalBytes, FileChannel channel) {
        this.dir = dir;
        this.baseOffset = baseOffset;
        this.indexIntervalBytes = indexIntervalBytes;
        this.channel = channel;
        this.offsetIndex = new OffsetIndex(baseOffset);
        this.timeIndex = new TimeIndex(baseOffset);
        this.nextOffset = baseOffset;
    }

    static LogSegment create(Path dir, long baseOffset, int indexIntervalBytes) throws IOException {
        FileChannel ch = FileChannel.open(LogFiles.log(dir, baseOffset), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        AtomicFiles.fsyncDirectory(dir);
        return new LogSegment(dir, baseOffset, indexIntervalBytes, ch);
    }

    /**
     * Opens an existing segment whose log is trusted (it was sealed or closed cleanly): indexes
     * come from their files when present, else from a scan. Offsets and timestamps are learned
     * from the batch headers, without CRC checks.
     */
    static LogSegment openTrusted(Path dir, long baseOffset, int indexIntervalBytes) throws IOException {
        LogSegment segment = open(dir, baseOffset, indexIntervalBytes);
        Path index = LogFiles.index(dir, baseOffset);
        Path timeIndex = LogFiles.timeIndex(dir, baseOffset);
        if (Files.exists(index) && Files.exists(timeIndex)) {
            segment.offsetIndex = OffsetIndex.load(baseOffset, index);
            segment.timeIndex = TimeIndex.load(baseOffset, timeIndex);
            segment.size = (int) segment.channel.size();
            segment.scanHeaders();
        } else {
            segment.walk(false, b -> { });
        }
        return segment;
    }

    /** A segment being written by compaction under {@code <base>.log.cleaned}; see {@link #installCleaned()}. */
    static LogSegment createCleaned(Path dir, long baseOffset, int indexIntervalBytes) throws IOException {
        Path file = dir.resolve(LogFiles.name(baseOffset, LogFiles.LOG + LogFiles.CLEANED));
        Files.deleteIfExists(file);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        return new LogSegment(dir, baseOffset, indexIntervalBytes, ch);
    }

    /**
     * Makes a compaction output the segment's log: fsync it, drop the old indexes (a crash from
     * here on finds a log without indexes and rebuilds them), rename it over the old log
     * atomically, then write the new indexes.
     */
    void installCleaned() throws IOException {
        channel.force(true);
        deleteIndexFiles();
        Path cleaned = dir.resolve(LogFiles.name(baseOffset, LogFiles.LOG + LogFiles.CLEANED));
        Files.move(cleaned, LogFiles.log(dir, baseOffset), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        AtomicFiles.fsyncDirectory(dir);
        writeIndexes();
    }

    /** Opens a segment that must be validated with {@link #recover} before use. */
    static LogSegment openForRecovery(Path dir, long baseOffset, int indexIntervalBytes) throws IOException {
        return open(dir, baseOffset, indexIntervalBytes);
    }

    private static LogSegment open(Path dir, long baseOffset, int indexIntervalBytes) throws IOException {
        FileChannel ch = FileChannel.open(LogFiles.log(dir, baseOffset), StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        LogSegment segment = new LogSegment(dir, baseOffset, indexIntervalBytes, ch);
        segment.firstAppendMs = System.currentTimeMillis();
        return segment;
    }

    long baseOffset() {
        return baseOffset;
    }

    int sizeInBytes() {
        return size;
    }

    /** Offset after the last record in this segment; the base offset when empty. */
    long nextOffset() {
        return nextOffset;
    }

    boolean isEmpty() {
        return size == 0;
    }

    long maxTimestamp() {
        return maxTimestamp;
    }

    /**
     * When the segment started, for {@code segment.ms}: the wall-clock time of its first append,
     * or for a segment reopened at start-up the timestamp of its first batch (as Kafka does), so
     * restarts do not postpone time-based rolling forever.
     */
    long firstAppendMs() {
        return firstAppendMs;
    }

    /** Appends one batch whose base offset is at least {@link #nextOffset()}. */
    void append(RecordBatch batch) throws IOException {
        appendRun(List.of(batch), batch.toByteBuffer());
    }

    /**
     * Appends batches that follow one another in offsets, the first at least {@link #nextOffset()},
     * and lie back to back in {@code bytes} (the caller's view of exactly their bytes) with one write:
     * a follower copies what one fetch brought this way, since the page cache takes a few large writes
     * for less CPU than many small ones.
     */
    void appendRun(List<RecordBatch> run, ByteBuffer bytes) throws IOException {
        if (run.get(0).baseOffset() < nextOffset) {
            throw new IllegalStateException("batch at " + run.get(0).baseOffset() + " would go before " + nextOffset);
        }
        int position = size;
        long writeAt = position;
        while (bytes.hasRemaining()) {
            writeAt += channel.write(bytes, writeAt);
        }
        if (position == 0) {
            firstAppendMs = System.currentTimeMillis();
        }
        for (RecordBatch batch : run) {
            indexBatch(batch, position);
            position += batch.sizeInBytes();
        }
        size = position;
    }

    private void indexBatch(RecordBatch batch, int position) {
        if (position > 0 && bytesSinceIndexEntry >= indexIntervalBytes) {
            offsetIndex.append(batch.baseOffset(), position);
            if (maxTimestamp >= 0) {
                timeIndex.maybeAppend(maxTimestamp, batch.baseOffset());
            }
            bytesSinceIndexEntry = 0;
        }
        bytesSinceIndexEntry += batch.sizeInBytes();
        if (batch.maxTimestamp() > maxTimestamp) {
            maxTimestamp = batch.maxTimestamp();
        }
        nextOffset = batch.nextOffset();
    }

    /**
     * Reads the batches holding offsets at or after {@code startOffset} and below
     * {@code maxOffset}, about {@code maxBytes} of them, but always at least one whole batch so
     * a consumer makes progress. Returns an empty list when there is nothing yet.
     */
    List<RecordBatch> read(long startOffset, int maxBytes, long maxOffset) throws IOException {
        int limit = size;
        FirstBatch first = firstBatch(startOffset, maxOffset, limit);
        if (first == null) {
            return List.of();
        }
        int position = first.position();
        int end = position + Math.min(limit - position, Math.max(maxBytes, first.size()));
        // Read in chunks of at most READ_CHUNK bytes: one array of a megabyte or more per read would be a G1
        // humongous object (half a region or more), and fetches read about a megabyte per partition.
        List<RecordBatch> batches = new ArrayList<>();
        int at = position;
        while (at + RecordBatch.HEADER_SIZE <= end) {
            int want = Math.min(end - at, READ_CHUNK);
            byte[] bytes = new byte[want];
            readFully(ByteBuffer.wrap(bytes), at);
            int used = 0;
            while (used + RecordBatch.HEADER_SIZE <= want) {
                int batchSize = RecordBatch.sizeAt(bytes, used);
                if (used + batchSize > want) {
                    break; // read again from its start with the next chunk
                }
                RecordBatch batch = RecordBatch.view(bytes, used, batchSize);
                if (batch.baseOffset() >= maxOffset) {
                    return batches;
                }
                batches.add(batch);
                used += batchSize;
            }
            if (used == 0) {
                // A batch larger than a chunk, or than what is left of this read: whole, if it is within the read.
                int batchSize = RecordBatch.sizeAt(bytes, 0);
                if (at + batchSize > end) {
                    break;
                }
                byte[] whole = new byte[batchSize];
                readFully(ByteBuffer.wrap(whole), at);
                RecordBatch batch = RecordBatch.view(whole, 0, batchSize);
                if (batch.baseOffset() >= maxOffset) {
                    return batches;
                }
                batches.add(batch);
                used = batchSize;
            }
            at += used;
        }
        return batches;
    }

    /**
     * The batches {@link #read} would return, as regions of this segment's file: only their headers
     * are read (one positional read each), the records stay in the file for a transfer to a socket.
     */
    List<BatchRegion> readRegions(long startOffset, int maxBytes, long maxOffset) throws IOException {
        int limit = size;
        FirstBatch first = firstBatch(startOffset, maxOffset, limit);
        if (first == null) {
            return List.of();
        }
        int end = first.position() + Math.min(limit - first.position(), Math.max(maxBytes, first.size()));
        List<BatchRegion> regions = new ArrayList<>();
        int at = first.position();
        while (at + RecordBatch.HEADER_SIZE <= end) {
            ByteBuffer header = ByteBuffer.allocate(RecordBatch.HEADER_SIZE);
            readFully(header, at);
            int batchSize = 12 + header.getInt(RecordBatch.LENGTH);
            if (at + batchSize > end || header.getLong(RecordBatch.BASE_OFFSET) >= maxOffset) {
                break;
            }
            regions.add(new BatchRegion(channel, at, header));
            at += batchSize;
        }
        return regions;
    }

    /** Where the first batch with offsets at or after {@code startOffset} starts, and its size. */
    private record FirstBatch(int position, int size) {
    }

    /** The first batch holding an offset at or after {@code startOffset}, or null when none below {@code maxOffset}. */
    private FirstBatch firstBatch(long startOffset, long maxOffset, int limit) throws IOException {
        int position = offsetIndex.floorPosition(startOffset);
        ByteBuffer header = ByteBuffer.allocate(RecordBatch.OFFSETS_PREFIX);
        while (position + RecordBatch.OFFSETS_PREFIX <= limit) {
            readFully(header.clear(), position);
            long base = header.getLong(RecordBatch.BASE_OFFSET);
            int batchSize = 12 + header.getInt(RecordBatch.LENGTH);
            long last = base + header.getInt(RecordBatch.LAST_OFFSET_DELTA);
            if (base >= maxOffset) {
                return null;
            }
            if (last >= startOffset) {
                return new FirstBatch(position, batchSize);
            }
            position += batchSize;
        }
        return null;
    }

    /**
     * The first offset at or after {@code startOffset} and below {@code maxOffset} whose record
     * timestamp is at or after {@code timestamp}, or -1 when this segment has none.
     */
    long offsetForTimestamp(long timestamp, long maxOffset) throws IOException {
        if (maxTimestamp < timestamp) {
            return -1;
        }
        long from = timeIndex.scanStartFor(timestamp);
        while (true) {
            List<RecordBatch> batches = read(from, 1 << 20, maxOffset);
            if (batches.isEmpty()) {
                return -1;
            }
            for (RecordBatch batch : batches) {
                if (batch.maxTimestamp() >= timestamp) {
                    for (Record r : batch) {
                        if (r.offset() >= from && r.timestamp() >= timestamp) {
                            return r.offset();
                        }
                    }
                }
                from = batch.nextOffset();
            }
        }
    }

    /**
     * Validates every batch from the start, rebuilding both indexes, and truncates the file at
     * the first batch that is torn, fails its CRC or breaks offset order.
     *
     * @param onValidBatch sees each valid batch in order (producer state is rebuilt from them)
     * @return the number of bytes cut off the end
     */
    int recover(Consumer<RecordBatch> onValidBatch) throws IOException {
        return walk(true, onValidBatch);
    }

    private int walk(boolean validate, Consumer<RecordBatch> onBatch) throws IOException {
        offsetIndex = new OffsetIndex(baseOffset);
        timeIndex = new TimeIndex(baseOffset);
        bytesSinceIndexEntry = 0;
        maxTimestamp = -1;
        nextOffset = baseOffset;
        long fileSize = channel.size();
        int position = 0;
        ByteBuffer prefix = ByteBuffer.allocate(12);
        while (position + 12 <= fileSize) {
            readFully(prefix.clear(), position);
            int batchSize = 12 + prefix.getInt(RecordBatch.LENGTH);
            if (batchSize < RecordBatch.HEADER_SIZE || position + (long) batchSize > fileSize) {
                break;
            }
            byte[] bytes = new byte[batchSize];
            readFully(ByteBuffer.wrap(bytes), position);
            RecordBatch batch = RecordBatch.view(bytes, 0, batchSize);
            if (position == 0) {
                firstAppendMs = batch.maxTimestamp();
            }
            if (validate) {
                try {
                    batch.ensureValid();
                } catch (CorruptRecordException e) {
                    break;
                }
                if (batch.baseOffset() < nextOffset) {
                    break;
                }
            }
            indexBatch(batch, position);
            onBatch.accept(batch);
            position += batchSize;
        }
        int cut = (int) (fileSize - position);
        if (cut > 0) {
            channel.truncate(position);
            channel.force(true);
        }
        size = position;
        return cut;
    }

    /**
     * Cuts the segment before the first batch holding an offset at or after {@code offset} (a batch
     * holding it is removed whole), fsyncs the file and rebuilds both indexes from what is left; the
     * index files are deleted (the segment is the log's last one afterwards: its indexes are written
     * when it is rolled, or rebuilt by the next open).
     *
     * @return the bytes cut off
     */
    int truncateTo(long offset) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(RecordBatch.OFFSETS_PREFIX);
        int position = offsetIndex.floorPosition(offset);
        while (position + RecordBatch.OFFSETS_PREFIX <= size) {
            readFully(header.clear(), position);
            long next = header.getLong(RecordBatch.BASE_OFFSET) + header.getInt(RecordBatch.LAST_OFFSET_DELTA) + 1;
            if (next > offset) {
                break;
            }
            position += 12 + header.getInt(RecordBatch.LENGTH);
        }
        int cut = size - position;
        deleteIndexFiles();
        if (cut <= 0) {
            return 0;
        }
        size = position; // readers stop here before the bytes go
        channel.truncate(position);
        channel.force(true);
        walk(false, b -> { });
        return cut;
    }

    /** Hands every batch's leader epoch and base offset, in order, to {@code epochs} (a log opened without its epoch file). */
    void assignEpochs(LeaderEpochs epochs) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(RecordBatch.OFFSETS_PREFIX);
        int position = 0;
        while (position + RecordBatch.OFFSETS_PREFIX <= size) {
            readFully(header.clear(), position);
            epochs.assign(header.getInt(RecordBatch.LEADER_EPOCH), header.getLong(RecordBatch.BASE_OFFSET));
            position += 12 + header.getInt(RecordBatch.LENGTH);
        }
    }

    /** Restores nextOffset and maxTimestamp from batch headers only (the indexes are already loaded). */
    private void scanHeaders() throws IOException {
        ByteBuffer header = ByteBuffer.allocate(RecordBatch.HEADER_SIZE);
        int position = 0;
        long maxTs = -1;
        while (position + RecordBatch.HEADER_SIZE <= size) {
            readFully(header.clear(), position);
            if (position == 0) {
                firstAppendMs = header.getLong(RecordBatch.MAX_TIMESTAMP);
            }
            maxTs = Math.max(maxTs, header.getLong(RecordBatch.MAX_TIMESTAMP));
            nextOffset = header.getLong(RecordBatch.BASE_OFFSET) + header.getInt(RecordBatch.LAST_OFFSET_DELTA) + 1;
            position += 12 + header.getInt(RecordBatch.LENGTH);
        }
        maxTimestamp = maxTs;
    }

    void flush() throws IOException {
        channel.force(false);
    }

    /** Writes both indexes next to the log; called when the segment stops being the active one. */
    void writeIndexes() throws IOException {
        offsetIndex.writeTo(LogFiles.index(dir, baseOffset));
        timeIndex.writeTo(LogFiles.timeIndex(dir, baseOffset));
    }

    void deleteIndexFiles() throws IOException {
        Files.deleteIfExists(LogFiles.index(dir, baseOffset));
        Files.deleteIfExists(LogFiles.timeIndex(dir, baseOffset));
    }

    /** Renames the segment's files with {@code .deleted} so a restart finishes the removal. */
    void markDeleted() throws IOException {
        for (Path p : List.of(LogFiles.log(dir, baseOffset), LogFiles.index(dir, baseOffset),
                LogFiles.timeIndex(dir, baseOffset))) {
            try {
                Files.move(p, p.resolveSibling(p.getFileName() + LogFiles.DELETED), StandardCopyOption.ATOMIC_MOVE);
            } catch (NoSuchFileException ignored) {
                // indexes of the active segment are not written yet
            }
        }
    }

    /** Closes the file and removes the renamed files; readers still holding the segment get an error. */
    void closeAndDelete() throws IOException {
        close();
        for (Path p : List.of(LogFiles.log(dir, baseOffset), LogFiles.index(dir, baseOffset),
                LogFiles.timeIndex(dir, baseOffset))) {
            Files.deleteIfExists(p.resolveSibling(p.getFileName() + LogFiles.DELETED));
            Files.deleteIfExists(p);
        }
    }

    private void readFully(ByteBuffer buf, long position) throws IOException {
        while (buf.hasRemaining()) {
            int n = channel.read(buf, position + buf.position());
            if (n < 0) {
                throw new CorruptRecordException("segment " + baseOffset + " ends before position " + position);
            }
        }
        buf.flip();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "LogSegment[base=" + baseOffset + ", size=" + size + ", next=" + nextOffset + "]";
    }
}
