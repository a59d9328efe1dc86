package io.tributary.analytics.spark;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job with {@code "engine": "spark"}, end to end: ingest-service (its Kafka listener) and analytics-service
 * from their jars, analytics-service starting this module's driver in {@code local[2]}. An event-time windowed
 * count and sum per country with a filter and a watermark must give exactly the totals computed here from what
 * was produced (the oracle) through the results API — with a record beyond the watermark dropped as late, after
 * a SIGKILL of the driver (started again, resumed from Spark's checkpoint, nothing counted twice), and after a
 * stop and a start. A definition the translation cannot run is refused with a 400 naming the part.
 */
class SparkEngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "orders";
    private static final String JOB = "orders-by-country";
    private static final String OUTPUT = "order-totals";
    private static final long WINDOW = OrderStream.WINDOW;

    @TempDir
    static Path dir;
    static ServiceJar ingest;
    static ServiceJar analytics;
    static KafkaProducer<String, String> producer;
    static String bootstrap;


    @BeforeAll
    static void start() throws Exception {
        int kafkaPort = ServiceJar.freePort();
        bootstrap = "127.0.0.1:" + kafkaPort;
        ingest = ServiceJar.ingest(dir, kafkaPort);
        analytics = ServiceJar.start("tributary.analytics.jar", dir.resolve("analytics.log"), ServiceJar.freePort(),
                ServiceJar.with(ServiceJar.sparkEngine(bootstrap, dir.resolve("spark")), "--analytics.ingest-url=" + ingest.url(),
                        "--spring.datasource.url=jdbc:h2:file:" + dir.resolve("analytics/db")
                                + ";AUTO_SERVER=FALSE;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE"));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get();
        }
        Properties settings = new Properties();
        settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        settings.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(settings, new StringSerializer(), new StringSerializer());
    }

    @AfterAll
    static void stop() throws Exception {
        if (producer != null) {
            producer.close();
        }
        if (analytics != null) {
            analytics.close();
        }
        if (ingest != null) {
            ingest.close();
        }
    }

    @Test
    void windowedTotalsMatchTheOracleThroughLateDataAKilledDriverAndARestart() throws Exception {
        OrderStream orders = new OrderStream(producer, TOPIC);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(OUTPUT, 2, (short) 1).configs(Map.of("value.format", "json"))))
                    .all().get();
        }
        HttpResponse<String> created = analytics.post("/api/v1/jobs", OrderStream.JOB_DEFINITION.formatted(JOB, TOPIC)
                .replace("\"trigger\"", "\"output\": {\"topic\": \"" + OUTPUT + "\"}, \"trigger\""));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(JSON.readTree(created.body()).path("definition").path("engine").asText()).isEqualTo("spark");
        assertThat(analytics.post("/api/v1/jobs/" + JOB + "/start", null).statusCode()).isEqualTo(200);

        long base = (System.currentTimeMillis() / WINDOW) * WINDOW - 300_000;
        orders.produce(base, 0, 600); // six windows, three countries, amounts 0-9 (a fifth filtered out)
        awaitOrders(orders, Duration.ofSeconds(180));

        // The watermark is now base + 54.9 s. Spark drops a row as late when its window ended at or before the
        // watermark of the batch before the one that reads it, so one more batch goes first.
        orders.produce(base, 600, 100);
        awaitOrders(orders, Duration.ofSeconds(60));
        orders.send(base + 1_000, "de", 7, false); // the first window: late
        orders.produce(base, 700, 100);
        awaitOrders(orders, Duration.ofSeconds(60));
        awaitLateRows(1, Duration.ofSeconds(30)); // progress follows the batch's commit

        awaitInputRows(orders.sent()); // every batch's progress is in before the kill
        ProcessHandle driver = driverProcess();
        driver.destroyForcibly();
        driver.onExit().get();
        orders.produce(base, 800, 100);
        awaitOrders(orders, Duration.ofSeconds(180));
        assertThat(driverProcess().pid()).as("a new driver").isNotEqualTo(driver.pid());
        awaitInputRows(orders.sent()); // the new driver resumed from the checkpoint: nothing read twice

        assertThat(analytics.post("/api/v1/jobs/" + JOB + "/stop", null).statusCode()).isEqualTo(200);
        orders.produce(base, 900, 50);
        assertThat(analytics.post("/api/v1/jobs/" + JOB + "/start", null).statusCode()).isEqualTo(200);
        awaitOrders(orders, Duration.ofSeconds(180));
        awaitInputRows(orders.sent());
        assertOutputTopicHoldsEveryEmittedRowOnce();
    }

    /**
     * The output topic holds each committed batch's rows once (as many records as the batches emitted, each batch
     * id counted once, although the driver was killed and the job stopped), and its latest record per window and
     * country is the row of the results API.
     */
    private void assertOutputTopicHoldsEveryEmittedRowOnce() throws Exception {
        long emitted = 0;
        java.util.Set<Long> batches = new java.util.HashSet<>();
        for (JsonNode batch : JSON.readTree(analytics.get("/api/v1/jobs/" + JOB + "/progress?size=1000").body())
                .path("batches")) {
            if (batches.add(batch.path("batchId").asLong())) {
                emitted += batch.path("emittedRows").asLong();
            }
        }
        Map<String, String> latest = new TreeMap<>();
        long records = 0;
        Properties settings = new Properties();
        settings.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(settings, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = List.of(new TopicPartition(OUTPUT, 0), new TopicPartition(OUTPUT, 1));
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    JsonNode value = JSON.readTree(record.value());
                    assertThat(value.path("job").asText()).isEqualTo(JOB);
                    latest.put(Instant.parse(value.path("windowStart").asText()).toEpochMilli() + "|"
                            + value.path("group").path("/country").asText(), value.path("values").path("orders")
                            .asLong() + "/" + Math.round(value.path("values").path("total").asDouble()));
                    records++;
                }
            }
        }
        assertThat(records).as("records in the output topic = rows the batches emitted").isEqualTo(emitted);
        Map<String, String> results = new TreeMap<>();
        for (JsonNode row : JSON.readTree(analytics.get("/api/v1/jobs/" + JOB + "/results?size=1000").body())
                .path("rows")) {
            results.put(Instant.parse(row.path("windowStart").asText()).toEpochMilli() + "|"
                    + row.path("group").path("/country").asText(), row.path("values").path("orders").asLong() + "/"
                    + Math.round(row.path("values").path("total").asDouble()));
        }
        assertThat(latest).as("the latest record per window and country").isEqualTo(results);
    }


    /**
     * The same definition on both engines, over the same records: sliding windows in append mode (each window
     * emitted once, when the watermark closes it) with every aggregate function, a filter over a nested field,
     * and a record beyond the watermark. Exact aggregates must be equal on both engines and to the oracle;
     * approx_distinct and percentiles within their error bounds of the exact values.
     */
    @Test
    void bothEnginesGiveTheSameRowsForTheSameDefinition() throws Exception {
        String topic = "clicks";
        createJsonTopic(topic);
        String definition = """
                {"name": "%s", "engine": "%s", "source": "clicks", "eventTime": "/at", "watermark": "PT2S",
                 "window": {"type": "sliding", "size": "PT20S", "slide": "PT10S"}, "groupBy": ["/page"],
                 "filter": "client.bot != true and ms > 0",
                 "aggregations": [{"name": "clicks", "function": "count"},
                                  {"name": "ms", "function": "sum", "field": "/ms"},
                                  {"name": "avgMs", "function": "avg", "field": "/ms"},
                                  {"name": "minMs", "function": "min", "field": "/ms"},
                                  {"name": "maxMs", "function": "max", "field": "/ms"},
                                  {"name": "users", "function": "approx_distinct", "field": "/user"},
                                  {"name": "pct", "function": "percentiles", "field": "/ms", "percentiles": [0.5, 0.9]}],
                 "outputMode": "append", "trigger": {"type": "processing-time", "interval": "PT1S"}}
                """;
        java.util.Random random = new java.util.Random(16);
        long base = (System.currentTimeMillis() / WINDOW) * WINDOW - 600_000;
        Map<String, List<Long>> oracle = new TreeMap<>(); // (window start, page) → the ms values counted
        Map<String, java.util.Set<String>> users = new HashMap<>();
        String[] pages = {"/home", "/cart", "/pay"};
        for (int i = 0; i < 1_200; i++) {
            long at = base + i * 50L; // 60 s of clicks
            String page = pages[random.nextInt(3)];
            long ms = random.nextInt(500); // 0 is filtered out
            boolean bot = random.nextInt(10) == 0;
            String user = "u" + random.nextInt(40);
            clicks(topic, at, page, ms, bot, user);
            if (!bot && ms > 0) {
                for (long start = (at / WINDOW) * WINDOW - WINDOW; start <= at; start += WINDOW) {
                    if (at >= start && at < start + 2 * WINDOW) {
                        oracle.computeIfAbsent(start + "|" + page, k -> new java.util.ArrayList<>()).add(ms);
                        users.computeIfAbsent(start + "|" + page, k -> new java.util.HashSet<>()).add(user);
                    }
                }
            }
        }
        producer.flush();
        // The jobs start on the whole backlog: their first batch reads every partition to its end. (Started while
        // the clicks were still being produced, a batch could see one partition further on than another, and the
        // 2 s watermark would then rightly drop the slower partition's clicks as late.)
        startOnBothEngines(definition, "clicks-");
        // A record far beyond the watermark, after two batches moved it past the first windows: dropped by both.
        long closedUpTo = base + 60_000 - 2_000 - 2 * WINDOW; // windows ending at or before this are closed
        awaitClosedWindows(List.of("clicks-builtin", "clicks-spark"), oracle, closedUpTo);
        clicks(topic, base + 1_000, "/home", 400, false, "late");
        // Later clicks (that pass the filter: filtered records never move the watermark) close the windows the
        // first ones left open; their own windows stay open.
        for (int i = 0; i < 40; i++) {
            clicks(topic, base + 120_000 + i * 100L, "/later", 1, false, "later");
        }
        producer.flush();
        java.util.Set<String> closed = new java.util.TreeSet<>();
        oracle.keySet().forEach(key -> {
            if (Long.parseLong(key.substring(0, key.indexOf('|'))) + 2 * WINDOW <= base + 120_000 - 2_000) {
                closed.add(key);
            }
        });
        Map<String, Map<String, JsonNode>> byEngine = new HashMap<>();
        for (String engine : List.of("builtin", "spark")) {
            byEngine.put(engine, awaitWindows("clicks-" + engine, closed, Duration.ofSeconds(120)));
        }
        for (String key : closed) {
            List<Long> values = new java.util.ArrayList<>(oracle.get(key));
            java.util.Collections.sort(values);
            long sum = values.stream().mapToLong(Long::longValue).sum();
            for (String engine : List.of("builtin", "spark")) {
                JsonNode row = byEngine.get(engine).get(key);
                String what = engine + " " + key;
                assertThat(row.path("clicks").asLong()).as(what).isEqualTo(values.size());
                assertThat(row.path("ms").asDouble()).as(what).isEqualTo((double) sum);
                assertThat(row.path("avgMs").asDouble()).as(what).isCloseTo((double) sum / values.size(),
                        org.assertj.core.data.Offset.offset(1e-9));
                assertThat(row.path("minMs").asDouble()).as(what).isEqualTo((double) values.get(0));
                assertThat(row.path("maxMs").asDouble()).as(what).isEqualTo((double) values.get(values.size() - 1));
                long distinct = users.get(key).size();
                assertThat(row.path("users").asLong()).as(what).isBetween(Math.round(distinct * 0.95),
                        Math.round(distinct * 1.05));
                for (double rank : new double[] {0.5, 0.9}) {
                    String label = rank == 0.5 ? "p50" : "p90";
                    double value = row.path("pct").path(label).asDouble();
                    int position = java.util.Collections.binarySearch(values, (long) value);
                    int nearest = (int) Math.ceil(rank * values.size()) - 1;
                    assertThat(position).as(what + " " + label + " = " + value + " is a value of the window")
                            .isGreaterThanOrEqualTo(0);
                    // values repeat: the nearest rank's value must equal the answer, or lie within 2% of the ranks
                    assertThat(Math.abs(values.indexOf((long) value) - nearest) <= Math.max(1, values.size() / 50)
                            || values.get(nearest) == (long) value).as(what + " " + label).isTrue();
                }
            }
            assertThat(byEngine.get("spark").get(key).path("clicks"))
                    .isEqualTo(byEngine.get("builtin").get(key).path("clicks"));
        }
        assertThat(byEngine.get("spark").keySet()).isEqualTo(byEngine.get("builtin").keySet());
    }

    /**
     * Session windows on both engines over the same visits (append mode: each session emitted once, when the
     * watermark passes its end): every user's sessions — first visit to last visit + gap, their count and sum —
     * equal the oracle's on both engines.
     */
    @Test
    void bothEnginesCloseTheSameSessions() throws Exception {
        String topic = "visits";
        createJsonTopic(topic);
        String definition = """
                {"name": "%s", "engine": "%s", "source": "visits", "eventTime": "/at", "watermark": "PT2S",
                 "window": {"type": "session", "gap": "PT5S"}, "groupBy": ["/user"],
                 "aggregations": [{"name": "visits", "function": "count"},
                                  {"name": "ms", "function": "sum", "field": "/ms"}],
                 "outputMode": "append", "trigger": {"type": "processing-time", "interval": "PT1S"}}
                """;
        java.util.Random random = new java.util.Random(5);
        long base = (System.currentTimeMillis() / WINDOW) * WINDOW - 600_000;
        Map<String, long[]> oracle = new TreeMap<>(); // "start|user" → {end, visits, ms}
        for (int u = 0; u < 12; u++) {
            String user = "u" + u;
            long at = base + random.nextInt(3_000);
            for (int session = 0; session < 2 + random.nextInt(2); session++) {
                long start = at;
                long[] row = new long[3];
                for (int visit = 0; visit < 1 + random.nextInt(6); visit++) {
                    long ms = 1 + random.nextInt(300);
                    visits(topic, at, user, ms);
                    row[0] = at + 5_000;
                    row[1]++;
                    row[2] += ms;
                    at += 500 + random.nextInt(4_000); // within the 5 s gap
                }
                oracle.put(start + "|" + user, row);
                at = row[0] + 3_000 + random.nextInt(10_000); // beyond the gap: a new session
            }
        }
        producer.flush();
        startOnBothEngines(definition, "visits-");
        // A later visit moves the watermark beyond every session above; its own session stays open.
        visits(topic, base + 300_000, "later", 1);
        producer.flush();
        for (String engine : List.of("builtin", "spark")) {
            String job = "visits-" + engine;
            Map<String, long[]> sessions = new TreeMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (sessions.size() < oracle.size() && System.nanoTime() < deadline) {
                Thread.sleep(500);
                sessions.clear();
                for (JsonNode row : JSON.readTree(analytics.get("/api/v1/jobs/" + job + "/results?size=1000")
                        .body()).path("rows")) {
                    sessions.put(Instant.parse(row.path("windowStart").asText()).toEpochMilli() + "|"
                            + row.path("group").path("/user").asText(), new long[] {
                                    Instant.parse(row.path("windowEnd").asText()).toEpochMilli(),
                                    row.path("values").path("visits").asLong(),
                                    row.path("values").path("ms").asLong()});
                }
            }
            assertThat(sessions.keySet()).as(job + "'s sessions").isEqualTo(oracle.keySet());
            oracle.forEach((key, expected) -> assertThat(sessions.get(key)).as(job + " " + key)
                    .containsExactly(expected));
        }
    }

    /** A topic of JSON values, so that the builtin engine (reading over REST) sees them as JSON too. */
    private static void createJsonTopic(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1).configs(Map.of("value.format", "json"))))
                    .all().get();
        }
    }

    /** Creates and starts {@code definition} as {@code <prefix>builtin} and {@code <prefix>spark}. */
    private static void startOnBothEngines(String definition, String prefix) throws Exception {
        for (String engine : List.of("builtin", "spark")) {
            HttpResponse<String> created = analytics.post("/api/v1/jobs", definition.formatted(prefix + engine, engine));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            assertThat(analytics.post("/api/v1/jobs/" + prefix + engine + "/start", null).statusCode()).isEqualTo(200);
        }
    }

    private void visits(String topic, long at, String user, long ms) throws Exception {
        producer.send(new ProducerRecord<>(topic, user, JSON.writeValueAsString(Map.of("at", at, "user", user,
                "ms", ms))));
    }

    private void clicks(String topic, long at, String page, long ms, boolean bot, String user) throws Exception {
        String value = JSON.writeValueAsString(Map.of("at", at, "page", page, "ms", ms, "user", user,
                "client", Map.of("bot", bot)));
        producer.send(new ProducerRecord<>(topic, user, value));
    }

    /** Waits until every job has emitted every oracle window that ends at or before {@code closedUpTo}. */
    private void awaitClosedWindows(List<String> jobs, Map<String, List<Long>> oracle, long closedUpTo)
            throws Exception {
        java.util.Set<String> closed = new java.util.TreeSet<>();
        oracle.keySet().forEach(key -> {
            if (Long.parseLong(key.substring(0, key.indexOf('|'))) + 2 * WINDOW <= closedUpTo) {
                closed.add(key);
            }
        });
        for (String job : jobs) {
            awaitWindows(job, closed, Duration.ofSeconds(180));
        }
    }

    /** The job's rows by "window start|page" once it has at least the windows {@code keys}. */
    private Map<String, JsonNode> awaitWindows(String job, java.util.Set<String> keys, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, JsonNode> rows = new TreeMap<>();
        while (System.nanoTime() < deadline) {
            rows.clear();
            for (JsonNode row : JSON.readTree(analytics.get("/api/v1/jobs/" + job + "/results?size=1000").body())
                    .path("rows")) {
                rows.put(Instant.parse(row.path("windowStart").asText()).toEpochMilli() + "|"
                        + row.path("group").path("/page").asText(), row.path("values"));
            }
            if (rows.keySet().containsAll(keys)) {
                return rows;
            }
            Thread.sleep(500);
        }
        throw new AssertionError(job + " emitted " + rows.keySet() + ", not every window of " + keys + "; job: "
                + analytics.get("/api/v1/jobs/" + job).body() + "; progress: "
                + analytics.get("/api/v1/jobs/" + job + "/progress?size=5").body());
    }

    @Test
    void definitionsItCannotTranslateAreRefusedNamingThePart() throws Exception {
        HttpResponse<String> method = analytics.post("/api/v1/jobs", """
                {"name": "refused-filter", "engine": "spark", "source": "%s", "eventTime": "/ts",
                 "filter": "country.startsWith('d')", "aggregations": [{"name": "n", "function": "count"}]}
                """.formatted(TOPIC));
        assertThat(method.statusCode()).isEqualTo(400);
        JsonNode problem = JSON.readTree(method.body());
        assertThat(problem.path("field").asText()).isEqualTo("filter");
        assertThat(problem.path("detail").asText()).contains("startsWith").contains("method call");

        HttpResponse<String> session = analytics.post("/api/v1/jobs", """
                {"name": "refused-session", "engine": "spark", "source": "%s", "eventTime": "/ts",
                 "window": {"type": "session", "gap": "PT1M"}, "outputMode": "update",
                 "aggregations": [{"name": "n", "function": "count"}]}
                """.formatted(TOPIC));
        assertThat(session.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(session.body()).path("field").asText()).isEqualTo("outputMode");
        assertThat(analytics.get("/api/v1/jobs/refused-session").statusCode()).isEqualTo(404);
    }

    private void awaitOrders(OrderStream orders, Duration timeout) throws Exception {
        orders.awaitResults(analytics, JOB, timeout, () -> OrderStream.tail(dir.resolve("spark").resolve(JOB
                + ".driver.log"), 60) + "\n" + OrderStream.tail(dir.resolve("analytics.log"), 40));
    }

    private void awaitInputRows(long sent) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (OrderStream.inputRows(analytics, JOB) < sent && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        assertThat(OrderStream.inputRows(analytics, JOB)).as("records the batches read, each batch once").isEqualTo(sent);
    }

    private void awaitLateRows(long count, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (lateRows() < count && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        assertThat(lateRows()).as("rows Spark dropped by the watermark; progress:\n%s",
                analytics.get("/api/v1/jobs/" + JOB + "/progress?size=20").body()).isEqualTo(count);
    }

    private long lateRows() throws Exception {
        long late = 0;
        for (JsonNode batch : JSON.readTree(analytics.get("/api/v1/jobs/" + JOB + "/progress?size=1000").body())
                .path("batches")) {
            late += batch.path("lateRows").asLong();
        }
        return late;
    }

    private static ProcessHandle driverProcess() {
        String callback = analytics.url() + "/internal/spark/jobs/" + JOB; // the driver's one argument
        return ProcessHandle.allProcesses().filter(process -> process.info().commandLine()
                .map(line -> line.contains("SparkJobDriver") && line.endsWith(callback)).orElse(false))
                .findFirst().orElseThrow(() -> new AssertionError("no Spark driver of the job is running"));
    }

}
