package io.tributary.ingest.log;

/**
 * Zig-zag variable-length integers, as in protobuf and Kafka's record format: small magnitudes,
 * positive or negative, take one byte. Used for every per-record field so a 100-byte record
 * carries only a few bytes of framing.
 */
final class Varint {

    private Varint() {
    }

    static int sizeOfInt(int value) {
        int v = (value << 1) ^ (value >> 31);
        int bytes = 1;
        while ((v & 0xffffff80) != 0) {
            bytes++;
            v >>>= 7;
        }
        return bytes;
    }

    static int sizeOfLong(long value) {
        long v = (value << 1) ^ (value >> 63);
        int bytes = 1;
        while ((v & 0xffffffffffffff80L) != 0) {
            bytes++;
            v >>>= 7;
        }
        return bytes;
    }

    static int writeInt(int value, byte[] out, int pos) {
        int v = (value << 1) ^ (value >> 31);
        while ((v & 0xffffff80) != 0) {
            out[pos++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out[pos++] = (byte) v;
        return pos;
    }

    static int writeLong(long value, byte[] out, int pos) {
        long v = (value << 1) ^ (value >> 63);
        while ((v & 0xffffffffffffff80L) != 0) {
            out[pos++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out[pos++] = (byte) v;
        return pos;
    }

    /**
     * Reads a varint at {@code cursor[0]} in {@code in} (bounded by {@code limit}) and advances the cursor.
     *
     * @throws CorruptRecordException if the varint runs past the limit or is longer than 5 bytes
     */
    static int readInt(byte[] in, int[] cursor, int limit) {
        int pos = cursor[0];
        int raw = 0;
        int shift = 0;
        while (true) {
            if (pos >= limit) {
                throw new CorruptRecordException("varint runs past the end of the record");
            }
            byte b = in[pos++];
            raw |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
            shift += 7;
            if (shift > 28) {
                throw new CorruptRecordException("varint longer than 5 bytes");
            }
        }
        cursor[0] = pos;
        return (raw >>> 1) ^ -(raw & 1);
    }

    static long readLong(byte[] in, int[] cursor, int limit) {
        int pos = cursor[0];
        long raw = 0;
        int shift = 0;
        while (true) {
            if (pos >= limit) {
                throw new CorruptRecordException("varlong runs past the end of the record");
            }
            byte b = in[pos++];
            raw |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
            shift += 7;
            if (shift > 63) {
                throw new CorruptRecordException("varlong longer than 10 bytes");
            }
        }
        cursor[0] = pos;
        return (raw >>> 1) ^ -(raw & 1);
    }
}
