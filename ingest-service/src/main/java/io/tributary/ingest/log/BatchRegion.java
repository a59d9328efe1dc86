package io.tributary.ingest.log;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A stored batch as a region of its segment file: the header ({@link RecordBatch#HEADER_SIZE}
 * bytes, read) and where its records lie (not read). For answers that send the records from the
 * file to a socket as they are stored, without copying them through the heap — the Kafka
 * listener's fetch, by {@code sendfile}.
 *
 * <p>The file channel is the segment's own. A segment removed by retention or compaction is closed
 * 30 s later ({@link PartitionLog}); a transfer after that fails (the channel is closed), and a
 * caller must treat that as a failed read. Batches below the high watermark are never
 * rewritten in place, so while the segment lives the bytes are those the header describes.
 */
public final class BatchRegion implements StoredBatch {

    private final FileChannel channel;
    private final long position;
    private final ByteBuffer header;

    BatchRegion(FileChannel channel, long position, ByteBuffer header) {
        this.channel = channel;
        this.position = position;
        this.header = header.asReadOnlyBuffer();
    }

    /** The stored header, {@link RecordBatch#HEADER_SIZE} bytes in the layout {@link RecordBatch} documents. */
    public ByteBuffer header() {
        return header.duplicate();
    }

    @Override
    public int sizeInBytes() {
        return 12 + header.getInt(RecordBatch.LENGTH);
    }

    public long baseOffset() {
        return header.getLong(RecordBatch.BASE_OFFSET);
    }

    @Override
    public long nextOffset() {
        return baseOffset() + header.getInt(RecordBatch.LAST_OFFSET_DELTA) + 1;
    }

    @Override
    public int recordCount() {
        return header.getInt(RecordBatch.RECORD_COUNT);
    }

    public long storedCrc() {
        return header.getInt(RecordBatch.CRC) & 0xffffffffL;
    }

    public long baseSequence() {
        return header.getLong(RecordBatch.BASE_SEQUENCE);
    }

    /** Bytes of the records, after the header. */
    public int recordsSize() {
        return sizeInBytes() - RecordBatch.HEADER_SIZE;
    }

    /** Where the records start in the segment file. */
    public long recordsPosition() {
        return position + RecordBatch.HEADER_SIZE;
    }

    /**
     * The segment's file, for sending the records from it ({@link #recordsPosition},
     * {@link #recordsSize}); only read, never closed, by the caller.
     */
    public FileChannel file() {
        return channel;
    }
}
