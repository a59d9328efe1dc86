package io.tributary.ingest.kafka;

/**
 * CRC32C arithmetic that changes a batch's checksum for a new header without reading its records.
 *
 * <p>For a CRC with the same initial and final XOR value (CRC32C uses 0xFFFFFFFF for both), the CRC
 * of a concatenation is {@code crc(a || b) = shift(crc(a), |b|) ^ crc(b)}, where {@code shift(c, n)}
 * multiplies {@code c} by {@code x^(8n)} modulo the CRC polynomial. So for two prefixes {@code a1}
 * and {@code a2} before the same bytes {@code b}:
 * <pre>
 *   crc(a2 || b) = crc(a1 || b) ^ shift(crc(a1) ^ crc(a2), |b|)
 * </pre>
 * which needs {@code crc(a1 || b)} (stored with the batch) and the two short prefixes only.
 *
 * <p>Values are in the reflected bit order {@link java.util.zip.CRC32C} returns: bit 31 is the
 * coefficient of {@code x^0}, bit 0 that of {@code x^31}.
 */
final class Crc32cShift {

    /** The CRC32C (Castagnoli) polynomial, reflected, without its x^32 term. */
    private static final int POLY = 0x82F63B78;
    private static final int ONE = 0x80000000;
    /** X_POW_2K[k] = x^(2^k) mod P; up to 2^40, enough for x^(8n) with any int n. */
    private static final int[] X_POW_2K = new int[41];
    /**
     * x^(8n) for n below 2^24 bytes (a batch is at most 16 MiB) as the product of two table entries,
     * {@code POW_LOW[n mod 4096] * POW_HIGH[n / 4096]}: one multiplication per shift instead of one
     * per set bit of 8n — the shift runs once for every batch a Kafka fetch sends. 32 KiB of tables.
     */
    private static final int TABLE_BITS = 12;
    private static final int[] POW_LOW = new int[1 << TABLE_BITS];
    private static final int[] POW_HIGH = new int[1 << TABLE_BITS];

    static {
        X_POW_2K[0] = ONE >>> 1; // x^1
        for (int k = 1; k < X_POW_2K.length; k++) {
            X_POW_2K[k] = multiply(X_POW_2K[k - 1], X_POW_2K[k - 1]);
        }
        int xPow8 = X_POW_2K[3];
        POW_LOW[0] = ONE;
        for (int i = 1; i < POW_LOW.length; i++) {
            POW_LOW[i] = multiply(POW_LOW[i - 1], xPow8);
        }
        int step = multiply(POW_LOW[POW_LOW.length - 1], xPow8); // x^(8 * 4096)
        POW_HIGH[0] = ONE;
        for (int j = 1; j < POW_HIGH.length; j++) {
            POW_HIGH[j] = multiply(POW_HIGH[j - 1], step);
        }
    }

    private Crc32cShift() {
    }

    /** {@code crc(a2 || b)} from {@code crc(a1 || b)}, {@code crc(a1)}, {@code crc(a2)} and {@code |b|} in bytes. */
    static long replacePrefix(long crcWhole, long crcOldPrefix, long crcNewPrefix, long suffixBytes) {
        return (crcWhole ^ shift(crcOldPrefix ^ crcNewPrefix, suffixBytes)) & 0xffffffffL;
    }

    /** {@code crc * x^(8 * bytes) mod P}: the CRC register after {@code bytes} zero bytes, without init/final XOR. */
    static long shift(long crc, long bytes) {
        return multiply((int) crc, power(bytes)) & 0xffffffffL;
    }

    /** x^(8 * bytes) mod P. */
    static int power(long bytes) {
        if (bytes >= 0 && bytes < 1L << (2 * TABLE_BITS)) {
            int n = (int) bytes;
            return multiply(POW_LOW[n & (POW_LOW.length - 1)], POW_HIGH[n >>> TABLE_BITS]);
        }
        return powerBySquares(bytes);
    }

    /** x^(8 * bytes) mod P from the squares x^(2^k), one multiplication per set bit of 8 * bytes. */
    static int powerBySquares(long bytes) {
        long exponent = 8 * bytes;
        int power = ONE;
        for (int k = 0; exponent != 0; k++, exponent >>>= 1) {
            if ((exponent & 1) != 0) {
                power = multiply(power, X_POW_2K[k]);
            }
        }
        return power;
    }

    /** {@code a * b mod P}, both reflected. */
    static int multiply(int a, int b) {
        int product = 0;
        // Walk a's coefficients from x^0 (bit 31) up; b is multiplied by x at each step.
        for (int m = ONE; a != 0 && m != 0; m >>>= 1) {
            if ((a & m) != 0) {
                product ^= b;
                a ^= m;
            }
            b = (b & 1) != 0 ? (b >>> 1) ^ POLY : b >>> 1;
        }
        return product;
    }
}
