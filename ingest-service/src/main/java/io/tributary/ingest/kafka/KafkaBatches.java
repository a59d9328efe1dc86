package io.tributary.ingest.kafka;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import io.tributary.ingest.log.BatchRegion;
import io.tributary.ingest.log.Bytes;
import io.tributary.ingest.log.InvalidRecordException;
import io.tributary.ingest.log.LogRecord;
import io.tributary.ingest.log.ProducerBatch;
import io.tributary.ingest.log.RecordBatch;
import io.tributary.ingest.log.StoredBatch;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.utils.ByteUtils;

/**
 * Record batches between Kafka's wire layout (magic 2) and the log's ({@link RecordBatch}, magic 1).
 *
 * <p>The two share their records' encoding and the first 53 bytes of the header; the log's
 * header then has a 64-bit base sequence and a sequence range where Kafka's has a 32-bit base
 * sequence:
 * <pre>
 *            log (magic 1)                    Kafka (magic 2)
 *  0..52     baseOffset .. producerEpoch      the same fields, same places
 *  53        baseSequence int64               baseSequence int32
 *  61        lastSequenceDelta int32          recordCount int32
 *  65        recordCount int32                (records from 61)
 *  69        records
 * </pre>
 * So a fetch rewrites the header (8 bytes shorter), derives the CRC32C of the new header and the
 * same records from the stored one ({@link Crc32cShift}), and sends the records from the segment
 * file as they are; the log's attribute bit for contiguous sequences is
 * cleared (every other attribute bit is 0 in the log). The Kafka batch's partition leader epoch is -1:
 * this listener does not take part in Kafka's leader-epoch fencing (docs/kafka-protocol.md).
 *
 * <p>A produced batch is decoded record by record (decompressing gzip, snappy, lz4 or zstd with
 * kafka-clients' codecs) and stored uncompressed in the log's layout, so every reader, REST or
 * Kafka, gets it readable.
 */
final class KafkaBatches {

    static final int KAFKA_HEADER_SIZE = 61;
    private static final int HEADER_DIFF = RecordBatch.HEADER_SIZE - KAFKA_HEADER_SIZE;
    private static final int KAFKA_CRC = 17;
    private static final int KAFKA_ATTRIBUTES = 21;
    private static final int KAFKA_BASE_SEQUENCE = 53;
    private static final int KAFKA_RECORD_COUNT = 57;
    private static final int SHARED_PREFIX = 53;

    private KafkaBatches() {
    }

    /** Bytes {@code batch} takes in Kafka's layout. */
    static int kafkaSize(StoredBatch batch) {
        return batch.sizeInBytes() - HEADER_DIFF;
    }

    /**
     * Writes the Kafka-layout header of {@code batch} ({@value #KAFKA_HEADER_SIZE} bytes) at {@code out}'s
     * position and moves it past; the batch's records, sent after it as they are stored, complete the
     * batch. The CRC is derived from the stored one ({@link Crc32cShift}) without reading the records, so
     * a record damaged on disk reaches the client with a CRC that does not match, and it refuses the batch.
     */
    static void writeKafkaHeader(BatchRegion batch, ByteBuffer out) {
        int start = out.position();
        ByteBuffer stored = batch.header();
        out.put(stored.duplicate().limit(SHARED_PREFIX));
        out.putInt(start + 8, kafkaSize(batch) - 12);  // batchLength
        out.putInt(start + 12, -1);                    // partitionLeaderEpoch: no epoch fencing
        out.put(start + 16, (byte) 2);                 // magic
        out.putShort(start + KAFKA_ATTRIBUTES, (short) (out.getShort(start + KAFKA_ATTRIBUTES)
                & ~RecordBatch.CONTIGUOUS_SEQUENCES)); // the log's own bit; Kafka's bits 0-6 are all 0
        long baseSequence = batch.baseSequence();
        out.putInt(start + KAFKA_BASE_SEQUENCE, baseSequence >= 0 && baseSequence <= Integer.MAX_VALUE
                ? (int) baseSequence : -1);
        out.putInt(start + KAFKA_RECORD_COUNT, batch.recordCount());
        out.position(start + KAFKA_HEADER_SIZE);
        CRC32C prefix = new CRC32C();
        prefix.update(stored.position(KAFKA_ATTRIBUTES)); // [21, 69): the CRC'd part of the log's header
        long storedPrefix = prefix.getValue();
        prefix.reset();
        prefix.update(out.duplicate().limit(start + KAFKA_HEADER_SIZE).position(start + KAFKA_ATTRIBUTES));
        long crc = Crc32cShift.replacePrefix(batch.storedCrc(), storedPrefix, prefix.getValue(), batch.recordsSize());
        ByteUtils.writeUnsignedInt(out, start + KAFKA_CRC, crc);
    }

    /** One produced batch's records and producer identity, decoded and checked. */
    record Produced(List<LogRecord> records, ProducerBatch producer) {
    }

    /**
     * Decodes a produced batch: its CRC is checked, compressed records are decompressed.
     *
     * @throws InvalidRecordException an older magic, a control or transactional batch (no
     *         transactions here), or records that do not decode
     */
    static Produced fromKafka(MutableRecordBatch batch) {
        if (batch.magic() < 2) {
            throw new InvalidRecordException("record batches of magic " + batch.magic()
                    + " are not accepted; Kafka clients from 0.11 on write magic 2");
        }
        if (batch.isControlBatch() || batch.isTransactional()) {
            throw new InvalidRecordException("transactional and control batches are not supported (no transactions)");
        }
        try {
            batch.ensureValid();
        } catch (RuntimeException e) {
            throw new InvalidRecordException("record batch is corrupt: " + e.getMessage());
        }
        List<LogRecord> records = new ArrayList<>(Math.max(batch.countOrNull() == null ? 16 : batch.countOrNull(), 1));
        try {
            for (Record r : batch) {
                List<LogRecord.Header> headers;
                Header[] hs = r.headers();
                if (hs.length == 0) {
                    headers = List.of();
                } else {
                    headers = new ArrayList<>(hs.length);
                    for (Header h : hs) {
                        headers.add(new LogRecord.Header(h.key(), h.value() == null ? null : Bytes.of(h.value())));
                    }
                }
                records.add(new LogRecord(bytes(r.key()), bytes(r.value()), headers, r.timestamp()));
            }
        } catch (RuntimeException e) {
            throw new InvalidRecordException("records do not decode: " + e.getMessage());
        }
        if (records.isEmpty()) {
            throw new InvalidRecordException("a record batch holds no records");
        }
        // Kafka's idempotence rules (contiguous sequences), recorded in the stored batch.
        ProducerBatch producer = batch.hasProducerId()
                ? ProducerBatch.kafka(batch.producerId(), batch.producerEpoch(), batch.baseSequence(), records.size())
                : ProducerBatch.NONE;
        return new Produced(records, producer);
    }

    private static Bytes bytes(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        if (b.hasArray()) {
            return new Bytes(b.array(), b.arrayOffset() + b.position(), b.remaining());
        }
        byte[] copy = new byte[b.remaining()];
        b.duplicate().get(copy);
        return Bytes.of(copy);
    }
}
