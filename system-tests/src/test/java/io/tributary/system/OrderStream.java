package io.tributary.system;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.tributary.client.ClientSettings;
import io.tributary.client.producer.IngestProducer;
import io.tributary.client.producer.ProducerRecord;
import io.tributary.client.producer.ProducerSettings;

/**
 * The orders the chaos test sends: a steady stream through the gateway into {@value #TOPIC}, from one idempotent
 * producer (a request retried after a lost answer is written once), keyed by order id. Seeded: the choice of which
 * orders are malformed or repeated, and every order's content, follow from the seed (timestamps are the clock's).
 * <ul>
 *   <li>a good order: {@code {"order_id":"o-<n>","ts":<epoch ms>,"user":...,"email":...,"country":"DE","amount":42}},
 *       integer amounts so that sums are exact in any order of addition;</li>
 *   <li>one in {@value #MALFORMED_ONE_IN} is malformed, with id {@code bad-<n>} somewhere in its text: an amount
 *       that is a string, no timestamp, an e-mail without '@', or broken JSON (a JSON string holding half an
 *       object);</li>
 *   <li>one good order in {@value #REPEAT_ONE_IN} is sent again, unchanged, {@value #REPEAT_DISTANCE} orders later
 *       (the same key, so the same partition: the pipeline's dedupe step must drop the second one).</li>
 * </ul>
 * What was acknowledged is kept for the oracle.
 */
final class OrderStream implements AutoCloseable {

    static final String TOPIC = "raw.orders";
    static final String[] COUNTRIES = {"DE", "FR", "NL", "PL", "SE", "ES"};
    private static final int MALFORMED_ONE_IN = 12;
    private static final int REPEAT_ONE_IN = 10;
    private static final int REPEAT_DISTANCE = 40;
    private static final int TICKS_PER_SECOND = 10;

    private final IngestProducer producer;
    private final Random random;
    private final int rate;
    private final Thread thread;
    private volatile boolean running = true;
    private final Deque<Pending> repeats = new ArrayDeque<>();
    private final ConcurrentLinkedQueue<CompletableFuture<?>> inFlight = new ConcurrentLinkedQueue<>();
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final Set<String> sentIds = ConcurrentHashMap.newKeySet();
    private final Set<String> repeatedIds = ConcurrentHashMap.newKeySet();
    private final AtomicLong acknowledgedSends = new AtomicLong();
    private final AtomicLong failedSends = new AtomicLong();
    private long sent;
    private long next;

    /** A repeat due once {@code next} reaches {@code due}. */
    private record Pending(long due, String id, String value) {
    }

    OrderStream(String gatewayUrl, String apiKey, long seed, int ratePerSecond) {
        ClientSettings client = ClientSettings.of(gatewayUrl).withExtraHeaders(() -> Map.of("X-Api-Key", apiKey))
                .withRequestTimeout(Duration.ofSeconds(20));
        this.producer = IngestProducer.create(ProducerSettings.builder(client).idempotent(true)
                .producerName("chaos-orders").linger(Duration.ofMillis(20)).deliveryTimeout(Duration.ofMinutes(5))
                .retryBackoff(Duration.ofMillis(100), Duration.ofSeconds(1)).build());
        this.random = new Random(seed);
        this.rate = ratePerSecond;
        this.thread = Thread.ofPlatform().name("chaos-orders").daemon().unstarted(this::run);
    }

    OrderStream start() {
        thread.start();
        return this;
    }

    private void run() {
        long tickNanos = TimeUnit.SECONDS.toNanos(1) / TICKS_PER_SECOND;
        long nextTick = System.nanoTime();
        while (running) {
            for (int i = 0; i < Math.max(1, rate / TICKS_PER_SECOND); i++) {
                sendOne();
            }
            nextTick += tickNanos;
            long wait = nextTick - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
            } else {
                nextTick = System.nanoTime(); // behind (the buffer was full): do not burst to catch up
            }
        }
    }

    private void sendOne() {
        long n = next++;
        if (!repeats.isEmpty() && repeats.peekFirst().due() <= n) {
            Pending repeat = repeats.pollFirst();
            send(repeat.id(), repeat.value());
        }
        long ts = System.currentTimeMillis();
        if (random.nextInt(MALFORMED_ONE_IN) == 0) {
            String id = "bad-" + n;
            send(id, malformed(id, ts));
            return;
        }
        String id = "o-" + n;
        int user = random.nextInt(500);
        String value = String.format(Locale.ROOT,
                "{\"order_id\":\"%s\",\"ts\":%d,\"user\":\"u%d\",\"email\":\"u%d@example.com\",\"country\":\"%s\","
                        + "\"amount\":%d,\"items\":%d}",
                id, ts, user, user, COUNTRIES[random.nextInt(COUNTRIES.length)], 1 + random.nextInt(500),
                1 + random.nextInt(5));
        send(id, value);
        if (random.nextInt(REPEAT_ONE_IN) == 0) {
            repeats.addLast(new Pending(n + REPEAT_DISTANCE, id, value));
            repeatedIds.add(id);
        }
    }

    private String malformed(String id, long ts) {
        return switch (random.nextInt(4)) {
            case 0 -> "{\"order_id\":\"" + id + "\",\"ts\":" + ts
                    + ",\"user\":\"u1\",\"email\":\"u1@example.com\",\"country\":\"DE\",\"amount\":\"12\"}";
            case 1 -> "{\"order_id\":\"" + id + "\",\"user\":\"u1\",\"email\":\"u1@example.com\",\"country\":\"DE\","
                    + "\"amount\":12}";
            case 2 -> "{\"order_id\":\"" + id + "\",\"ts\":" + ts
                    + ",\"user\":\"u1\",\"email\":\"u1.example.com\",\"country\":\"DE\",\"amount\":12}";
            default -> "\"{\\\"order_id\\\":\\\"" + id + "\\\",\\\"amou\"";
        };
    }

    private void send(String id, String value) {
        sent++;
        sentIds.add(id);
        CompletableFuture<?> future = producer.send(TOPIC, ProducerRecord.ofJson(id, value)).whenComplete((ok, e) -> {
            if (e == null) {
                acknowledged.add(id);
                acknowledgedSends.incrementAndGet();
            } else {
                failedSends.incrementAndGet();
            }
        });
        inFlight.add(future);
        inFlight.removeIf(CompletableFuture::isDone);
    }

    /** Records acknowledged so far (a repeat counts again). */
    long acknowledgedCount() {
        return acknowledgedSends.get();
    }

    /** Stops sending and waits until every record sent was acknowledged or given up. */
    OrderStream finish() throws InterruptedException {
        running = false;
        thread.join();
        producer.flush();
        for (CompletableFuture<?> future : inFlight) {
            try {
                future.join();
            } catch (RuntimeException e) {
                // counted in failedSends
            }
        }
        return this;
    }

    /** The ids (order or malformed) of which at least one send was acknowledged. */
    Set<String> acknowledgedIds() {
        return Set.copyOf(acknowledged);
    }

    /** Every id sent at least once (acknowledged or not). */
    Set<String> sentIds() {
        return Set.copyOf(sentIds);
    }

    /** The ids of the good orders chosen to be sent twice. */
    Set<String> repeatedIds() {
        return Set.copyOf(repeatedIds);
    }

    long sent() {
        return sent;
    }

    long failed() {
        return failedSends.get();
    }

    @Override
    public void close() {
        running = false;
        producer.close();
    }
}
