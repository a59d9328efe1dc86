package io.tributary.ingest.log;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A read-only window onto a byte array. Produce requests keep record values as slices of the
 * request body, so a value travels from the HTTP body to the batch on disk with one copy.
 */
public record Bytes(byte[] array, int offset, int length) {

    public static final Bytes EMPTY = new Bytes(new byte[0], 0, 0);

    public Bytes {
        if (offset < 0 || length < 0 || offset + length > array.length) {
            throw new IllegalArgumentException("slice [" + offset + ", " + (offset + length) + ") outside array of " + array.length);
        }
    }

    public static Bytes of(byte[] array) {
        return new Bytes(array, 0, array.length);
    }

    public static Bytes utf8(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    public byte[] toArray() {
        return Arrays.copyOfRange(array, offset, offset + length);
    }

    public String utf8() {
        return new String(array, offset, length, StandardCharsets.UTF_8);
    }

    public boolean contentEquals(Bytes other) {
        return Arrays.equals(array, offset, offset + length, other.array, other.offset, other.offset + other.length);
    }

    public int contentHash() {
        int h = 1;
        for (int i = offset; i < offset + length; i++) {
            h = 31 * h + array[i];
        }
        return h;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes other && contentEquals(other);
    }

    @Override
    public int hashCode() {
        return contentHash();
    }

    @Override
    public String toString() {
        return "Bytes[" + length + "]";
    }
}
