package io.tributary.ingest.log;

import java.util.ArrayList;
import java.util.List;

/**
 * One decoded record. Key, value and header values are slices of the batch's bytes, so
 * decoding a fetch costs no copies of payloads; the JSON writer streams them straight out.
 */
public record Record(long offset, long timestamp, Bytes key, Bytes value, List<LogRecord.Header> headers) {

    static Record decode(byte[] buf, int[] cursor, int batchEnd, long baseOffset, long firstTimestamp) {
        int length = Varint.readInt(buf, cursor, batchEnd);
        int end = cursor[0] + length;
        if (length < 1 || end > batchEnd) {
            throw new CorruptRecordException("record length " + length + " runs past its batch");
        }
        cursor[0]++; // attributes
        long timestamp = firstTimestamp + Varint.readLong(buf, cursor, end);
        long offset = baseOffset + Varint.readInt(buf, cursor, end);
        Bytes key = readBytes(buf, cursor, end);
        Bytes value = readBytes(buf, cursor, end);
        int headerCount = Varint.readInt(buf, cursor, end);
        List<LogRecord.Header> headers;
        if (headerCount == 0) {
            headers = List.of();
        } else {
            if (headerCount < 0 || headerCount > length) {
                throw new CorruptRecordException("record has " + headerCount + " headers");
            }
            headers = new ArrayList<>(headerCount);
            for (int i = 0; i < headerCount; i++) {
                Bytes headerKey = readBytes(buf, cursor, end);
                if (headerKey == null) {
                    throw new CorruptRecordException("record header with a null key");
                }
                headers.add(new LogRecord.Header(headerKey.utf8(), readBytes(buf, cursor, end)));
            }
        }
        if (cursor[0] != end) {
            throw new CorruptRecordException("record framing is off by " + (end - cursor[0]) + " bytes");
        }
        return new Record(offset, timestamp, key, value, headers);
    }

    private static Bytes readBytes(byte[] buf, int[] cursor, int end) {
        int len = Varint.readInt(buf, cursor, end);
        if (len == -1) {
            return null;
        }
        if (len < -1) {
            throw new CorruptRecordException("negative field length " + len);
        }
        int pos = cursor[0];
        if (pos + len > end) {
            throw new CorruptRecordException("field of " + len + " bytes runs past its record");
        }
        cursor[0] = pos + len;
        return new Bytes(buf, pos, len);
    }
}
