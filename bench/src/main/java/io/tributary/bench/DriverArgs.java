package io.tributary.bench;

import java.net.http.HttpRequest;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Command line of the {@link LoadDriver}: {@code --name value} or {@code --name=value}.
 *
 * @param url             the ingest service root
 * @param topic           topic to produce to or fetch from
 * @param partitions      partitions when the driver creates the topic
 * @param replicationFactor replication factor when the driver creates the topic (1..cluster size)
 * @param records         records per measured run; for fetch, 0 = everything up to the high watermark
 * @param warmup          unrecorded records before the first run (produce: written, fetch: read)
 * @param recordBytes     bytes of each JSON value (the payload)
 * @param batch           records per produce request
 * @param clients         produce threads, each with its own HTTP/1.1 connection (fetch uses one per partition)
 * @param mode            produce, fetch or fixed-rate
 * @param rate            records per second in fixed-rate mode
 * @param runs            measured runs; each is printed, then the medians
 * @param acks            acks of the produce requests
 * @param fetchMaxBytes   maxBytes of each fetch request
 * @param fetchMaxRecords maxRecords of each fetch request
 * @param bodyPool        distinct pre-serialised request bodies that the produce requests cycle through
 * @param maxSeconds      a run stops issuing requests after this long (safety bound)
 * @param seed            seed of keys and values
 * @param serverPid       pid of the service, to report its CPU time per run (-1: not reported)
 * @param verify          fetch: parse every response fully and count real value bytes (costs driver CPU)
 * @param apiKey          sent as {@code X-Api-Key} on every request (to go through the gateway); empty = none
 * @param keys            produce records with W1's random keys, which spread each request over the partitions
 *                        (the default); false: keyless records, which the service puts in one partition per
 *                        request, the way Kafka's ProducerPerformance (keyless, sticky) sends its batches
 */
public record DriverArgs(
        String url,
        String topic,
        int partitions,
        int replicationFactor,
        long records,
        long warmup,
        int recordBytes,
        int batch,
        int clients,
        Mode mode,
        int rate,
        int runs,
        String acks,
        int fetchMaxBytes,
        int fetchMaxRecords,
        int bodyPool,
        int maxSeconds,
        long seed,
        long serverPid,
        boolean verify,
        String apiKey,
        boolean keys) {

    public enum Mode {
        PRODUCE, FETCH, FIXED_RATE;

        static Mode parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "produce" -> PRODUCE;
                case "fetch" -> FETCH;
                case "fixed-rate", "fixedrate", "fixed_rate" -> FIXED_RATE;
                default -> throw new IllegalArgumentException("--mode must be produce, fetch or fixed-rate, was " + s);
            };
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    static final Map<String, String> DEFAULTS;

    static {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("url", "http://127.0.0.1:8081");
        d.put("topic", "bench-w1");
        d.put("partitions", "3");
        d.put("replication-factor", "1");
        d.put("records", "2000000");
        d.put("warmup", "1000000");
        d.put("record-bytes", "100");
        d.put("batch", "1000");
        d.put("clients", "4");
        d.put("mode", "produce");
        d.put("rate", "20000");
        d.put("runs", "1");
        d.put("acks", "all");
        d.put("fetch-max-bytes", String.valueOf(4 << 20));
        d.put("fetch-max-records", "100000");
        d.put("body-pool", "32");
        d.put("max-seconds", "900");
        d.put("seed", "42");
        d.put("server-pid", "-1");
        d.put("verify", "false");
        d.put("api-key", "");
        d.put("keys", "true");
        DEFAULTS = Map.copyOf(d);
    }

    /** Adds the API key header, when one is set, to a request under construction. */
    public HttpRequest.Builder authorize(HttpRequest.Builder request) {
        return apiKey.isEmpty() ? request : request.header("X-Api-Key", apiKey);
    }

    public static String usage() {
        StringBuilder sb = new StringBuilder("usage: LoadDriver [--option value ...]\noptions and defaults:\n");
        for (String k : new String[] {"url", "topic", "partitions", "replication-factor", "records", "warmup",
                "record-bytes", "batch",
                "clients", "mode", "rate", "runs", "acks", "fetch-max-bytes", "fetch-max-records", "body-pool",
                "max-seconds", "seed", "server-pid", "verify", "api-key", "keys"}) {
            sb.append(String.format("  --%-18s %s%n", k, DEFAULTS.get(k)));
        }
        sb.append("modes: produce | fetch | fixed-rate\n");
        return sb.toString();
    }

    /** @throws IllegalArgumentException naming the bad or unknown option */
    public static DriverArgs parse(String... argv) {
        Map<String, String> v = new LinkedHashMap<>(DEFAULTS);
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("expected an option starting with --, got '" + a + "'");
            }
            String name;
            String value;
            int eq = a.indexOf('=');
            if (eq > 0) {
                name = a.substring(2, eq);
                value = a.substring(eq + 1);
            } else {
                name = a.substring(2);
                if (name.equals("verify")) {
                    value = "true";
                } else {
                    if (i + 1 >= argv.length) {
                        throw new IllegalArgumentException("--" + name + " needs a value");
                    }
                    value = argv[++i];
                }
            }
            if (!DEFAULTS.containsKey(name)) {
                throw new IllegalArgumentException("unknown option --" + name);
            }
            v.put(name, value);
        }
        Mode mode = Mode.parse(v.get("mode"));
        DriverArgs args = new DriverArgs(
                v.get("url").replaceAll("/+$", ""),
                v.get("topic"),
                intOf(v, "partitions", 1),
                intOf(v, "replication-factor", 1),
                longOf(v, "records", mode == Mode.FETCH ? 0 : 1),
                longOf(v, "warmup", 0),
                intOf(v, "record-bytes", Payloads.VALUE_OVERHEAD),
                intOf(v, "batch", 1),
                intOf(v, "clients", 1),
                mode,
                intOf(v, "rate", 1),
                intOf(v, "runs", 1),
                v.get("acks"),
                intOf(v, "fetch-max-bytes", 1),
                intOf(v, "fetch-max-records", 1),
                intOf(v, "body-pool", 1),
                intOf(v, "max-seconds", 1),
                longOf(v, "seed", Long.MIN_VALUE),
                longOf(v, "server-pid", -1),
                booleanOf(v, "verify"),
                v.get("api-key"),
                booleanOf(v, "keys"));
        if (args.topic().isBlank()) {
            throw new IllegalArgumentException("--topic must not be empty");
        }
        return args;
    }

    /** Produce requests of one run: whole batches, rounding up. */
    public long requestsFor(long recordCount) {
        return (recordCount + batch - 1) / batch;
    }

    /** Nanoseconds between the intended send times of consecutive requests in fixed-rate mode. */
    public long intervalNanos() {
        return Math.round(batch * 1e9 / rate);
    }

    private static boolean booleanOf(Map<String, String> v, String name) {
        return switch (v.get(name).toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("--" + name + " must be true or false, was '" + v.get(name) + "'");
        };
    }

    private static int intOf(Map<String, String> v, String name, int min) {
        long x = longOf(v, name, min);
        if (x > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--" + name + " is too large: " + x);
        }
        return (int) x;
    }

    private static long longOf(Map<String, String> v, String name, long min) {
        String raw = v.get(name).replace("_", "").replace(",", "");
        long x;
        try {
            x = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, was '" + v.get(name) + "'");
        }
        if (x < min) {
            throw new IllegalArgumentException("--" + name + " must be at least " + min + ", was " + x);
        }
        return x;
    }
}
