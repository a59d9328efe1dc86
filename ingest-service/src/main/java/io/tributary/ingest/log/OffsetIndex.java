package io.tributary.ingest.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Sparse map from offset to file position inside one segment: an entry roughly every
 * {@code index.interval.bytes} of log, each pointing at the start of a batch.
 *
 * <p>Entries are 8 bytes: the offset relative to the segment's base (int32) and the byte
 * position of the batch (int32). For a segment based at 1000, the entry {@code (37, 8192)}
 * says "the batch holding offset 1037 starts at byte 8192". Relative offsets and positions
 * both strictly increase, so lookups are binary searches.
 *
 * <p>The index lives in memory and is written to {@code <base>.index} when its segment is
 * sealed or closed cleanly (temp file + atomic rename). It carries no checksum: after an
 * unclean shutdown the tail segments' indexes are rebuilt from the log itself.
 *
 * <p>Thread-safety: one appending thread; readers may look up concurrently. An entry becomes
 * visible to readers only after both halves are written ({@code size} is published last).
 */
final class OffsetIndex {

    private static final int ENTRY_BYTES = 8;

    private final long baseOffset;
    private volatile int[] relativeOffsets;
    private volatile int[] positions;
    private volatile int size;

    OffsetIndex(long baseOffset) {
        this.baseOffset = baseOffset;
        this.relativeOffsets = new int[64];
        this.positions = new int[64];
    }

    static OffsetIndex load(long baseOffset, Path file) throws IOException {
        OffsetIndex index = new OffsetIndex(baseOffset);
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file));
        while (buf.remaining() >= ENTRY_BYTES) {
            index.append(baseOffset + buf.getInt(), buf.getInt());
        }
        return index;
    }

    /** Adds an entry; offsets and positions must be larger than the last entry's. */
    void append(long offset, int position) {
        int n = size;
        int relative = (int) (offset - baseOffset);
        if (n > 0 && (relative <= relativeOffsets[n - 1] || position <= positions[n - 1])) {
            throw new IllegalStateException("index entry (" + offset + ", " + position + ") is not after the last one");
        }
        if (n == relativeOffsets.length) {
            relativeOffsets = Arrays.copyOf(relativeOffsets, n * 2);
            positions = Arrays.copyOf(positions, n * 2);
        }
        relativeOffsets[n] = relative;
        positions[n] = position;
        size = n + 1;
    }

    /** Position of the last indexed batch at or before {@code offset}; 0 when none is. */
    int floorPosition(long offset) {
        int n = size;
        int[] rel = relativeOffsets;
        int[] pos = positions;
        long target = offset - baseOffset;
        int lo = 0;
        int hi = n - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (rel[mid] <= target) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? 0 : pos[found];
    }

    /** Drops entries for positions at or after {@code position} (log truncation). */
    void truncateToPosition(int position) {
        int n = size;
        while (n > 0 && positions[n - 1] >= position) {
            n--;
        }
        size = n;
    }

    int entries() {
        return size;
    }

    void writeTo(Path file) throws IOException {
        int n = size;
        ByteBuffer buf = ByteBuffer.allocate(n * ENTRY_BYTES);
        for (int i = 0; i < n; i++) {
            buf.putInt(relativeOffsets[i]).putInt(positions[i]);
        }
        AtomicFiles.write(file, buf.array());
    }
}
