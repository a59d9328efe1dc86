package io.tributary.ingest.kafka;

import java.util.Random;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The prefix replacement against CRC32C computed over the whole bytes, for many lengths. */
class Crc32cShiftTest {

    @Test
    void replacingAPrefixGivesTheCrcOfTheNewBytes() {
        Random random = new Random(12);
        int[] suffixLengths = {0, 1, 3, 7, 8, 61, 1024, 4093, 65_536, 1 << 20};
        for (int suffixLength : suffixLengths) {
            for (int round = 0; round < 5; round++) {
                byte[] oldPrefix = bytes(random, 1 + random.nextInt(64));
                byte[] newPrefix = bytes(random, 1 + random.nextInt(64));
                byte[] suffix = bytes(random, suffixLength);
                long derived = Crc32cShift.replacePrefix(crc(oldPrefix, suffix), crc(oldPrefix), crc(newPrefix),
                        suffix.length);
                assertThat(derived).as("suffix of %d bytes", suffixLength).isEqualTo(crc(newPrefix, suffix));
            }
        }
    }

    @Test
    void concatenationIsTheShiftedFirstCrcXorTheSecond() {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            byte[] a = bytes(random, random.nextInt(100));
            byte[] b = bytes(random, random.nextInt(3000));
            assertThat(Crc32cShift.shift(crc(a), b.length) ^ crc(b)).isEqualTo(crc(a, b));
        }
    }

    @Test
    void theTablesGiveThePowersTheSquaresGive() {
        Random random = new Random(9);
        long[] edges = {0, 1, 4095, 4096, 4097, (1 << 24) - 1, 1 << 24, (1 << 24) + 1, Integer.MAX_VALUE};
        for (long n : edges) {
            assertThat(Crc32cShift.power(n)).as("%d bytes", n).isEqualTo(Crc32cShift.powerBySquares(n));
        }
        for (int round = 0; round < 2000; round++) {
            long n = random.nextInt(1 << 25);
            assertThat(Crc32cShift.power(n)).as("%d bytes", n).isEqualTo(Crc32cShift.powerBySquares(n));
        }
        // and x^8 itself: shifting by one byte is eight single-bit shifts of the register
        int xPow8 = 0x80000000;
        for (int bit = 0; bit < 8; bit++) {
            xPow8 = Crc32cShift.multiply(xPow8, 0x40000000);
        }
        assertThat(Crc32cShift.power(1)).isEqualTo(xPow8);
    }

    @Test
    void multiplyingByOneOrShiftingByNothingChangesNothing() {
        Random random = new Random(3);
        for (int round = 0; round < 100; round++) {
            int v = random.nextInt();
            assertThat(Crc32cShift.multiply(v, 0x80000000)).isEqualTo(v);
            assertThat(Crc32cShift.multiply(0x80000000, v)).isEqualTo(v);
            assertThat(Crc32cShift.shift(v & 0xffffffffL, 0)).isEqualTo(v & 0xffffffffL);
        }
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static long crc(byte[]... parts) {
        CRC32C crc = new CRC32C();
        for (byte[] p : parts) {
            crc.update(p);
        }
        return crc.getValue();
    }
}
