package io.tributary.ingest.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Sparse map from timestamp to offset inside one segment, for "the first offset whose
 * timestamp is at or after T" lookups.
 *
 * <p>Entries are 12 bytes: a timestamp (int64) and a relative offset (int32). The entry
 * {@code (t, o)} promises that every record before relative offset {@code o} has a timestamp
 * of at most {@code t}. For a segment based at 1000, {@code (1700000000000, 250)} says no record
 * below offset 1250 is newer than that instant. Entries are added at batch starts, at most one
 * per {@code index.interval.bytes}, and only when the running maximum grew, so both columns
 * strictly increase even when record timestamps do not. A lookup takes the last entry older
 * than the target and scans the log forward from its offset.
 *
 * <p>Persistence, recovery and thread-safety as for {@link OffsetIndex}.
 */
final class TimeIndex {

    private static final int ENTRY_BYTES = 12;

    private final long baseOffset;
    private volatile long[] timestamps;
    private volatile int[] relativeOffsets;
    private volatile int size;

    TimeIndex(long baseOffset) {
        this.baseOffset = baseOffset;
        this.timestamps = new long[32];
        this.relativeOffsets = new int[32];
    }

    static TimeIndex load(long baseOffset, Path file) throws IOException {
        TimeIndex index = new TimeIndex(baseOffset);
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file));
        while (buf.remaining() >= ENTRY_BYTES) {
            index.maybeAppend(buf.getLong(), baseOffset + buf.getInt());
        }
        return index;
    }

    /** Notes that every record before {@code offset} is at most {@code maxTimestampBefore}. */
    void maybeAppend(long maxTimestampBefore, long offset) {
        int n = size;
        if (n > 0 && maxTimestampBefore <= timestamps[n - 1]) {
            return;
        }
        if (n == timestamps.length) {
            timestamps = Arrays.copyOf(timestamps, n * 2);
            relativeOffsets = Arrays.copyOf(relativeOffsets, n * 2);
        }
        timestamps[n] = maxTimestampBefore;
        relativeOffsets[n] = (int) (offset - baseOffset);
        size = n + 1;
    }

    /**
     * The offset from which to scan for the first record with a timestamp at or after
     * {@code target}: every record before it is older than the target.
     */
    long scanStartFor(long target) {
        int n = size;
        long[] ts = timestamps;
        int lo = 0;
        int hi = n - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (ts[mid] < target) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? baseOffset : baseOffset + relativeOffsets[found];
    }

    void truncateToOffset(long offset) {
        int n = size;
        while (n > 0 && baseOffset + relativeOffsets[n - 1] >= offset) {
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
            buf.putLong(timestamps[i]).putInt(relativeOffsets[i]);
        }
        AtomicFiles.write(file, buf.array());
    }
}
