package io.tributary.ingest.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compaction of one partition ({@code cleanup.policy=compact}): keeps only the newest record
 * per key in sealed segments.
 *
 * <p>One pass: map every key in the whole log (active segment included) to the offset of its
 * newest record, then rewrite each sealed segment older than {@code min.compaction.lag.ms}
 * and ending at or below the log's cleanup limit (a cluster's Raft snapshot point),
 * keeping a record only if it is that newest one. Tombstones (null values) are kept while
 * their segment is younger than {@code delete.retention.ms}, so consumers that are behind
 * still see the delete, and dropped after.
 *
 * <p>Rewritten batches keep their base offset and offset range (records keep their offsets,
 * with gaps), their producer fields and leader epoch. Each segment is written to a
 * {@code .cleaned} file and renamed over the original; a crash at any point leaves either the
 * old or the new segment.
 */
public final class LogCompactor {

    /** What one pass did. */
    public record Stats(int segmentsRewritten, long recordsRemoved, long bytesBefore, long bytesAfter) {
        public static final Stats NONE = new Stats(0, 0, 0, 0);
    }

    private final PartitionLog log;
    private final long nowMs;

    LogCompactor(PartitionLog log, long nowMs) {
        this.log = log;
        this.nowMs = nowMs;
    }

    Stats run() {
        try {
            List<LogSegment> segments = log.segments();
            LogConfig cfg = log.config();
            List<LogSegment> sealed = new ArrayList<>();
            long limit = log.cleanupLimit();
            long held = -1;
            for (int i = 0; i < segments.size() - 1; i++) {
                LogSegment s = segments.get(i);
                long end = segments.get(i + 1).baseOffset(); // offsets of s lie below the next segment's base
                if (s.maxTimestamp() > nowMs - cfg.minCompactionLagMs()) {
                    break;
                }
                if (end > limit) {
                    held = end;
                    break;
                }
                sealed.add(s);
            }
            log.compactionHeldTo(held);
            if (sealed.isEmpty()) {
                return Stats.NONE;
            }
            Map<Bytes, Long> newest = newestOffsets(segments);
            int rewritten = 0;
            long removed = 0;
            long before = 0;
            long after = 0;
            for (LogSegment segment : sealed) {
                boolean keepTombstones = segment.maxTimestamp() > nowMs - cfg.deleteRetentionMs();
                Rewrite result = rewrite(segment, newest, keepTombstones);
                if (result == null) {
                    continue;
                }
                rewritten++;
                removed += result.removed;
                before += segment.sizeInBytes();
                after += result.segment.sizeInBytes();
                log.swapSegment(result.segment, segment);
            }
            return new Stats(rewritten, removed, before, after);
        } catch (IOException e) {
            throw new UncheckedIOException("compaction of " + log + " failed", e);
        }
    }

    private Map<Bytes, Long> newestOffsets(List<LogSegment> segments) throws IOException {
        Map<Bytes, Long> newest = new HashMap<>();
        for (LogSegment s : segments) {
            forEachBatch(s, batch -> {
                for (Record r : batch) {
                    if (r.key() != null) {
                        newest.put(Bytes.of(r.key().toArray()), r.offset());
                    }
                }
            });
        }
        return newest;
    }

    private record Rewrite(LogSegment segment, long removed) {
    }

    /** The compacted copy of {@code segment}, installed on disk; null when nothing would change. */
    private Rewrite rewrite(LogSegment segment, Map<Bytes, Long> newest, boolean keepTombstones) throws IOException {
        List<RecordBatch> kept = new ArrayList<>();
        long[] removed = {0};
        forEachBatch(segment, batch -> {
            List<LogRecord> records = new ArrayList<>();
            List<Integer> deltas = new ArrayList<>();
            for (Record r : batch) {
                boolean newestForKey = r.key() == null || newest.get(r.key()) == r.offset();
                boolean expiredTombstone = r.value() == null && !keepTombstones;
                if (newestForKey && !expiredTombstone) {
                    records.add(new LogRecord(r.key(), r.value(), r.headers(), r.timestamp()));
                    deltas.add((int) (r.offset() - batch.baseOffset()));
                } else {
                    removed[0]++;
                }
            }
            if (records.size() == batch.recordCount()) {
                kept.add(RecordBatch.view(batch.copyBytes(), 0, batch.sizeInBytes()));
            } else if (!records.isEmpty()) {
                RecordBatch rebuilt = BatchBuilder.build(records, deltas.stream().mapToInt(Integer::intValue).toArray(),
                        batch.lastOffsetDelta(), batch.baseOffset(), batch.producerId(), batch.producerEpoch(),
                        batch.baseSequence(), batch.lastSequence());
                rebuilt.setLeaderEpoch(batch.leaderEpoch());
                kept.add(rebuilt);
            }
        });
        if (removed[0] == 0) {
            return null;
        }
        LogSegment cleaned = LogSegment.createCleaned(log.dir(), segment.baseOffset(), log.config().indexIntervalBytes());
        for (RecordBatch b : kept) {
            cleaned.append(b);
        }
        cleaned.installCleaned();
        return new Rewrite(cleaned, removed[0]);
    }

    private interface BatchVisitor {
        void visit(RecordBatch batch) throws IOException;
    }

    private static void forEachBatch(LogSegment segment, BatchVisitor visitor) throws IOException {
        long from = segment.baseOffset();
        while (true) {
            List<RecordBatch> batches = segment.read(from, 1 << 20, Long.MAX_VALUE);
            if (batches.isEmpty()) {
                return;
            }
            for (RecordBatch b : batches) {
                visitor.visit(b);
                from = b.nextOffset();
            }
        }
    }
}
