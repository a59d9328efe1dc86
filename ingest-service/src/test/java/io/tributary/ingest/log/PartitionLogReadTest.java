package io.tributary.ingest.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

class PartitionLogReadTest extends LogTestSupport {

    /** Appends batches of 1..5 records; returns the appended records in offset order. */
    private static List<LogRecord> appendMany(PartitionLog log, int batches, Random random, long baseTs) {
        List<LogRecord> all = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            List<LogRecord> batch = new ArrayList<>();
            int n = 1 + random.nextInt(5);
            for (int i = 0; i < n; i++) {
                int id = all.size() + i;
                batch.add(record("key-" + id, "{\"n\":" + id + "}", baseTs + id));
            }
            AppendResult result = log.append(batch);
            assertThat(result.baseOffset()).isEqualTo(all.size());
            assertThat(result.count()).isEqualTo(n);
            assertThat(result.duplicate()).isFalse();
            all.addAll(batch);
        }
        return all;
    }

    @Test
    void shouldRollBySizeAndReadAcrossSegmentBoundaries() throws Exception {
        PartitionLog log = open(smallSegments());
        List<LogRecord> appended = appendMany(log, 200, new Random(1), 1_000);

        assertThat(log.segmentCount()).isGreaterThan(5);
        for (LogSegment s : log.segments()) {
            assertThat(s.sizeInBytes()).isLessThanOrEqualTo(2048);
        }
        assertThat(log.logEndOffset()).isEqualTo(appended.size());
        assertThat(log.highWatermark()).isEqualTo(appended.size());
        List<Record> read = readAll(log);
        assertThat(read).extracting(Record::offset).containsExactlyElementsOf(
                java.util.stream.LongStream.range(0, appended.size()).boxed().toList());
        for (int i = 0; i < appended.size(); i++) {
            assertThat(read.get(i).key()).isEqualTo(appended.get(i).key());
            assertThat(read.get(i).value()).isEqualTo(appended.get(i).value());
            assertThat(read.get(i).timestamp()).isEqualTo(appended.get(i).timestamp());
        }
    }

    @Test
    void shouldReturnTheRecordAtEveryOffsetFirst() {
        PartitionLog log = open(smallSegments());
        List<LogRecord> appended = appendMany(log, 150, new Random(2), 0);
        for (int offset = 0; offset < appended.size(); offset++) {
            FetchResult fetch = log.read(offset, 1);
            assertThat(fetch.batches()).as("read at %d", offset).isNotEmpty();
            int at = offset;
            Record first = fetch.batches().get(0).records().stream().filter(r -> r.offset() >= at).findFirst().orElseThrow();
            assertThat(first.offset()).isEqualTo(offset);
            assertThat(first.value()).isEqualTo(appended.get(offset).value());
            assertThat(fetch.highWatermark()).isEqualTo(appended.size());
            assertThat(fetch.logEndOffset()).isEqualTo(appended.size());
            assertThat(fetch.logStartOffset()).isZero();
        }
    }

    @Test
    void shouldHonourMaxBytesButAlwaysReturnAtLeastOneBatch() {
        PartitionLog log = open(smallSegments());
        appendMany(log, 100, new Random(3), 0);

        FetchResult tiny = log.read(0, 1);
        assertThat(tiny.batches()).hasSize(1);

        for (int maxBytes : new int[] {100, 300, 700, 1500, 5000}) {
            for (long offset = 0; offset < log.highWatermark(); offset += 7) {
                List<RecordBatch> batches = log.read(offset, maxBytes).batches();
                assertThat(batches).isNotEmpty();
                int total = batches.stream().mapToInt(RecordBatch::sizeInBytes).sum();
                if (batches.size() > 1) {
                    assertThat(total).as("read of %d bytes at %d", maxBytes, offset).isLessThanOrEqualTo(maxBytes);
                }
                for (int i = 1; i < batches.size(); i++) {
                    assertThat(batches.get(i).baseOffset()).isEqualTo(batches.get(i - 1).nextOffset());
                }
            }
        }
    }

    @Test
    void shouldReadMegabytesInChunksWithoutLosingABatchAtAChunkEdge() {
        PartitionLog log = open(LogConfig.defaults());
        Random random = new Random(5);
        List<LogRecord> appended = new ArrayList<>();
        String big = "x".repeat(LogSegment.READ_CHUNK + 1000); // one batch larger than a whole chunk
        for (int b = 0; b < 400; b++) {
            List<LogRecord> batch = new ArrayList<>();
            int n = b == 150 ? 1 : 1 + random.nextInt(40);
            for (int i = 0; i < n; i++) {
                int id = appended.size() + i;
                batch.add(record("key-" + id, b == 150 ? "\"" + big + "\"" : "{\"n\":" + id + ",\"pad\":\""
                        + "p".repeat(random.nextInt(300)) + "\"}", id));
            }
            log.append(batch);
            appended.addAll(batch);
        }
        for (long offset : new long[] {0, 1, 777, appended.size() / 2, appended.size() - 3}) {
            List<RecordBatch> batches = log.read(offset, 3 * LogSegment.READ_CHUNK + 12_345).batches();
            assertThat(batches).isNotEmpty();
            assertThat(batches.get(0).baseOffset()).isLessThanOrEqualTo(offset);
            assertThat(batches.get(0).nextOffset()).isGreaterThan(offset);
            for (int i = 1; i < batches.size(); i++) {
                assertThat(batches.get(i).baseOffset()).as("contiguous at %d", offset)
                        .isEqualTo(batches.get(i - 1).nextOffset());
            }
            int total = batches.stream().mapToInt(RecordBatch::sizeInBytes).sum();
            if (batches.size() > 1) {
                assertThat(total).isLessThanOrEqualTo(3 * LogSegment.READ_CHUNK + 12_345);
            }
            for (RecordBatch b : batches) {
                for (Record r : b.records()) {
                    assertThat(r.value()).isEqualTo(appended.get((int) r.offset()).value());
                }
            }
        }
        List<Record> read = readAll(log);
        assertThat(read).hasSize(appended.size());
        assertThat(read).extracting(Record::offset).containsExactlyElementsOf(
                java.util.stream.LongStream.range(0, appended.size()).boxed().toList());
    }

    @Test
    void shouldReturnNothingAtTheHighWatermarkAndRejectReadsOutsideTheLog() {
        PartitionLog log = open(smallSegments());
        appendMany(log, 10, new Random(4), 0);
        long hw = log.highWatermark();

        assertThat(log.read(hw, 1000).isEmpty()).isTrue();
        assertThatThrownBy(() -> log.read(hw + 1, 1000))
                .isInstanceOfSatisfying(OffsetOutOfRangeException.class, e -> {
                    assertThat(e.logStartOffset()).isZero();
                    assertThat(e.logEndOffset()).isEqualTo(hw);
                });
        assertThatThrownBy(() -> log.read(-1, 1000)).isInstanceOf(OffsetOutOfRangeException.class);
    }

    @Test
    void shouldRollByTimeWhenTheActiveSegmentIsOlderThanSegmentMs() {
        PartitionLog log = open(smallSegments(LogConfig.SEGMENT_BYTES, "1048576", LogConfig.SEGMENT_MS, "1"));
        log.append(List.of(record("a", "1", 1)));
        waitForClockToPass(2);
        log.append(List.of(record("b", "2", 2)));
        assertThat(log.segmentCount()).isEqualTo(2);
        assertThat(log.segments().get(1).baseOffset()).isEqualTo(1);
        assertThat(readAll(log)).extracting(PartitionLogReadTest::valueOf).containsExactly("1", "2");
    }

    @Test
    void shouldNotRollByTimeBeforeSegmentMs() {
        PartitionLog log = open(smallSegments(LogConfig.SEGMENT_BYTES, "1048576"));
        for (int i = 0; i < 50; i++) {
            log.append(List.of(record("k", "v" + i, i)));
        }
        assertThat(log.segmentCount()).isEqualTo(1);
    }

    @Test
    void shouldRejectBatchesLargerThanMaxMessageBytes() {
        PartitionLog log = open(smallSegments(LogConfig.MAX_MESSAGE_BYTES, "200"));
        assertThatThrownBy(() -> log.append(records(20, "big", 0))).isInstanceOf(RecordTooLargeException.class)
                .hasMessageContaining(LogConfig.MAX_MESSAGE_BYTES);
        assertThatThrownBy(() -> log.append(List.of())).isInstanceOf(InvalidRecordException.class);
        assertThat(log.logEndOffset()).isZero();
    }

    @Test
    void shouldFindOffsetsForTimestampsLikeALinearScan() {
        PartitionLog log = open(smallSegments());
        Random random = new Random(5);
        List<Long> timestamps = new ArrayList<>();
        for (int b = 0; b < 150; b++) {
            List<LogRecord> batch = new ArrayList<>();
            for (int i = 1 + random.nextInt(4); i > 0; i--) {
                // mostly increasing, with jitter that makes timestamps non-monotonic
                long ts = 10_000 + timestamps.size() * 10L + random.nextInt(200) - 100;
                batch.add(record("k" + timestamps.size(), "v", ts));
                timestamps.add(ts);
            }
            log.append(batch);
        }
        assertThat(log.segmentCount()).isGreaterThan(3);
        long maxTs = timestamps.stream().mapToLong(Long::longValue).max().orElseThrow();
        for (long target = 9_000; target <= maxTs + 50; target += 3) {
            assertThat(log.offsetForTimestamp(target)).as("offset for %d", target).isEqualTo(oracle(timestamps, target));
        }
        assertThat(log.offsetForTimestamp(maxTs + 1)).isEqualTo(log.highWatermark());
        assertThat(log.offsetForTimestamp(Long.MAX_VALUE)).isEqualTo(log.highWatermark());
        assertThat(log.offsetForTimestamp(0)).isZero();
    }

    @Test
    void shouldAnswerTheHighWatermarkForTimestampsOnAnEmptyLog() {
        PartitionLog log = open(smallSegments());
        assertThat(log.offsetForTimestamp(123)).isZero();
    }

    @Test
    void shouldCompleteAwaitDataWhenAnAppendMovesTheHighWatermarkPastIt() {
        PartitionLog log = open(smallSegments());
        log.append(List.of(record("a", "1", 1)));

        assertThat(log.awaitData(0)).isDone();
        CompletableFuture<Void> waiting = log.awaitData(1);
        CompletableFuture<Void> waitingFurther = log.awaitData(2);
        assertThat(waiting).isNotDone();

        log.append(List.of(record("b", "2", 2)));
        assertThat(waiting).isCompleted();
        assertThat(waitingFurther).isNotDone();

        log.append(List.of(record("c", "3", 3), record("d", "4", 4)));
        assertThat(waitingFurther).isCompleted();
        assertThat(log.awaitData(3)).isDone();
        assertThat(log.awaitData(4)).isNotDone();
    }

    @Test
    void shouldNeverLoseAWakeUpWhenAwaitRacesWithAppends() throws Exception {
        PartitionLog log = open(smallSegments(LogConfig.SEGMENT_BYTES, "1048576"));
        int rounds = 2000;
        Thread writer = new Thread(() -> {
            for (int i = 0; i < rounds; i++) {
                log.append(List.of(record("k", "v", i)));
            }
        });
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        writer.start();
        for (int i = 0; i < rounds; i++) {
            futures.add(log.awaitData(i));
        }
        writer.join();
        for (int i = 0; i < rounds; i++) {
            assertThat(futures.get(i)).as("waiter for %d", i).isDone();
        }
    }

    @Test
    void shouldReleaseWaitersOnClose() throws Exception {
        PartitionLog log = open(smallSegments());
        CompletableFuture<Void> waiting = log.awaitData(0);
        log.close();
        assertThat(waiting).isDone();
    }

    private static long oracle(List<Long> timestamps, long target) {
        for (int i = 0; i < timestamps.size(); i++) {
            if (timestamps.get(i) >= target) {
                return i;
            }
        }
        return timestamps.size();
    }

    /** Spins until the wall clock has advanced by at least {@code ms}: segment.ms compares wall-clock ages. */
    static void waitForClockToPass(long ms) {
        long start = System.currentTimeMillis();
        while (System.currentTimeMillis() - start < ms) {
            Thread.onSpinWait();
        }
    }

    @Test
    void aReadThatStopsAtTheHighWatermarkIsConfirmedAndReadAgainOneThatStopsAtItsLimitIsNot() {
        PartitionLog log = open(smallSegments());
        for (int i = 0; i < 3; i++) {
            log.append(List.of(record("k", "{\"n\":" + i + "}", 1_000 + i)));
        }
        int[] confirms = {0};
        // The confirmation stands for a follower catching up with its leader: one more record applied.
        Runnable catchUp = () -> {
            confirms[0]++;
            log.append(List.of(record("k", "{\"n\":3}", 1_003)));
        };

        FetchResult limited = log.readConfirmed(0, 2, 1 << 20, catchUp);
        assertThat(confirms[0]).as("two records asked, more there: nothing to confirm").isZero();
        assertThat(limited.batches()).isNotEmpty();

        FetchResult all = log.readConfirmed(1, 100, 1 << 20, catchUp);
        assertThat(confirms[0]).isEqualTo(1);
        assertThat(all.batches().get(all.batches().size() - 1).nextOffset()).as("read again after it").isEqualTo(4);
    }

    @Test
    void aFailedConfirmationStillAnswersFinalRecordsButNotATailRead() {
        PartitionLog log = open(smallSegments());
        for (int i = 0; i < 3; i++) {
            log.append(List.of(record("k", "{\"n\":" + i + "}", 1_000 + i)));
        }
        Runnable noMajority = () -> {
            throw new IllegalStateException("no majority");
        };
        FetchResult fromBelow = log.readConfirmed(0, 100, 1 << 20, noMajority);
        assertThat(fromBelow.batches().get(fromBelow.batches().size() - 1).nextOffset()).isEqualTo(3);
        assertThatThrownBy(() -> log.readConfirmed(3, 100, 1 << 20, noMajority))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void regionsDescribeTheBatchesAReadReturnsAndTransferTheirRecords() throws Exception {
        PartitionLog log = open(smallSegments());
        List<LogRecord> appended = appendMany(log, 120, new Random(4), 0);
        for (int offset = 0; offset < appended.size(); offset += 7) {
            for (int maxBytes : new int[] {1, 300, 1500, 100_000}) {
                List<RecordBatch> batches = log.read(offset, maxBytes).batches();
                RegionFetchResult regions = log.readRegions(offset, maxBytes);
                assertThat(regions.highWatermark()).isEqualTo(appended.size());
                assertThat(regions.regions()).as("from %d, %d bytes", offset, maxBytes).hasSameSizeAs(batches);
                for (int i = 0; i < batches.size(); i++) {
                    RecordBatch batch = batches.get(i);
                    BatchRegion region = regions.regions().get(i);
                    assertThat(region.baseOffset()).isEqualTo(batch.baseOffset());
                    assertThat(region.nextOffset()).isEqualTo(batch.nextOffset());
                    assertThat(region.sizeInBytes()).isEqualTo(batch.sizeInBytes());
                    assertThat(region.recordCount()).isEqualTo(batch.recordCount());
                    byte[] stored = batch.copyBytes();
                    byte[] header = new byte[RecordBatch.HEADER_SIZE];
                    region.header().get(header);
                    assertThat(header).isEqualTo(java.util.Arrays.copyOf(stored, RecordBatch.HEADER_SIZE));
                    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                    java.nio.channels.WritableByteChannel ch = java.nio.channels.Channels.newChannel(out);
                    long sent = 0;
                    while (sent < region.recordsSize()) {
                        sent += region.file().transferTo(region.recordsPosition() + sent,
                                region.recordsSize() - sent, ch);
                    }
                    assertThat(out.toByteArray()).isEqualTo(java.util.Arrays.copyOfRange(stored,
                            RecordBatch.HEADER_SIZE, stored.length));
                }
            }
        }
        assertThatThrownBy(() -> log.readRegions(appended.size() + 1, 100))
                .isInstanceOf(OffsetOutOfRangeException.class);
    }

    @Test
    void aRegionOfAClosedSegmentFailsToTransfer() throws Exception {
        PartitionLog log = open(smallSegments());
        appendMany(log, 10, new Random(5), 0);
        BatchRegion region = log.readRegions(0, 100).regions().get(0);
        log.close();
        assertThatThrownBy(() -> region.file().transferTo(region.recordsPosition(), region.recordsSize(),
                java.nio.channels.Channels.newChannel(new java.io.ByteArrayOutputStream())))
                .isInstanceOf(java.io.IOException.class);
    }
}
