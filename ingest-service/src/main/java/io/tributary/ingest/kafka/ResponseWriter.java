package io.tributary.ingest.kafka;

import java.nio.ByteBuffer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tributary.ingest.log.RecordBatch;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.BaseRecords;
import org.apache.kafka.common.requests.ResponseHeader;

/**
 * Encodes an answer — a 4-byte size, the response header, the body, written by kafka-clients'
 * message classes — into one buffer of the connection's allocator (pooled, direct), which Netty
 * writes to the socket as it is. Fetched records are written there once, from the log's batches
 * ({@link StoredBatchesRecords}): no copy of them is made on the heap, where answers of megabytes
 * would be G1 humongous objects. Everything else is kafka-clients' own {@link ByteBufferAccessor}.
 */
final class ResponseWriter extends ByteBufferAccessor {

    private final ByteBuffer out;

    private ResponseWriter(ByteBuffer out) {
        super(out);
        this.out = out;
    }

    static ByteBuf encode(ByteBufAllocator alloc, ResponseHeader header, ApiMessage body, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int size = header.data().size(cache, header.headerVersion()) + body.size(cache, version);
        ByteBuf buf = alloc.directBuffer(4 + size, 4 + size);
        try {
            ByteBuffer out = buf.nioBuffer(0, 4 + size); // a view of buf's memory
            out.putInt(size);
            ResponseWriter writer = new ResponseWriter(out);
            header.data().write(writer, cache, header.headerVersion());
            body.write(writer, cache, version);
            if (out.position() != 4 + size) {
                throw new IllegalStateException("encoded " + out.position() + " bytes of " + (4 + size));
            }
            return buf.writerIndex(4 + size);
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    @Override
    public void writeRecords(BaseRecords records) {
        if (records instanceof StoredBatchesRecords stored) {
            for (RecordBatch batch : stored.batches()) {
                KafkaBatches.writeKafka(batch, out);
            }
        } else {
            super.writeRecords(records);
        }
    }
}
