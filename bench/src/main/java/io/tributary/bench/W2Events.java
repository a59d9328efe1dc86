package io.tributary.bench;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * WORKLOADS.md W2's events: {@code {"ts","user","country","amount"}}, keyed by {@code user}; event
 * times spread evenly over the 10 minutes before {@code endMillis}, each pushed back by a random
 * 0-2 s. Seeded, so every run produces the same events.
 */
final class W2Events {

    static final List<String> COUNTRIES = List.of("DE", "FR", "US", "GB", "NL", "ES", "IT", "PL", "SE", "NO", "DK",
            "FI", "BE", "AT", "CH", "PT", "IE", "CZ", "JP", "BR");
    static final long SPAN_MS = 10 * 60_000L;

    /** One event: the record key and its JSON value. */
    record Event(String key, String json) {
    }

    private final SplittableRandom random;
    private final long count;
    private final long startMillis;
    private long index;

    W2Events(long count, long endMillis, long seed) {
        this.random = new SplittableRandom(seed);
        this.count = count;
        this.startMillis = endMillis - SPAN_MS;
    }

    boolean hasNext() {
        return index < count;
    }

    Event next() {
        long ts = startMillis + index * SPAN_MS / count - random.nextInt(2_001);
        index++;
        String user = "u" + random.nextInt(100_000);
        String country = COUNTRIES.get(random.nextInt(COUNTRIES.size()));
        int cents = 1 + random.nextInt(50_000);
        return new Event(user, json(ts, user, country, cents));
    }

    static String json(long ts, String user, String country, int cents) {
        return String.format(Locale.ROOT, "{\"ts\":%d,\"user\":\"%s\",\"country\":\"%s\",\"amount\":%d.%02d}",
                ts, user, country, cents / 100, cents % 100);
    }

    /** The W2 analytics job: 10 s watermark, 1-minute tumbling windows by country, update output. */
    /** The W2 job on an engine: {@code builtin} or {@code spark}. */
    static String job(String name, String source, String trigger, String engine) {
        return """
                {"name":"%s","engine":"%s","source":"%s","startingOffsets":"earliest","eventTime":"/ts","watermark":"PT10S",
                 "window":{"type":"tumbling","size":"PT1M"},"groupBy":["/country"],"outputMode":"update",
                 "trigger":%s,
                 "aggregations":[{"name":"n","function":"count"},{"name":"amount","function":"sum","field":"/amount"},
                                 {"name":"avg_amount","function":"avg","field":"/amount"},
                                 {"name":"users","function":"approx_distinct","field":"/user"}]}
                """.formatted(name, engine, source, trigger);
    }
}
