package io.tributary.ingest.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;

/**
 * Opens a partition directory and brings it to a consistent state.
 *
 * <p>Files it reads besides segments: {@code .clean-shutdown} (written by a clean close,
 * holding the flushed offset), {@code recovery-point} (the flushed offset, checkpointed while
 * running) and {@code log-start-offset} (moved by retention).
 *
 * <p>Recovery, in order: remove leftovers of interrupted deletes and compactions; open every
 * segment below the recovery point as trusted; validate the segments from the one holding the
 * recovery point onwards batch by batch (CRC, framing, offset order), truncating at the first
 * bad batch and dropping any later segment; rebuild the producer table from the newest
 * snapshot plus the batches after it. After a clean shutdown nothing is validated. The work is
 * proportional to the unflushed tail, not to the size of the log.
 */
final class LogLoader {

    static final String RECOVERY_POINT = "recovery-point";
    static final String LOG_START_OFFSET = "log-start-offset";
    /** Present while {@link PartitionLog#resetTo} runs: the offset the log restarts at, empty. */
    static final String RESET_TO = "reset-to";

    private final String topic;
    private final int partition;
    private final Path dir;
    private final LogConfig config;
    private final ProducerStateLimits producerLimits;
    private final ScheduledExecutorService scheduler;

    LogLoader(String topic, int partition, Path dir, LogConfig config, ProducerStateLimits producerLimits,
              ScheduledExecutorService scheduler) {
        this.topic = topic;
        this.partition = partition;
        this.dir = dir;
        this.config = config;
        this.producerLimits = producerLimits;
        this.scheduler = scheduler;
    }

    PartitionLog load() throws IOException {
        Files.createDirectories(dir);
        removeLeftovers();
        finishReset();
        Path marker = dir.resolve(LogFiles.CLEAN_SHUTDOWN);
        boolean clean = Files.exists(marker);
        long recoveryPoint = clean ? readLong(marker, 0) : readLong(dir.resolve(RECOVERY_POINT), 0);

        List<Long> bases = segmentBases();
        ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
        ProducerStateTable producers = new ProducerStateTable(producerLimits);
        if (bases.isEmpty()) {
            long start = readLong(dir.resolve(LOG_START_OFFSET), 0);
            segments.put(start, LogSegment.create(dir, start, config.indexIntervalBytes()));
        } else {
            // Every segment whose successor starts at or below the recovery point is fully flushed.
            int firstUnflushed = 0;
            while (!clean && firstUnflushed + 1 < bases.size() && bases.get(firstUnflushed + 1) <= recoveryPoint) {
                firstUnflushed++;
            }
            int trustedCount = clean ? bases.size() : firstUnflushed;
            for (int i = 0; i < trustedCount; i++) {
                long base = bases.get(i);
                segments.put(base, LogSegment.openTrusted(dir, base, config.indexIntervalBytes()));
            }
            boolean truncated = false;
            for (int i = trustedCount; i < bases.size(); i++) {
                long base = bases.get(i);
                LogSegment segment = LogSegment.openForRecovery(dir, base, config.indexIntervalBytes());
                long expectedBase = segments.isEmpty() ? base : segments.lastEntry().getValue().nextOffset();
                if (truncated || base < expectedBase) {
                    // Everything after a torn batch is suspect, whole later segments included.
                    segment.close();
                    deleteSegmentFiles(base);
                    continue;
                }
                int cut = segment.recover(b -> { });
                segment.writeIndexes();
                segments.put(base, segment);
                truncated = cut > 0;
                // An empty segment is kept: its base is where the log ended when it was rolled, which
                // may be above the previous segment's last batch once compaction has emptied its end.
            }
            if (segments.isEmpty()) {
                long start = readLong(dir.resolve(LOG_START_OFFSET), bases.get(0));
                segments.put(start, LogSegment.create(dir, start, config.indexIntervalBytes()));
            }
        }
        long logEnd = segments.lastEntry().getValue().nextOffset();
        rebuildProducerState(dir, producers, segments, logEnd);
        long logStart = Math.max(readLong(dir.resolve(LOG_START_OFFSET), 0), segments.firstKey());
        LeaderEpochs epochs = loadEpochs(segments, Math.min(logStart, logEnd), logEnd);
        Files.deleteIfExists(marker);
        PartitionLog log = new PartitionLog(topic, partition, dir, config, scheduler, segments, producers, epochs,
                Math.min(logStart, logEnd), clean ? logEnd : Math.min(recoveryPoint, logEnd));
        writeRecoveryPoint(dir, log.recoveryPoint());
        return log;
    }

    /**
     * The leader-epoch table: from its file, less the epochs starting at or above the recovered log
     * end (recovery may have cut their batches) and those wholly below the log start; rebuilt from
     * the batch headers when the file is missing or unreadable (a log written before it existed).
     */
    private LeaderEpochs loadEpochs(ConcurrentSkipListMap<Long, LogSegment> segments, long logStart, long logEnd)
            throws IOException {
        LeaderEpochs epochs;
        try {
            epochs = LeaderEpochs.read(dir);
        } catch (CorruptRecordException e) {
            epochs = null;
        }
        if (epochs == null) {
            epochs = LeaderEpochs.rebuilding(dir);
            for (LogSegment s : segments.values()) {
                s.assignEpochs(epochs);
            }
            epochs.rebuilt();
        }
        epochs.truncateFromEnd(logEnd);
        epochs.truncateFromStart(logStart);
        return epochs;
    }

    /**
     * Loads the newest usable snapshot at or below the log end and replays the batches after it.
     * Without one (none written yet, corrupt, or of the unversioned layout) the whole remaining log
     * is replayed from an empty table: every batch moves the log time and passes through the same
     * expiry and cap as when it was appended, so the table is the one the appends built, except where
     * retention or compaction has removed batches since (their producers may be forgotten early).
     */
    static void rebuildProducerState(Path dir, ProducerStateTable producers,
                                     ConcurrentSkipListMap<Long, LogSegment> segments, long logEnd) throws IOException {
        producers.clear();
        long replayFrom = segments.firstKey();
        for (Path snapshot : snapshotsNewestFirst(dir)) {
            long offset = LogFiles.baseOffsetOf(snapshot);
            if (offset > logEnd) {
                Files.deleteIfExists(snapshot); // describes batches that recovery cut off
                continue;
            }
            try {
                if (producers.loadSnapshot(snapshot)) {
                    replayFrom = Math.max(offset, segments.firstKey());
                    break;
                }
                // The layout before write times were kept: as good as absent (the replay recomputes them).
                Files.deleteIfExists(snapshot);
            } catch (CorruptRecordException e) {
                Files.deleteIfExists(snapshot);
            }
        }
        for (LogSegment s : segments.tailMap(segments.floorKey(replayFrom)).values()) {
            long from = replayFrom;
            while (true) {
                List<RecordBatch> batches = s.read(from, 1 << 20, Long.MAX_VALUE);
                if (batches.isEmpty()) {
                    break;
                }
                for (RecordBatch b : batches) {
                    if (b.baseOffset() >= replayFrom) {
                        producers.update(b);
                    }
                    from = b.nextOffset();
                }
            }
        }
    }

    /**
     * Completes a {@link PartitionLog#resetTo} a crash interrupted: the {@code reset-to} file exists
     * only once the reset was decided, so whatever of the old log is left goes, and the log opens
     * empty at the offset it names (the segment is created by the empty-directory case of
     * {@link #load}).
     */
    private void finishReset() throws IOException {
        Path marker = dir.resolve(RESET_TO);
        if (!Files.exists(marker)) {
            return;
        }
        long start = readLong(marker, -1);
        if (start < 0) {
            throw new IOException(dir + ": unreadable " + RESET_TO + " file");
        }
        for (long base : segmentBases()) {
            deleteSegmentFiles(base);
        }
        deleteProducerSnapshots(dir);
        Files.deleteIfExists(dir.resolve(LogFiles.CLEAN_SHUTDOWN));
        writeLogStartOffset(dir, start);
        writeRecoveryPoint(dir, start);
        endReset(dir);
    }

    static void beginReset(Path dir, long startOffset) throws IOException {
        AtomicFiles.write(dir.resolve(RESET_TO), longBytes(startOffset));
    }

    static void endReset(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve(RESET_TO));
        AtomicFiles.fsyncDirectory(dir);
    }

    static void deleteProducerSnapshots(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> LogFiles.hasSuffix(p, LogFiles.PRODUCER_SNAPSHOT)).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private void removeLeftovers() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                if (LogFiles.hasSuffix(p, LogFiles.DELETED) || LogFiles.hasSuffix(p, LogFiles.CLEANED)
                        || LogFiles.hasSuffix(p, ".tmp")) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private List<Long> segmentBases() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> LogFiles.hasSuffix(p, LogFiles.LOG)).map(LogFiles::baseOffsetOf).sorted().toList();
        }
    }

    private static List<Path> snapshotsNewestFirst(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> LogFiles.hasSuffix(p, LogFiles.PRODUCER_SNAPSHOT))
                    .sorted(Comparator.comparingLong(LogFiles::baseOffsetOf).reversed()).toList();
        }
    }

    private void deleteSegmentFiles(long base) throws IOException {
        Files.deleteIfExists(LogFiles.log(dir, base));
        Files.deleteIfExists(LogFiles.index(dir, base));
        Files.deleteIfExists(LogFiles.timeIndex(dir, base));
    }

    /** Keeps the {@code keep} newest producer snapshots, and the one at {@code alsoKeep} (-1: none). */
    static void deleteOldSnapshots(Path dir, int keep, long alsoKeep) throws IOException {
        List<Path> snapshots;
        try (Stream<Path> files = Files.list(dir)) {
            snapshots = files.filter(p -> LogFiles.hasSuffix(p, LogFiles.PRODUCER_SNAPSHOT))
                    .sorted(Comparator.comparingLong(LogFiles::baseOffsetOf).reversed()).toList();
        }
        for (int i = keep; i < snapshots.size(); i++) {
            if (LogFiles.baseOffsetOf(snapshots.get(i)) == alsoKeep) {
                continue;
            }
            Files.deleteIfExists(snapshots.get(i));
        }
    }

    static void writeCleanShutdownMarker(Path dir, long flushedOffset) throws IOException {
        AtomicFiles.write(dir.resolve(LogFiles.CLEAN_SHUTDOWN), longBytes(flushedOffset));
    }

    static void writeRecoveryPoint(Path dir, long offset) {
        try {
            AtomicFiles.write(dir.resolve(RECOVERY_POINT), longBytes(offset));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void writeLogStartOffset(Path dir, long offset) {
        try {
            AtomicFiles.write(dir.resolve(LOG_START_OFFSET), longBytes(offset));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            List<Path> all = new ArrayList<>(walk.toList());
            all.sort(Comparator.reverseOrder());
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static byte[] longBytes(long value) {
        return ByteBuffer.allocate(8).putLong(value).array();
    }

    private static long readLong(Path file, long fallback) throws IOException {
        if (!Files.exists(file)) {
            return fallback;
        }
        byte[] bytes = Files.readAllBytes(file);
        return bytes.length == 8 ? ByteBuffer.wrap(bytes).getLong() : fallback;
    }
}
