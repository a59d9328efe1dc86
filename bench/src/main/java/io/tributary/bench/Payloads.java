package io.tributary.bench;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Record contents shared by the JMH benchmarks and the load driver, as WORKLOADS.md W1 asks:
 * keys {@code k<random int>} and JSON values of an exact byte size.
 */
public final class Payloads {

    /** {@code {"v":""}}: the JSON around the filler characters. */
    static final int VALUE_OVERHEAD = 8;
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private Payloads() {
    }

    /** A JSON object of exactly {@code bytes} UTF-8 bytes: {@code {"v":"<random [a-z0-9]>"}}. */
    public static String jsonValue(int bytes, Random random) {
        if (bytes < VALUE_OVERHEAD) {
            throw new IllegalArgumentException("a JSON value needs at least " + VALUE_OVERHEAD + " bytes, asked for " + bytes);
        }
        StringBuilder sb = new StringBuilder(bytes);
        sb.append("{\"v\":\"");
        for (int i = 0; i < bytes - VALUE_OVERHEAD; i++) {
            sb.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        }
        sb.append("\"}");
        return sb.toString();
    }

    /** {@code k<random int>}, the W1 key. */
    public static String key(Random random) {
        return "k" + random.nextInt();
    }

    static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
