package io.tributary.ingest.kafka;

import java.nio.ByteBuffer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tributary.ingest.log.RecordBatch;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.protocol.Writable;
import org.apache.kafka.common.record.BaseRecords;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.requests.ResponseHeader;

/**
 * Encodes an answer — a 4-byte size, the response header, the body, as kafka-clients' message
 * classes write them — into one buffer of the connection's allocator (pooled, direct), which Netty
 * writes to the socket as it is. Fetched records are written there once, from the log's batches
 * ({@link StoredBatchesRecords}): no copy of them is made on the heap, where answers of megabytes
 * would be G1 humongous objects.
 */
final class ResponseWriter implements Writable {

    private final ByteBuf out;

    private ResponseWriter(ByteBuf out) {
        this.out = out;
    }

    static ByteBuf encode(ByteBufAllocator alloc, ResponseHeader header, ApiMessage body, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int size = header.data().size(cache, header.headerVersion()) + body.size(cache, version);
        ByteBuf out = alloc.directBuffer(4 + size, 4 + size);
        try {
            out.writeInt(size);
            ResponseWriter writer = new ResponseWriter(out);
            header.data().write(writer, cache, header.headerVersion());
            body.write(writer, cache, version);
            if (out.readableBytes() != 4 + size) {
                throw new IllegalStateException("encoded " + out.readableBytes() + " bytes of " + (4 + size));
            }
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    @Override
    public void writeRecords(BaseRecords records) {
        if (records instanceof StoredBatchesRecords stored) {
            for (RecordBatch batch : stored.batches()) {
                int size = KafkaBatches.kafkaSize(batch);
                int at = out.writerIndex();
                KafkaBatches.writeKafka(batch, out.nioBuffer(at, size));
                out.writerIndex(at + size);
            }
        } else if (records instanceof MemoryRecords memory) {
            out.writeBytes(memory.buffer().duplicate());
        } else {
            throw new UnsupportedOperationException("records of type " + records.getClass().getName());
        }
    }

    @Override
    public void writeByte(byte val) {
        out.writeByte(val);
    }

    @Override
    public void writeShort(short val) {
        out.writeShort(val);
    }

    @Override
    public void writeInt(int val) {
        out.writeInt(val);
    }

    @Override
    public void writeLong(long val) {
        out.writeLong(val);
    }

    @Override
    public void writeDouble(double val) {
        out.writeDouble(val);
    }

    @Override
    public void writeByteArray(byte[] arr) {
        out.writeBytes(arr);
    }

    @Override
    public void writeByteBuffer(ByteBuffer buf) {
        out.writeBytes(buf.duplicate());
    }

    // Varints as the protocol defines them: 7 bits per byte, low first, the high bit set on all but the last;
    // signed ones zig-zag encoded first.

    @Override
    public void writeUnsignedVarint(int i) {
        while ((i & ~0x7f) != 0) {
            out.writeByte((i & 0x7f) | 0x80);
            i >>>= 7;
        }
        out.writeByte(i);
    }

    @Override
    public void writeVarint(int i) {
        writeUnsignedVarint((i << 1) ^ (i >> 31));
    }

    @Override
    public void writeVarlong(long i) {
        long v = (i << 1) ^ (i >> 63);
        while ((v & ~0x7fL) != 0) {
            out.writeByte(((int) v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.writeByte((int) v);
    }
}
