package io.tributary.ingest.log;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Encodes records into one {@link RecordBatch} in a single exactly-sized array: sizes are
 * computed first, then every field is written once. Offsets are relative (baseOffset is
 * stamped later by the log), so a batch can be built before the partition lock is taken.
 */
public final class BatchBuilder {

    private BatchBuilder() {
    }

    /** A batch of records with consecutive offset deltas 0..n-1 and no producer identity. */
    public static RecordBatch build(List<LogRecord> records) {
        return build(records, RecordBatch.NO_PRODUCER_ID, (short) -1, RecordBatch.NO_SEQUENCE);
    }

    public static RecordBatch build(List<LogRecord> records, long producerId, short producerEpoch, long baseSequence) {
        int[] deltas = new int[records.size()];
        for (int i = 0; i < deltas.length; i++) {
            deltas[i] = i;
        }
        return build(records, deltas, deltas.length - 1, 0L, producerId, producerEpoch, baseSequence,
                baseSequence + records.size() - 1);
    }

    /** A batch with an explicit sequence range (writers that derive sequences from source offsets). */
    public static RecordBatch build(List<LogRecord> records, ProducerBatch producer) {
        int[] deltas = new int[records.size()];
        for (int i = 0; i < deltas.length; i++) {
            deltas[i] = i;
        }
        RecordBatch batch = build(records, deltas, deltas.length - 1, 0L, producer.producerId(),
                producer.producerEpoch(), producer.baseSequence(), producer.lastSequence());
        if (producer.contiguous()) {
            // Marked after the fact: the attribute is inside the CRC, so the CRC is written again.
            ByteBuffer header = ByteBuffer.wrap(batch.array(), batch.start(), batch.sizeInBytes());
            header.putShort(RecordBatch.ATTRIBUTES, RecordBatch.CONTIGUOUS_SEQUENCES);
            header.putInt(RecordBatch.CRC, (int) batch.computeCrc());
        }
        return batch;
    }

    /**
     * A batch whose records keep the given offset deltas and whose offset range and base offset
     * are already known: compaction rewrites batches with gaps but the same range.
     */
    public static RecordBatch build(List<LogRecord> records, int[] offsetDeltas, int lastOffsetDelta, long baseOffset,
                                    long producerId, short producerEpoch, long baseSequence, long lastSequence) {
        if (lastSequence - baseSequence > Integer.MAX_VALUE || lastSequence < baseSequence) {
            throw new IllegalArgumentException("sequence range " + baseSequence + ".." + lastSequence + " is not valid");
        }
        if (records.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one record");
        }
        long firstTimestamp = records.get(0).timestamp();
        long maxTimestamp = Long.MIN_VALUE;
        int[] bodySizes = new int[records.size()];
        int total = RecordBatch.HEADER_SIZE;
        for (int i = 0; i < records.size(); i++) {
            LogRecord r = records.get(i);
            maxTimestamp = Math.max(maxTimestamp, r.timestamp());
            int body = 1 + Varint.sizeOfLong(r.timestamp() - firstTimestamp) + Varint.sizeOfInt(offsetDeltas[i])
                    + sizeOfField(r.key()) + sizeOfField(r.value()) + Varint.sizeOfInt(r.headers().size());
            for (LogRecord.Header h : r.headers()) {
                body += sizeOfField(Bytes.utf8(h.key())) + sizeOfField(h.value());
            }
            bodySizes[i] = body;
            total += Varint.sizeOfInt(body) + body;
        }

        byte[] out = new byte[total];
        ByteBuffer header = ByteBuffer.wrap(out);
        header.putLong(RecordBatch.BASE_OFFSET, baseOffset);
        header.putInt(RecordBatch.LENGTH, total - 12);
        header.putInt(RecordBatch.LEADER_EPOCH, 0);
        header.put(RecordBatch.MAGIC_POS, RecordBatch.MAGIC);
        header.putShort(RecordBatch.ATTRIBUTES, (short) 0);
        header.putInt(RecordBatch.LAST_OFFSET_DELTA, lastOffsetDelta);
        header.putLong(RecordBatch.FIRST_TIMESTAMP, firstTimestamp);
        header.putLong(RecordBatch.MAX_TIMESTAMP, maxTimestamp);
        header.putLong(RecordBatch.PRODUCER_ID, producerId);
        header.putShort(RecordBatch.PRODUCER_EPOCH, producerEpoch);
        header.putLong(RecordBatch.BASE_SEQUENCE, baseSequence);
        header.putInt(RecordBatch.LAST_SEQUENCE_DELTA, (int) (lastSequence - baseSequence));
        header.putInt(RecordBatch.RECORD_COUNT, records.size());

        int pos = RecordBatch.HEADER_SIZE;
        for (int i = 0; i < records.size(); i++) {
            LogRecord r = records.get(i);
            pos = Varint.writeInt(bodySizes[i], out, pos);
            out[pos++] = 0; // attributes
            pos = Varint.writeLong(r.timestamp() - firstTimestamp, out, pos);
            pos = Varint.writeInt(offsetDeltas[i], out, pos);
            pos = writeField(r.key(), out, pos);
            pos = writeField(r.value(), out, pos);
            pos = Varint.writeInt(r.headers().size(), out, pos);
            for (LogRecord.Header h : r.headers()) {
                pos = writeField(Bytes.utf8(h.key()), out, pos);
                pos = writeField(h.value(), out, pos);
            }
        }
        RecordBatch batch = RecordBatch.view(out, 0, total);
        header.putInt(RecordBatch.CRC, (int) batch.computeCrc());
        return batch;
    }

    private static int sizeOfField(Bytes field) {
        return field == null ? 1 : Varint.sizeOfInt(field.length()) + field.length();
    }

    private static int writeField(Bytes field, byte[] out, int pos) {
        if (field == null) {
            return Varint.writeInt(-1, out, pos);
        }
        pos = Varint.writeInt(field.length(), out, pos);
        System.arraycopy(field.array(), field.offset(), out, pos, field.length());
        return pos + field.length();
    }
}
