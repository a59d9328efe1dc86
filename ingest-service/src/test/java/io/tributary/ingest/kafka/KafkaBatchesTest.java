package io.tributary.ingest.kafka;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.tributary.ingest.log.InvalidRecordException;
import io.tributary.ingest.log.LogRecord;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.ControlRecordType;
import org.apache.kafka.common.record.EndTransactionMarker;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Produced batches as kafka-clients writes them: every codec decoded to the same records, and what
 * the log cannot hold (older magics, transactional and control batches, a bad CRC) refused with
 * {@code INVALID_RECORD}'s exception.
 */
class KafkaBatchesTest {

    private static final SimpleRecord[] RECORDS = {
            new SimpleRecord(1_700_000_000_000L, bytes("k1"), bytes("{\"n\":1}"),
                    new Header[] {new RecordHeader("h", bytes("v1"))}),
            new SimpleRecord(1_700_000_000_001L, null, bytes("{\"n\":2}")),
            new SimpleRecord(1_700_000_000_002L, bytes("k3"), null)};

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void everyCodecDecodesToTheSameRecords(String codec) {
        MemoryRecords produced = MemoryRecords.withRecords(Compression.of(codec).build(), RECORDS);
        KafkaBatches.Produced decoded = KafkaBatches.fromKafka(only(produced));
        List<LogRecord> records = decoded.records();
        assertThat(records).hasSize(3);
        assertThat(records.get(0).key().utf8()).isEqualTo("k1");
        assertThat(records.get(0).value().utf8()).isEqualTo("{\"n\":1}");
        assertThat(records.get(0).headers()).singleElement().satisfies(h -> {
            assertThat(h.key()).isEqualTo("h");
            assertThat(h.value().utf8()).isEqualTo("v1");
        });
        assertThat(records.get(0).timestamp()).isEqualTo(1_700_000_000_000L);
        assertThat(records.get(1).key()).isNull();
        assertThat(records.get(2).value()).as("a tombstone stays null").isNull();
        assertThat(records.get(2).timestamp()).isEqualTo(1_700_000_000_002L);
        assertThat(decoded.producer().isIdempotent()).isFalse();
    }

    @Test
    void anIdempotentBatchKeepsItsProducerAndSequence() {
        MemoryRecords produced = MemoryRecords.withIdempotentRecords(Compression.lz4().build(), 42L, (short) 3, 7,
                RECORDS);
        KafkaBatches.Produced decoded = KafkaBatches.fromKafka(only(produced));
        assertThat(decoded.producer().isIdempotent()).isTrue();
        assertThat(decoded.producer().producerId()).isEqualTo(42L);
        assertThat(decoded.producer().producerEpoch()).isEqualTo((short) 3);
        assertThat(decoded.producer().baseSequence()).isEqualTo(7L);
    }

    @Test
    void transactionalControlAndOldBatchesAreRefused() {
        MemoryRecords transactional = MemoryRecords.withTransactionalRecords(Compression.NONE, 42L, (short) 0, 0,
                RECORDS);
        assertThatThrownBy(() -> KafkaBatches.fromKafka(only(transactional)))
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining("transactional");
        MemoryRecords marker = MemoryRecords.withEndTransactionMarker(42L, (short) 0,
                new EndTransactionMarker(ControlRecordType.COMMIT, 0));
        assertThatThrownBy(() -> KafkaBatches.fromKafka(only(marker)))
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining("control");
        MemoryRecords magic1 = MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1, Compression.gzip().build(),
                RECORDS[1]);
        assertThatThrownBy(() -> KafkaBatches.fromKafka(only(magic1)))
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining("magic 1");
    }

    @Test
    void aCorruptedBatchIsRefused() {
        MemoryRecords produced = MemoryRecords.withRecords(Compression.zstd().build(), RECORDS);
        int last = produced.buffer().limit() - 1;
        produced.buffer().put(last, (byte) (produced.buffer().get(last) ^ 0x5a));
        assertThatThrownBy(() -> KafkaBatches.fromKafka(only(produced)))
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining("corrupt");
    }

    private static MutableRecordBatch only(MemoryRecords records) {
        List<MutableRecordBatch> batches = new java.util.ArrayList<>();
        records.batches().forEach(batches::add);
        assertThat(batches).hasSize(1);
        return batches.get(0);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
