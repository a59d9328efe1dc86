package io.tributary.ingest.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class RecordBatchTest {

    private static List<LogRecord> mixedRecords() {
        return List.of(
                new LogRecord(Bytes.utf8("k1"), Bytes.utf8("{\"a\":1}"), List.of(), 1_700_000_000_000L),
                new LogRecord(null, Bytes.utf8("{\"b\":2}"),
                        List.of(new LogRecord.Header("trace", Bytes.utf8("abc")), new LogRecord.Header("empty", null)),
                        1_699_999_999_000L),
                new LogRecord(Bytes.utf8("k3"), null, null, 1_700_000_005_000L),
                new LogRecord(null, null, List.of(new LogRecord.Header("h", Bytes.EMPTY)), 5L),
                new LogRecord(Bytes.EMPTY, Bytes.EMPTY, List.of(), -3L));
    }

    @Test
    void shouldRoundTripRecordsWithNullAndNonNullFieldsHeadersAndTimestamps() {
        List<LogRecord> input = mixedRecords();
        RecordBatch batch = BatchBuilder.build(input, 77L, (short) 3, 1000);
        batch.ensureValid();

        assertThat(batch.magic()).isEqualTo(RecordBatch.MAGIC);
        assertThat(batch.baseOffset()).isZero();
        assertThat(batch.recordCount()).isEqualTo(5);
        assertThat(batch.lastOffsetDelta()).isEqualTo(4);
        assertThat(batch.lastOffset()).isEqualTo(4);
        assertThat(batch.nextOffset()).isEqualTo(5);
        assertThat(batch.firstTimestamp()).isEqualTo(1_700_000_000_000L);
        assertThat(batch.maxTimestamp()).isEqualTo(1_700_000_005_000L);
        assertThat(batch.producerId()).isEqualTo(77L);
        assertThat(batch.producerEpoch()).isEqualTo((short) 3);
        assertThat(batch.baseSequence()).isEqualTo(1000);
        assertThat(batch.lastSequence()).isEqualTo(1004);
        assertThat(batch.hasProducerId()).isTrue();
        assertThat(RecordBatch.sizeAt(batch.array(), batch.start())).isEqualTo(batch.sizeInBytes());

        List<Record> out = batch.records();
        assertThat(out).hasSize(input.size());
        for (int i = 0; i < input.size(); i++) {
            LogRecord in = input.get(i);
            Record r = out.get(i);
            assertThat(r.offset()).isEqualTo(i);
            assertThat(r.timestamp()).isEqualTo(in.timestamp());
            assertThat(r.key()).isEqualTo(in.key());
            assertThat(r.value()).isEqualTo(in.value());
            assertThat(r.headers()).isEqualTo(in.headers());
        }
    }

    @Test
    void shouldBuildBatchWithoutProducerIdentity() {
        RecordBatch batch = BatchBuilder.build(List.of(LogRecord.of("k", "1", 10)));
        assertThat(batch.hasProducerId()).isFalse();
        assertThat(batch.producerId()).isEqualTo(RecordBatch.NO_PRODUCER_ID);
        assertThat(batch.baseSequence()).isEqualTo(RecordBatch.NO_SEQUENCE);
    }

    @Test
    void shouldRoundTripRandomBatches() {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            List<LogRecord> input = new ArrayList<>();
            int n = 1 + random.nextInt(20);
            for (int i = 0; i < n; i++) {
                Bytes key = random.nextInt(4) == 0 ? null : Bytes.of(randomBytes(random, random.nextInt(40)));
                Bytes value = random.nextInt(4) == 0 ? null : Bytes.of(randomBytes(random, random.nextInt(400)));
                List<LogRecord.Header> headers = new ArrayList<>();
                for (int h = random.nextInt(3); h > 0; h--) {
                    headers.add(new LogRecord.Header("h" + h, Bytes.of(randomBytes(random, random.nextInt(10)))));
                }
                input.add(new LogRecord(key, value, headers, random.nextLong() >> 2));
            }
            RecordBatch batch = BatchBuilder.build(input, random.nextLong() & Long.MAX_VALUE, (short) 1, random.nextInt(1000));
            batch.ensureValid();
            List<Record> out = batch.records();
            for (int i = 0; i < n; i++) {
                assertThat(out.get(i).key()).isEqualTo(input.get(i).key());
                assertThat(out.get(i).value()).isEqualTo(input.get(i).value());
                assertThat(out.get(i).headers()).isEqualTo(input.get(i).headers());
                assertThat(out.get(i).timestamp()).isEqualTo(input.get(i).timestamp());
            }
        }
    }

    @Test
    void shouldDecodeBatchViewedInsideALargerArray() {
        RecordBatch original = BatchBuilder.build(mixedRecords());
        byte[] padded = new byte[original.sizeInBytes() + 50];
        System.arraycopy(original.array(), 0, padded, 17, original.sizeInBytes());
        RecordBatch view = RecordBatch.view(padded, 17, original.sizeInBytes());
        view.ensureValid();
        assertThat(view.records()).hasSize(5);
        assertThat(view.copyBytes()).isEqualTo(original.copyBytes());
        assertThat(view.toByteBuffer().remaining()).isEqualTo(original.sizeInBytes());
    }

    @Test
    void shouldDetectAFlippedBitInAnyByteAfterTheCrcField() {
        RecordBatch original = BatchBuilder.build(mixedRecords(), 5L, (short) 0, 0);
        byte[] bytes = original.copyBytes();
        for (int i = RecordBatch.ATTRIBUTES; i < bytes.length; i++) {
            for (int bit = 0; bit < 8; bit += 3) {
                byte[] corrupt = bytes.clone();
                corrupt[i] ^= (byte) (1 << bit);
                RecordBatch batch = RecordBatch.view(corrupt, 0, corrupt.length);
                int at = i;
                assertThatThrownBy(batch::ensureValid).as("flip at byte %d", at)
                        .isInstanceOf(CorruptRecordException.class);
            }
        }
    }

    @Test
    void shouldDetectCorruptMagicAndCrcField() {
        byte[] bytes = BatchBuilder.build(mixedRecords()).copyBytes();
        for (int i = RecordBatch.MAGIC_POS; i < RecordBatch.ATTRIBUTES; i++) {
            byte[] corrupt = bytes.clone();
            corrupt[i] ^= 0x10;
            assertThatThrownBy(RecordBatch.view(corrupt, 0, corrupt.length)::ensureValid)
                    .isInstanceOf(CorruptRecordException.class);
        }
    }

    @Test
    void shouldKeepCrcValidWhenBaseOffsetAndLeaderEpochAreStamped() {
        RecordBatch batch = BatchBuilder.build(mixedRecords(), 9L, (short) 1, 40);
        long crc = batch.storedCrc();
        batch.setBaseOffset(123_456_789_000L);
        batch.setLeaderEpoch(42);
        assertThatCode(batch::ensureValid).doesNotThrowAnyException();
        assertThat(batch.storedCrc()).isEqualTo(crc);
        assertThat(batch.baseOffset()).isEqualTo(123_456_789_000L);
        assertThat(batch.leaderEpoch()).isEqualTo(42);
        assertThat(batch.lastOffset()).isEqualTo(123_456_789_004L);
        assertThat(batch.records()).extracting(Record::offset)
                .containsExactly(123_456_789_000L, 123_456_789_001L, 123_456_789_002L, 123_456_789_003L, 123_456_789_004L);
    }

    @Test
    void shouldRejectEmptyBatchAndTruncatedBatch() {
        assertThatThrownBy(() -> BatchBuilder.build(List.of())).isInstanceOf(IllegalArgumentException.class);
        byte[] bytes = BatchBuilder.build(mixedRecords()).copyBytes();
        assertThatThrownBy(RecordBatch.view(bytes, 0, RecordBatch.HEADER_SIZE - 1)::ensureValid)
                .isInstanceOf(CorruptRecordException.class);
    }

    @Test
    void shouldKeepGivenOffsetDeltasWhenRebuildingACompactedBatch() {
        List<LogRecord> kept = List.of(LogRecord.of("a", "1", 100), LogRecord.of("c", "3", 102));
        RecordBatch batch = BatchBuilder.build(kept, new int[] {0, 2}, 3, 50L, 8L, (short) 0, 10L, 13L);
        batch.ensureValid();
        assertThat(batch.baseOffset()).isEqualTo(50);
        assertThat(batch.lastOffset()).isEqualTo(53);
        assertThat(batch.records()).extracting(Record::offset).containsExactly(50L, 52L);
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
