package io.tributary.ingest.api;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.tributary.ingest.log.Bytes;

/**
 * A growable byte buffer that writes JSON tokens directly as UTF-8. Record values are already
 * JSON and are copied in raw; keys and headers are escaped byte by byte (multi-byte UTF-8
 * sequences pass through untouched, as JSON allows).
 */
final class JsonBytes {

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private byte[] buf;
    private int len;

    JsonBytes(int initialCapacity) {
        buf = new byte[Math.max(64, initialCapacity)];
    }

    JsonBytes raw(char c) {
        ensure(1);
        buf[len++] = (byte) c;
        return this;
    }

    /** Pre-encoded bytes written as is (field names and punctuation encoded once, up front). */
    JsonBytes raw(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += bytes.length;
        return this;
    }

    /** ASCII text written as is (field names, punctuation). */
    JsonBytes raw(String ascii) {
        int n = ascii.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[len++] = (byte) ascii.charAt(i);
        }
        return this;
    }

    JsonBytes raw(Bytes bytes) {
        ensure(bytes.length());
        System.arraycopy(bytes.array(), bytes.offset(), buf, len, bytes.length());
        len += bytes.length();
        return this;
    }

    /** A decimal number, digits written straight into the buffer (no intermediate String). */
    JsonBytes number(long value) {
        if (value == Long.MIN_VALUE) {
            return raw(Long.toString(value));
        }
        ensure(20);
        if (value < 0) {
            buf[len++] = '-';
            value = -value;
        }
        int digits = 1;
        for (long v = value; v >= 10; v /= 10) {
            digits++;
        }
        int pos = len + digits;
        do {
            buf[--pos] = (byte) ('0' + (value % 10));
            value /= 10;
        } while (value != 0);
        len += digits;
        return this;
    }

    /** A JSON string from UTF-8 bytes, or {@code null}. */
    JsonBytes string(Bytes utf8) {
        if (utf8 == null) {
            return raw("null");
        }
        ensure(utf8.length() + 2);
        buf[len++] = '"';
        byte[] a = utf8.array();
        if (!needsEscaping(a, utf8.offset(), utf8.length())) {
            System.arraycopy(a, utf8.offset(), buf, len, utf8.length());
            len += utf8.length();
            buf[len++] = '"';
            return this;
        }
        for (int i = utf8.offset(), end = utf8.offset() + utf8.length(); i < end; i++) {
            byte b = a[i];
            if (b == '"' || b == '\\') {
                ensure(2 + (end - i));
                buf[len++] = '\\';
                buf[len++] = b;
            } else if (b >= 0 && b < 0x20) {
                ensure(6 + (end - i));
                buf[len++] = '\\';
                buf[len++] = 'u';
                buf[len++] = '0';
                buf[len++] = '0';
                buf[len++] = HEX[b >> 4];
                buf[len++] = HEX[b & 0xf];
            } else {
                buf[len++] = b;
            }
        }
        ensure(1);
        buf[len++] = '"';
        return this;
    }

    private static boolean needsEscaping(byte[] a, int from, int length) {
        for (int i = from, end = from + length; i < end; i++) {
            byte b = a[i];
            if (b == '"' || b == '\\' || (b >= 0 && b < 0x20)) {
                return true;
            }
        }
        return false;
    }

    JsonBytes string(String text) {
        return string(text == null ? null : Bytes.utf8(text));
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
        }
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }
}
