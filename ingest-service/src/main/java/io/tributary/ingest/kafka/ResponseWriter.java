package io.tributary.ingest.kafka;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ReferenceCounted;
import io.tributary.ingest.log.BatchRegion;
import io.tributary.ingest.log.RecordBatch;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.BaseRecords;
import org.apache.kafka.common.requests.ResponseHeader;

/**
 * Encodes an answer — a 4-byte size, the response header, the body, written by kafka-clients'
 * message classes ({@link ByteBufferAccessor}) — into one buffer of the connection's allocator.
 *
 * <p>A Fetch answer's records are not in that buffer: where the message writes a partition's
 * {@link StoredBatchesRecords}, each batch's Kafka header goes into the buffer and its records are
 * sent from the segment file ({@link BatchFileRegion}), so the answer is the buffer cut into slices
 * with file regions between them; a follower's {@link StoredLogRecords} go from the files whole.
 * The records are never copied through the heap or user space.
 */
final class ResponseWriter extends ByteBufferAccessor {

    private final ByteBuffer out;
    private final ByteBuf buf;
    private final List<ReferenceCounted> parts = new ArrayList<>();
    /** Where the buffer's next slice starts. */
    private int cut;

    private ResponseWriter(ByteBuffer out, ByteBuf buf) {
        super(out);
        this.out = out;
        this.buf = buf;
    }

    static EncodedAnswer encode(ByteBufAllocator alloc, ResponseHeader header, ApiMessage body, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int size = header.data().size(cache, header.headerVersion()) + body.size(cache, version);
        int inBuffer = Math.toIntExact(4 + size - fileBytes(body));
        ByteBuf buf = alloc.directBuffer(inBuffer, inBuffer);
        ResponseWriter writer = null;
        try {
            ByteBuffer out = buf.nioBuffer(0, inBuffer); // a view of buf's memory
            out.putInt(size);
            writer = new ResponseWriter(out, buf);
            header.data().write(writer, cache, header.headerVersion());
            body.write(writer, cache, version);
            if (out.position() != inBuffer) {
                throw new IllegalStateException("encoded " + out.position() + " bytes of " + inBuffer);
            }
            writer.endSlice();
            return new EncodedAnswer(writer.parts);
        } catch (RuntimeException e) {
            if (writer != null) {
                new EncodedAnswer(writer.parts).release();
            }
            throw e;
        } finally {
            buf.release(); // the slices hold their own references
        }
    }

    /** Bytes of a Fetch answer's records that are sent from the segment files. */
    private static long fileBytes(ApiMessage body) {
        long n = 0;
        if (body instanceof FetchResponseData fetch) {
            for (FetchResponseData.FetchableTopicResponse t : fetch.responses()) {
                for (FetchResponseData.PartitionData p : t.partitions()) {
                    if (p.records() instanceof StoredBatchesRecords stored) {
                        n += stored.fileBytes();
                    } else if (p.records() instanceof StoredLogRecords whole) {
                        n += whole.sizeInBytes();
                    }
                }
            }
        }
        return n;
    }

    @Override
    public void writeRecords(BaseRecords records) {
        if (records instanceof StoredBatchesRecords stored) {
            for (BatchRegion batch : stored.batches()) {
                KafkaBatches.writeKafkaHeader(batch, out);
                endSlice();
                parts.add(new BatchFileRegion(batch));
            }
        } else if (records instanceof StoredLogRecords whole) {
            endSlice();
            writeRuns(whole.batches());
        } else {
            super.writeRecords(records);
        }
    }

    /** Batches lying back to back in one file go as one region of it. */
    private void writeRuns(List<BatchRegion> batches) {
        int i = 0;
        while (i < batches.size()) {
            BatchRegion first = batches.get(i);
            long start = first.recordsPosition() - RecordBatch.HEADER_SIZE;
            long end = start + first.sizeInBytes();
            int j = i + 1;
            while (j < batches.size() && batches.get(j).file() == first.file()
                    && batches.get(j).recordsPosition() - RecordBatch.HEADER_SIZE == end) {
                end += batches.get(j).sizeInBytes();
                j++;
            }
            parts.add(new BatchFileRegion(first.file(), start, end - start));
            i = j;
        }
    }

    /** Ends the current slice of the buffer at what has been written. */
    private void endSlice() {
        int end = out.position();
        if (end > cut) {
            parts.add(buf.retainedSlice(cut, end - cut));
            cut = end;
        }
    }
}
