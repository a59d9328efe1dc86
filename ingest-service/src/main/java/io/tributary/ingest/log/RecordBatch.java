package io.tributary.ingest.log;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.zip.CRC32C;

/**
 * One record batch: the unit written to a segment, read back by fetches and (later) shipped
 * between replicas. This class is a view over bytes owned by someone else; it copies nothing.
 *
 * <pre>
 * offset size field
 *  0     8    baseOffset        offset of the first record
 *  8     4    batchLength       bytes that follow this field (total size - 12)
 * 12     4    leaderEpoch       term of the leader that appended it
 * 16     1    magic             format version, {@value #MAGIC}
 * 17     4    crc               CRC32C of bytes [21, end)
 * 21     2    attributes        bit 8 (0x100): contiguous sequences (below); every other bit 0
 * 23     4    lastOffsetDelta   lastOffset - baseOffset (records may have gaps after compaction)
 * 27     8    firstTimestamp
 * 35     8    maxTimestamp
 * 43     8    producerId        -1 when not idempotent
 * 51     2    producerEpoch
 * 53     8    baseSequence      -1 when not idempotent (64-bit: writers may derive it from a source offset)
 * 61     4    lastSequenceDelta lastSequence - baseSequence; count - 1 unless the writer chose sequences
 * 65     4    recordCount
 * 69     ...  records
 * </pre>
 * Each record: varint length of the rest, int8 attributes, varlong timestampDelta, varint
 * offsetDelta, varint keyLength (-1 = null) + key, varint valueLength (-1 = null) + value,
 * varint headerCount, then per header varint keyLength + key, varint valueLength + value.
 *
 * <p>The CRC leaves out baseOffset and leaderEpoch so the leader can stamp both without
 * recomputing it.
 *
 * <p>Contiguous sequences (attribute 0x100): the batch's producer follows Kafka's idempotence
 * rules, written by the Kafka listener: within an epoch each batch must start right after the
 * previous one (32-bit sequences, wrapping to 0), and a new epoch starts at 0. Without it the
 * log's own rules apply, which allow gaps (see ProducerStateTable). The bit travels with the batch
 * so that every replica judges it the same way.
 */
public final class RecordBatch implements Iterable<Record>, StoredBatch {

    public static final byte MAGIC = 1;
    public static final int HEADER_SIZE = 69;
    /** Bytes needed to learn a batch's size and offsets: up to and including lastOffsetDelta. */
    public static final int OFFSETS_PREFIX = 27;
    public static final long NO_PRODUCER_ID = -1L;
    public static final long NO_SEQUENCE = -1L;
    /** Attribute bit: the producer follows Kafka's contiguous-sequence rules. */
    public static final short CONTIGUOUS_SEQUENCES = 0x100;

    static final int BASE_OFFSET = 0;
    static final int LENGTH = 8;
    static final int LEADER_EPOCH = 12;
    static final int MAGIC_POS = 16;
    static final int CRC = 17;
    static final int ATTRIBUTES = 21;
    static final int LAST_OFFSET_DELTA = 23;
    static final int FIRST_TIMESTAMP = 27;
    static final int MAX_TIMESTAMP = 35;
    static final int PRODUCER_ID = 43;
    static final int PRODUCER_EPOCH = 51;
    static final int BASE_SEQUENCE = 53;
    static final int LAST_SEQUENCE_DELTA = 61;
    static final int RECORD_COUNT = 65;

    private final ByteBuffer buffer; // big-endian, position 0 = start of batch, limit = end
    private final byte[] array;
    private final int start;

    private RecordBatch(byte[] array, int start, int size) {
        this.array = array;
        this.start = start;
        this.buffer = ByteBuffer.wrap(array, start, size).slice();
    }

    /** A view of the batch starting at {@code start}; the caller has checked the size. */
    public static RecordBatch view(byte[] array, int start, int size) {
        return new RecordBatch(array, start, size);
    }

    /** Total size of the batch whose first bytes are at {@code start}, from its length field. */
    public static int sizeAt(byte[] array, int start) {
        return 12 + ByteBuffer.wrap(array, start + LENGTH, 4).getInt();
    }

    @Override
    public int sizeInBytes() {
        return buffer.limit();
    }

    public long baseOffset() {
        return buffer.getLong(BASE_OFFSET);
    }

    public long lastOffset() {
        return baseOffset() + buffer.getInt(LAST_OFFSET_DELTA);
    }

    @Override
    public long nextOffset() {
        return lastOffset() + 1;
    }

    public int lastOffsetDelta() {
        return buffer.getInt(LAST_OFFSET_DELTA);
    }

    public int leaderEpoch() {
        return buffer.getInt(LEADER_EPOCH);
    }

    public byte magic() {
        return buffer.get(MAGIC_POS);
    }

    public long storedCrc() {
        return buffer.getInt(CRC) & 0xffffffffL;
    }

    public long firstTimestamp() {
        return buffer.getLong(FIRST_TIMESTAMP);
    }

    public long maxTimestamp() {
        return buffer.getLong(MAX_TIMESTAMP);
    }

    public long producerId() {
        return buffer.getLong(PRODUCER_ID);
    }

    public short producerEpoch() {
        return buffer.getShort(PRODUCER_EPOCH);
    }

    public long baseSequence() {
        return buffer.getLong(BASE_SEQUENCE);
    }

    /**
     * Sequence of the last record. The range {@code [baseSequence, lastSequence]} identifies the
     * batch to the producer table; it may be wider than the record count when the writer derives
     * sequences from source positions and skipped some.
     */
    public long lastSequence() {
        return baseSequence() + buffer.getInt(LAST_SEQUENCE_DELTA);
    }

    /** The producer follows Kafka's contiguous-sequence rules (attribute {@link #CONTIGUOUS_SEQUENCES}). */
    public boolean contiguousSequences() {
        return (buffer.getShort(ATTRIBUTES) & CONTIGUOUS_SEQUENCES) != 0;
    }

    public boolean hasProducerId() {
        return producerId() != NO_PRODUCER_ID;
    }

    @Override
    public int recordCount() {
        return buffer.getInt(RECORD_COUNT);
    }

    /** Stamps the offsets; outside the CRC, so the checksum stays valid. */
    public void setBaseOffset(long baseOffset) {
        buffer.putLong(BASE_OFFSET, baseOffset);
    }

    public void setLeaderEpoch(int epoch) {
        buffer.putInt(LEADER_EPOCH, epoch);
    }

    public long computeCrc() {
        CRC32C crc = new CRC32C();
        crc.update(array, start + ATTRIBUTES, sizeInBytes() - ATTRIBUTES);
        return crc.getValue();
    }

    /**
     * Checks magic, framing and checksum.
     *
     * @throws CorruptRecordException naming what is wrong
     */
    public void ensureValid() {
        if (sizeInBytes() < HEADER_SIZE) {
            throw new CorruptRecordException("batch of " + sizeInBytes() + " bytes is smaller than its header");
        }
        if (magic() != MAGIC) {
            throw new CorruptRecordException("unknown batch magic " + magic());
        }
        long computed = computeCrc();
        if (computed != storedCrc()) {
            throw new CorruptRecordException("batch at offset " + baseOffset() + " has CRC " + storedCrc()
                    + " but its bytes give " + computed);
        }
        if (recordCount() < 0 || lastOffsetDelta() < 0) {
            throw new CorruptRecordException("batch at offset " + baseOffset() + " has negative counts");
        }
    }

    /** A copy of this batch's bytes that the caller owns. */
    public byte[] copyBytes() {
        byte[] copy = new byte[sizeInBytes()];
        System.arraycopy(array, start, copy, 0, copy.length);
        return copy;
    }

    /** The batch's bytes as a read-only buffer positioned at 0, for writing to a channel. */
    public ByteBuffer toByteBuffer() {
        return buffer.duplicate().position(0).asReadOnlyBuffer();
    }

    public byte[] array() {
        return array;
    }

    public int start() {
        return start;
    }

    /**
     * Each record's timestamp in order, read without decoding keys, values or headers: what an
     * append answers, computed on every replica for every batch.
     */
    public long[] timestamps() {
        long[] out = new long[recordCount()];
        int[] cursor = {start + HEADER_SIZE};
        int end = start + sizeInBytes();
        long first = firstTimestamp();
        for (int i = 0; i < out.length; i++) {
            int length = Varint.readInt(array, cursor, end);
            int recordEnd = cursor[0] + length;
            if (length < 1 || recordEnd > end) {
                throw new CorruptRecordException("record length " + length + " runs past its batch");
            }
            cursor[0]++; // attributes
            out[i] = first + Varint.readLong(array, cursor, recordEnd);
            cursor[0] = recordEnd;
        }
        return out;
    }

    public List<Record> records() {
        List<Record> out = new ArrayList<>(recordCount());
        forEach(out::add);
        return out;
    }

    @Override
    public Iterator<Record> iterator() {
        return new Iterator<>() {
            private final int[] cursor = {start + HEADER_SIZE};
            private final int end = start + sizeInBytes();
            private final long base = baseOffset();
            private final long firstTs = firstTimestamp();
            private int remaining = recordCount();

            @Override
            public boolean hasNext() {
                return remaining > 0;
            }

            @Override
            public Record next() {
                if (remaining <= 0) {
                    throw new NoSuchElementException();
                }
                remaining--;
                return Record.decode(array, cursor, end, base, firstTs);
            }
        };
    }

    @Override
    public String toString() {
        return "RecordBatch[base=" + baseOffset() + ", last=" + lastOffset() + ", count=" + recordCount()
                + ", bytes=" + sizeInBytes() + "]";
    }
}
