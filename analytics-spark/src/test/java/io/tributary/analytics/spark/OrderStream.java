package io.tributary.analytics.spark;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Orders {@code {"ts", "country", "amount"}} sent to a topic through Kafka's producer, and the oracle of the
 * order job: count and sum of the amounts of at least 2, per 10-second window and country, computed from what
 * was sent. The job definition that goes with it is {@link #JOB_DEFINITION}.
 */
final class OrderStream {

    static final long WINDOW = 10_000;
    static final String JOB_DEFINITION = """
            {"name": "%s", "engine": "spark", "source": "%s", "eventTime": "/ts", "watermark": "PT5S",
             "window": {"type": "tumbling", "size": "PT10S"}, "groupBy": ["/country"],
             "filter": "amount >= 2 and country != 'xx'",
             "aggregations": [{"name": "orders", "function": "count"},
                              {"name": "total", "function": "sum", "field": "/amount"}],
             "trigger": {"type": "processing-time", "interval": "PT1S"}}
            """;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] COUNTRIES = {"de", "fr", "it"};

    private final KafkaProducer<String, String> producer;
    private final String topic;
    /** (window start, country) → {count, sum} of the records the job must count. */
    private final Map<String, long[]> expected = new TreeMap<>();
    private long sent;

    OrderStream(KafkaProducer<String, String> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    /** Orders {@code from} to {@code from + count - 1}: 100 ms apart from {@code base}, amounts 0-9. */
    void produce(long base, int from, int count) throws Exception {
        for (int i = from; i < from + count; i++) {
            send(base + i * 100L, COUNTRIES[i % 3], i % 10, true);
        }
        producer.flush();
    }

    /** One order; {@code counted}: whether the job must count it (false for a late one). */
    void send(long ts, String country, int amount, boolean counted) throws Exception {
        String value = JSON.writeValueAsString(Map.of("ts", ts, "country", country, "amount", amount));
        producer.send(new ProducerRecord<>(topic, country, value)).get();
        sent++;
        if (counted && amount >= 2) {
            long[] totals = expected.computeIfAbsent((ts / WINDOW) * WINDOW + "|" + country, k -> new long[2]);
            totals[0]++;
            totals[1] += amount;
        }
    }

    /**
     * Waits until the job's results equal the oracle; fails showing both and {@code diagnostics} (logs) when they
     * do not within {@code timeout}.
     */
    void awaitResults(ServiceJar analytics, String job, Duration timeout, Supplier<String> diagnostics)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String seen = "";
        while (System.nanoTime() < deadline) {
            seen = render(results(analytics, job));
            if (seen.equals(render(expected))) {
                return;
            }
            Thread.sleep(500);
        }
        assertThat(seen).as("results of job %s against the oracle; progress:\n%s\n%s", job,
                analytics.get("/api/v1/jobs/" + job + "/progress?size=20").body(), diagnostics.get())
                .isEqualTo(render(expected));
    }

    /** Orders sent so far. */
    long sent() {
        return sent;
    }

    /**
     * The input rows of the job's batches, each batch id once: a driver that resumed from its checkpoint read each
     * record once, so this equals {@link #sent()}; one that started over would have read them again.
     */
    static long inputRows(ServiceJar analytics, String job) throws Exception {
        Map<Long, Long> byBatch = new HashMap<>();
        for (JsonNode batch : JSON.readTree(analytics.get("/api/v1/jobs/" + job + "/progress?size=1000").body())
                .path("batches")) {
            byBatch.putIfAbsent(batch.path("batchId").asLong(), batch.path("inputRows").asLong());
        }
        return byBatch.values().stream().mapToLong(Long::longValue).sum();
    }

    private static Map<String, long[]> results(ServiceJar analytics, String job) throws Exception {
        HttpResponse<String> response = analytics.get("/api/v1/jobs/" + job + "/results?size=1000");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Map<String, long[]> rows = new HashMap<>();
        for (JsonNode row : JSON.readTree(response.body()).path("rows")) {
            long start = Instant.parse(row.path("windowStart").asText()).toEpochMilli();
            long end = Instant.parse(row.path("windowEnd").asText()).toEpochMilli();
            assertThat(end - start).isEqualTo(WINDOW);
            JsonNode values = row.path("values");
            rows.put(start + "|" + row.path("group").path("/country").asText(),
                    new long[] {values.path("orders").asLong(), Math.round(values.path("total").asDouble())});
        }
        return rows;
    }

    private static String render(Map<String, long[]> rows) {
        StringBuilder text = new StringBuilder();
        new TreeMap<>(rows).forEach((key, totals) -> text.append(key).append('=').append(totals[0]).append('/')
                .append(totals[1]).append('\n'));
        return text.toString();
    }

    /** The last {@code lines} lines of a log file, for a failure's message. */
    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            return file.getFileName() + ":\n" + String.join("\n", all.subList(Math.max(0, all.size() - lines),
                    all.size()));
        } catch (java.io.IOException e) {
            return "(" + e + ")";
        }
    }
}
