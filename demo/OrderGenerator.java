import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Produces realistic order events to {@code raw.orders} through the gateway, about one in twenty
 * of them malformed (no timestamp, a non-numeric amount, an e-mail without '@', or broken JSON),
 * so the cleaning pipeline has something to send to the dead-letter topic.
 *
 * <pre>
 * java demo/OrderGenerator.java [--url http://localhost:8080] [--key tributary-dev-key]
 *                               [--rate 5] [--count 0] [--seed 42]
 * </pre>
 *
 * One produce request per second with {@code --rate} events; {@code --count} stops after that many
 * events (0 = until killed). Each event is keyed by its user. Order ids continue from the epoch second
 * the generator started in, so a restart never repeats an id. Prints one line per request.
 */
public final class OrderGenerator {

    private static final String[] COUNTRIES = {"DE", "FR", "US", "GB", "NL", "ES", "IT", "PL", "SE", "JP", "BR"};
    private static final int[] COUNTRY_WEIGHTS = {18, 14, 20, 10, 6, 8, 7, 5, 4, 4, 4};
    private static final String[] NAMES = {"anna", "ben", "chloe", "david", "emma", "felix", "grace", "hugo",
            "ines", "jonas", "keiko", "lucas", "maria", "noah", "olga", "paul"};
    private static final String[] DOMAINS = {"example.com", "example.org", "mail.example.net"};

    private final Random random;
    private final String idPrefix;
    private long sequence;

    OrderGenerator(long seed, String idPrefix) {
        this.random = new Random(seed);
        this.idPrefix = idPrefix;
    }

    public static void main(String[] args) throws Exception {
        String url = "http://localhost:8080";
        String key = "tributary-dev-key";
        int rate = 5;
        long count = 0;
        long seed = System.nanoTime();
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--url" -> url = args[i + 1];
                case "--key" -> key = args[i + 1];
                case "--rate" -> rate = Integer.parseInt(args[i + 1]);
                case "--count" -> count = Long.parseLong(args[i + 1]);
                case "--seed" -> seed = Long.parseLong(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        OrderGenerator generator = new OrderGenerator(seed, "o-" + System.currentTimeMillis() / 1000 + "-");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI produce = URI.create(url + "/api/v1/topics/raw.orders/records");
        long sent = 0;
        while (count == 0 || sent < count) {
            int n = (int) (count == 0 ? rate : Math.min(rate, count - sent));
            List<String> records = new ArrayList<>();
            int malformed = 0;
            for (int i = 0; i < n; i++) {
                boolean bad = generator.random.nextInt(20) == 0;
                malformed += bad ? 1 : 0;
                records.add(bad ? generator.malformedRecord() : generator.record());
            }
            String body = "{\"records\":[" + String.join(",", records) + "]}";
            HttpRequest request = HttpRequest.newBuilder(produce).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json").header("X-Api-Key", key)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    sent += n;
                    System.out.printf("sent %d orders (%d malformed), %d in all%n", n, malformed, sent);
                } else {
                    System.out.printf("produce answered %d: %s%n", response.statusCode(), response.body());
                }
            } catch (java.io.IOException e) {
                System.out.println("produce failed: " + e);
            }
            if (count == 0 || sent < count) {
                Thread.sleep(1000);
            }
        }
    }

    /** A well-formed order, keyed by its user: {order_id, ts, user, email, country, amount, items}. */
    String record() {
        int user = random.nextInt(1000);
        return keyed(user, order(user));
    }

    private static String keyed(int user, String value) {
        return "{\"key\":\"u" + user + "\",\"value\":" + value + "}";
    }

    private String order(int user) {
        String name = NAMES[user % NAMES.length];
        long ts = System.currentTimeMillis() - random.nextInt(2000);
        double amount = 2 + random.nextInt(24_800) / 100.0;
        return String.format(Locale.ROOT,
                "{\"order_id\":\"%s%d\",\"ts\":%d,\"user\":\"u%d\",\"email\":\"%s.%d@%s\",\"country\":\"%s\","
                        + "\"amount\":%.2f,\"items\":%d}",
                idPrefix, ++sequence, ts, user, name, user, DOMAINS[user % DOMAINS.length], country(), amount,
                1 + random.nextInt(5));
    }

    /** An order the pipeline must refuse, in one of four ways. */
    String malformedRecord() {
        int user = random.nextInt(1000);
        String order = order(user);
        String value = switch (random.nextInt(4)) {
            case 0 -> order.replaceFirst("\"ts\":\\d+,", "");
            case 1 -> order.replaceFirst("\"amount\":[0-9.]+", "\"amount\":\"twelve\"");
            case 2 -> order.replaceFirst("@", "-at-");
            default -> jsonString(order.substring(0, order.length() / 2));
        };
        return keyed(user, value);
    }

    private String country() {
        int total = 0;
        for (int w : COUNTRY_WEIGHTS) {
            total += w;
        }
        int pick = random.nextInt(total);
        for (int i = 0; i < COUNTRIES.length; i++) {
            pick -= COUNTRY_WEIGHTS[i];
            if (pick < 0) {
                return COUNTRIES[i];
            }
        }
        return COUNTRIES[0];
    }

    /** The text as a JSON string value: a truncated order arrives as a string that is not JSON. */
    private static String jsonString(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
