package io.tributary.ingest.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;

import org.junit.jupiter.api.Test;

class VarintTest {

    private static final int[] INT_EDGES = {0, 1, -1, 63, -64, 64, -65, 127, 128, -128, 8191, 8192, -8193,
            1 << 20, -(1 << 20), Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE - 1, Integer.MIN_VALUE + 1};

    private static final long[] LONG_EDGES = {0, 1, -1, 63, -64, 64, 127, 128, Integer.MAX_VALUE, Integer.MIN_VALUE,
            1L << 35, -(1L << 35), 1L << 56, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE + 1};

    @Test
    void shouldRoundTripEdgeInts() {
        for (int v : INT_EDGES) {
            assertIntRoundTrip(v);
        }
    }

    @Test
    void shouldRoundTripEdgeLongs() {
        for (long v : LONG_EDGES) {
            assertLongRoundTrip(v);
        }
    }

    @Test
    void shouldRoundTripRandomValues() {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            assertIntRoundTrip(random.nextInt() >> random.nextInt(32));
            assertLongRoundTrip(random.nextLong() >> random.nextInt(64));
        }
    }

    @Test
    void shouldEncodeSmallMagnitudesInOneByte() {
        assertThat(Varint.sizeOfInt(0)).isEqualTo(1);
        assertThat(Varint.sizeOfInt(-64)).isEqualTo(1);
        assertThat(Varint.sizeOfInt(63)).isEqualTo(1);
        assertThat(Varint.sizeOfInt(64)).isEqualTo(2);
        assertThat(Varint.sizeOfInt(Integer.MIN_VALUE)).isEqualTo(5);
        assertThat(Varint.sizeOfLong(Long.MIN_VALUE)).isEqualTo(10);
    }

    @Test
    void shouldRejectVarintRunningPastTheLimit() {
        byte[] buf = new byte[8];
        int end = Varint.writeInt(300, buf, 0);
        assertThatThrownBy(() -> Varint.readInt(buf, new int[] {0}, end - 1))
                .isInstanceOf(CorruptRecordException.class);
        assertThatThrownBy(() -> Varint.readLong(buf, new int[] {0}, end - 1))
                .isInstanceOf(CorruptRecordException.class);
    }

    @Test
    void shouldRejectOverlongVarint() {
        byte[] buf = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01};
        assertThatThrownBy(() -> Varint.readInt(buf, new int[] {0}, buf.length))
                .isInstanceOf(CorruptRecordException.class);
        byte[] longBuf = new byte[12];
        java.util.Arrays.fill(longBuf, (byte) 0x80);
        assertThatThrownBy(() -> Varint.readLong(longBuf, new int[] {0}, longBuf.length))
                .isInstanceOf(CorruptRecordException.class);
    }

    private static void assertIntRoundTrip(int v) {
        byte[] buf = new byte[7];
        int end = Varint.writeInt(v, buf, 1);
        assertThat(end - 1).as("size of %d", v).isEqualTo(Varint.sizeOfInt(v));
        int[] cursor = {1};
        assertThat(Varint.readInt(buf, cursor, end)).isEqualTo(v);
        assertThat(cursor[0]).isEqualTo(end);
    }

    private static void assertLongRoundTrip(long v) {
        byte[] buf = new byte[12];
        int end = Varint.writeLong(v, buf, 1);
        assertThat(end - 1).as("size of %d", v).isEqualTo(Varint.sizeOfLong(v));
        int[] cursor = {1};
        assertThat(Varint.readLong(buf, cursor, end)).isEqualTo(v);
        assertThat(cursor[0]).isEqualTo(end);
    }
}
