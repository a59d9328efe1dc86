package io.tributary.bench;

import java.util.Locale;
import java.util.Random;

/**
 * The raw events of WORKLOADS.md W3: W2's orders ({@code ts} epoch millis spread over the ten
 * minutes before {@code now}, each pushed back by 0-2 s; {@code user} u0..u99999 as the key;
 * one of 20 countries; {@code amount} 0.01..500.00) with an {@code email} field, and 2% made
 * malformed in three ways: no {@code ts}, a non-numeric {@code amount}, or invalid JSON sent as a
 * JSON string. Seeded, so every run produces the same events.
 */
final class W3Events {

    static final String[] COUNTRIES = {"DE", "FR", "US", "GB", "NL", "ES", "IT", "PL", "SE", "NO", "DK", "FI", "BE",
            "AT", "CH", "PT", "IE", "CZ", "JP", "BR"};
    private static final long SPREAD_MILLIS = 600_000;

    private final Random random;
    private final long now;
    private final int total;
    private int next;
    private int malformed;

    W3Events(long seed, long now, int total) {
        this.random = new Random(seed);
        this.now = now;
        this.total = total;
    }

    /** One event: its key and its value as JSON text. */
    record Event(String key, String json, boolean malformed) {
    }

    Event next() {
        int i = next++;
        String user = "u" + random.nextInt(100_000);
        long ts = now - SPREAD_MILLIS + SPREAD_MILLIS * i / Math.max(1, total) - random.nextInt(2_001);
        String country = COUNTRIES[random.nextInt(COUNTRIES.length)];
        long cents = 1 + random.nextInt(50_000);
        String amount = String.format(Locale.ROOT, "%d.%02d", cents / 100, cents % 100);
        String email = user + "@example" + random.nextInt(100) + ".com";
        int kind = random.nextInt(150); // 3 of 150 = 2% malformed
        return switch (kind) {
            case 0 -> bad(user, "{\"user\":\"" + user + "\",\"country\":\"" + country + "\",\"amount\":" + amount
                    + ",\"email\":\"" + email + "\"}");
            case 1 -> bad(user, "{\"ts\":" + ts + ",\"user\":\"" + user + "\",\"country\":\"" + country
                    + "\",\"amount\":\"n/a\",\"email\":\"" + email + "\"}");
            case 2 -> bad(user, "\"{\\\"ts\\\":" + ts + ",\\\"user\\\":\"");
            default -> new Event(user, "{\"ts\":" + ts + ",\"user\":\"" + user + "\",\"country\":\"" + country
                    + "\",\"amount\":" + amount + ",\"email\":\"" + email + "\"}", false);
        };
    }

    private Event bad(String key, String json) {
        malformed++;
        return new Event(key, json, true);
    }

    int malformed() {
        return malformed;
    }

    /** The W3 pipeline's steps: validate, filter, mask, cast, timestamp. */
    static String steps() {
        return """
                [{"type":"validate","schema":{"type":"object","required":["ts","user","amount","email"],
                   "properties":{"ts":{"type":"integer"},"user":{"type":"string"},"amount":{"type":"number"},
                                 "email":{"type":"string"}}}},
                 {"type":"filter","expression":"amount > 0"},
                 {"type":"mask","field":"/email","method":"hash"},
                 {"type":"cast","field":"/amount","to":"double"},
                 {"type":"timestamp","field":"/ts","format":"epoch-millis"}]""";
    }
}
