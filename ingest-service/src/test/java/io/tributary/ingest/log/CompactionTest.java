package io.tributary.ingest.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

class CompactionTest extends LogTestSupport {

    private static final long DAY = 24L * 60 * 60 * 1000;
    private static final long T0 = 1_000 * DAY;

    private static LogConfig compacted() {
        return smallSegments(LogConfig.CLEANUP_POLICY, "compact", LogConfig.DELETE_RETENTION_MS, String.valueOf(DAY));
    }

    /** What was appended, by offset: key and value (null = tombstone). */
    private record Appended(String key, String value) {
    }

    private static List<Appended> appendUpdates(PartitionLog log, int updates, int keys, boolean withTombstones) {
        Random random = new Random(9);
        List<Appended> all = new ArrayList<>();
        while (all.size() < updates) {
            List<LogRecord> batch = new ArrayList<>();
            for (int i = 1 + random.nextInt(3); i > 0; i--) {
                String key = "key-" + random.nextInt(keys);
                String value = withTombstones && random.nextInt(6) == 0 ? null : "{\"n\":" + (all.size() + batch.size()) + "}";
                batch.add(record(key, value, T0 + all.size() + batch.size()));
            }
            log.append(batch);
            for (LogRecord r : batch) {
                all.add(new Appended(r.key().utf8(), r.value() == null ? null : r.value().utf8()));
            }
        }
        return all;
    }

    private static Map<String, Integer> newestOffsetPerKey(List<Appended> appended) {
        Map<String, Integer> newest = new HashMap<>();
        for (int i = 0; i < appended.size(); i++) {
            newest.put(appended.get(i).key(), i);
        }
        return newest;
    }

    /** Checks the log after compaction against what was appended. */
    private static void assertCompacted(PartitionLog log, List<Appended> appended, boolean tombstonesKept) {
        long activeBase = log.segments().get(log.segmentCount() - 1).baseOffset();
        Map<String, Integer> newest = newestOffsetPerKey(appended);
        List<Record> records = readAll(log);
        Set<Long> seen = new HashSet<>();
        long previous = -1;
        for (Record r : records) {
            assertThat(r.offset()).isGreaterThan(previous);
            previous = r.offset();
            seen.add(r.offset());
            Appended original = appended.get((int) r.offset());
            assertThat(keyOf(r)).as("key at %d", r.offset()).isEqualTo(original.key());
            assertThat(valueOf(r)).as("value at %d", r.offset()).isEqualTo(original.value());
            if (r.offset() < activeBase) {
                assertThat(newest.get(original.key())).as("only the newest value of %s survives", original.key())
                        .isEqualTo((int) r.offset());
                if (!tombstonesKept) {
                    assertThat(r.value()).as("tombstone at %d", r.offset()).isNotNull();
                }
            }
        }
        for (long o = activeBase; o < appended.size(); o++) {
            assertThat(seen).as("active segment untouched").contains(o);
        }
        for (Map.Entry<String, Integer> e : newest.entrySet()) {
            boolean tombstone = appended.get(e.getValue()).value() == null;
            if (!tombstone || tombstonesKept || e.getValue() >= activeBase) {
                assertThat(seen).as("newest of %s", e.getKey()).contains((long) e.getValue());
            }
        }
    }

    @Test
    void shouldKeepOnlyTheNewestValuePerKeyInSealedSegments() {
        PartitionLog log = open(compacted());
        List<Appended> appended = appendUpdates(log, 400, 12, false);
        assertThat(log.segmentCount()).isGreaterThan(4);
        long end = log.logEndOffset();

        LogCompactor.Stats stats = log.compact(T0 + 10_000);
        assertThat(stats.segmentsRewritten()).isPositive();
        assertThat(stats.recordsRemoved()).isPositive();
        assertThat(stats.bytesAfter()).isLessThan(stats.bytesBefore());
        assertThat(log.logEndOffset()).isEqualTo(end);
        assertCompacted(log, appended, true);
        assertThat(readAll(log).size()).isLessThan(appended.size());

        // a second pass changes nothing and appends still get the next offsets
        assertThat(log.compact(T0 + 10_000).recordsRemoved()).isZero();
        assertThat(log.append(List.of(record("key-1", "\"late\"", T0))).baseOffset()).isEqualTo(end);
    }

    @Test
    void shouldNotRewriteSegmentsAboveTheCompactionLimit() throws Exception {
        PartitionLog log = open(compacted());
        appendUpdates(log, 400, 5, false);
        List<LogSegment> segments = log.segments();
        assertThat(segments.size()).isGreaterThan(4);
        long limit = segments.get(2).baseOffset(); // segments 0 and 1 end at or below it
        Map<Long, byte[]> before = new HashMap<>();
        for (LogSegment s : segments) {
            before.put(s.baseOffset(), java.nio.file.Files.readAllBytes(LogFiles.log(log.dir(), s.baseOffset())));
        }
        log.limitCleanup(limit);

        assertThat(log.compact(T0 + 10_000).segmentsRewritten()).isEqualTo(2);
        assertThat(log.cleanupHeldTo()).as("segment 2 is due but ends above the limit").isEqualTo(segments.get(3).baseOffset());
        for (LogSegment s : log.segments()) {
            byte[] now = java.nio.file.Files.readAllBytes(LogFiles.log(log.dir(), s.baseOffset()));
            if (s.baseOffset() < limit) {
                assertThat(now).as("segment %d below the limit", s.baseOffset()).isNotEqualTo(before.get(s.baseOffset()));
            } else {
                assertThat(now).as("segment %d above the limit", s.baseOffset()).isEqualTo(before.get(s.baseOffset()));
            }
        }
        log.limitCleanup(Long.MAX_VALUE);
        log.compact(T0 + 10_000);
        assertThat(log.cleanupHeldTo()).isEqualTo(-1);
    }

    @Test
    void shouldReadAtEveryOffsetAfterCompaction() {
        PartitionLog log = open(compacted());
        List<Appended> appended = appendUpdates(log, 300, 5, false);
        log.compact(T0 + 10_000);
        List<Record> all = readAll(log);
        for (long offset = 0; offset < appended.size(); offset++) {
            long at = offset;
            Record expected = all.stream().filter(r -> r.offset() >= at).findFirst().orElseThrow();
            assertThat(readFrom(log, offset).get(0).offset()).as("read at %d", offset).isEqualTo(expected.offset());
        }
    }

    @Test
    void shouldKeepTombstonesWithinDeleteRetentionAndDropThemAfter() {
        PartitionLog log = open(compacted());
        List<Appended> appended = new ArrayList<>(appendUpdates(log, 400, 12, true));
        // make sure some tombstones are the newest records of their keys inside a sealed segment
        log.append(List.of(record("key-0", null, T0 + 500), record("key-1", null, T0 + 501)));
        appended.add(new Appended("key-0", null));
        appended.add(new Appended("key-1", null));
        log.rollNow();
        log.append(List.of(record("key-2", "\"last\"", T0 + 502)));
        appended.add(new Appended("key-2", "\"last\""));

        log.compact(T0 + 10_000);
        assertCompacted(log, appended, true);
        long sealedTombstones = readAll(log).stream()
                .filter(r -> r.value() == null && r.offset() < log.segments().get(log.segmentCount() - 1).baseOffset())
                .count();
        assertThat(sealedTombstones).isPositive();

        log.compact(T0 + 2 * DAY);
        assertCompacted(log, appended, false);
    }

    @Test
    void shouldNotCompactSegmentsYoungerThanMinCompactionLag() {
        PartitionLog log = open(smallSegments(LogConfig.CLEANUP_POLICY, "compact", LogConfig.MIN_COMPACTION_LAG_MS,
                String.valueOf(DAY)));
        List<Appended> appended = appendUpdates(log, 200, 3, false);
        assertThat(log.compact(T0 + 10_000)).isEqualTo(LogCompactor.Stats.NONE);
        assertThat(readAll(log)).hasSize(appended.size());
        assertThat(log.compact(T0 + 2 * DAY).segmentsRewritten()).isPositive();
    }

    @Test
    void shouldReadTheSameDataAfterARestartFollowingCompaction() throws Exception {
        PartitionLog log = open(compacted());
        List<Appended> appended = appendUpdates(log, 400, 12, true);
        log.compact(T0 + 2 * DAY);
        List<String> before = readAll(log).stream().map(r -> r.offset() + "=" + keyOf(r) + ":" + valueOf(r)).toList();
        long end = log.logEndOffset();
        log.close();

        PartitionLog reopened = open(compacted());
        assertThat(readAll(reopened).stream().map(r -> r.offset() + "=" + keyOf(r) + ":" + valueOf(r)).toList())
                .containsExactlyElementsOf(before);
        assertCompacted(reopened, appended, false);
        reopened.closeAbruptly();

        PartitionLog crashed = open(compacted());
        assertThat(crashed.logEndOffset()).isEqualTo(end);
        assertThat(readAll(crashed).stream().map(r -> r.offset() + "=" + keyOf(r) + ":" + valueOf(r)).toList())
                .containsExactlyElementsOf(before);
        assertThat(crashed.append(List.of(record("key-0", "\"x\"", T0))).baseOffset()).isEqualTo(end);
    }

    @Test
    void shouldNotReuseOffsetsAfterACrashWhenCompactionEmptiedTheEndOfTheLastSealedSegment() throws Exception {
        PartitionLog log = open(compacted());
        log.append(List.of(record("a", "1", T0)));
        log.append(List.of(record("b", "2", T0)));
        log.append(List.of(record("b", null, T0))); // tombstone: the newest record of the sealed segment
        long end = log.logEndOffset();
        log.rollNow();
        log.compact(T0 + 2 * DAY); // drops b's value and its expired tombstone
        assertThat(readAll(log)).extracting(Record::offset).containsExactly(0L);
        log.closeAbruptly();

        PartitionLog reopened = open(compacted());
        assertThat(reopened.logEndOffset()).isEqualTo(end);
        assertThat(reopened.append(List.of(record("c", "3", T0))).baseOffset()).isEqualTo(end);
    }

    @Test
    void shouldRetryAProducerBatchAfterCompactionAndACrashReplay() throws Exception {
        PartitionLog log = open(compacted());
        List<LogRecord> batch = List.of(record("a", "1", T0), record("a", "2", T0), record("b", "3", T0));
        AppendResult original = log.append(batch, ProducerBatch.startingAt(5, (short) 0, 0), 0);
        log.append(List.of(record("b", "4", T0))); // makes b's record in the producer batch obsolete
        log.rollNow();
        log.compact(T0 + 10_000);
        assertThat(readAll(log)).extracting(Record::offset).containsExactly(1L, 3L);
        log.closeAbruptly();
        // force a replay of the compacted segment: no snapshot to start from
        try (var files = java.nio.file.Files.list(dir)) {
            for (var p : files.toList()) {
                if (LogFiles.hasSuffix(p, LogFiles.PRODUCER_SNAPSHOT)) {
                    java.nio.file.Files.delete(p);
                }
            }
        }

        PartitionLog reopened = open(compacted());
        AppendResult retry = reopened.append(batch, ProducerBatch.startingAt(5, (short) 0, 0), 0);
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.baseOffset()).isEqualTo(original.baseOffset());
    }

    @Test
    void shouldRejectKeylessRecordsOnACompactedTopic() {
        PartitionLog log = open(compacted());
        assertThatThrownBy(() -> log.append(List.of(record(null, "1", T0)))).isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("key");
        assertThat(log.logEndOffset()).isZero();
    }

    @Test
    void shouldDoNothingOnATopicThatIsNotCompacted() {
        PartitionLog log = open(smallSegments());
        log.append(List.of(record("a", "1", T0), record("a", "2", T0)));
        log.rollNow();
        assertThat(log.compact(T0 + 10 * DAY)).isEqualTo(LogCompactor.Stats.NONE);
    }
}
