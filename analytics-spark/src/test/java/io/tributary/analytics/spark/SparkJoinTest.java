package io.tributary.analytics.spark;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Joins on the Spark engine against the builtin engine and an oracle, over the same records: a topic join (the
 * latest profile per user, one of them deleted by a tombstone, misses kept) grouped by a field of the joined value,
 * and a reference-table join with stream-clean-service's table (started from its jar; misses dropped) grouped by
 * the joined region — whose rows change while the jobs run, and which both engines pick up.
 */
class SparkJoinTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WINDOW = 10_000;

    @TempDir
    static Path dir;
    static ServiceJar ingest;
    static ServiceJar clean;
    static ServiceJar analytics;
    static KafkaProducer<String, String> producer;
    static String bootstrap;

    @BeforeAll
    static void start() throws Exception {
        int kafkaPort = ServiceJar.freePort();
        bootstrap = "127.0.0.1:" + kafkaPort;
        ingest = ServiceJar.ingest(dir, kafkaPort);
        clean = ServiceJar.start("tributary.clean.jar", dir.resolve("clean.log"), ServiceJar.freePort(),
                List.of("--clean.ingest-url=" + ingest.url(),
                        "--spring.datasource.url=jdbc:h2:file:" + dir.resolve("clean/db") + ";WRITE_DELAY=0"));
        analytics = ServiceJar.start("tributary.analytics.jar", dir.resolve("analytics.log"), ServiceJar.freePort(),
                ServiceJar.with(ServiceJar.sparkEngine(bootstrap, dir.resolve("spark")),
                        "--analytics.ingest-url=" + ingest.url(), "--analytics.clean-url=" + clean.url(),
                        "--analytics.reference-tables.refresh=PT2S",
                        "--spring.datasource.url=jdbc:h2:file:" + dir.resolve("analytics/db") + ";WRITE_DELAY=0"));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<String, String> json = Map.of("value.format", "json");
            admin.createTopics(List.of(new NewTopic("visits", 2, (short) 1).configs(json),
                    new NewTopic("profiles", 2, (short) 1).configs(json))).all().get();
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
        for (ServiceJar service : new ServiceJar[] {analytics, clean, ingest}) {
            if (service != null) {
                service.close();
            }
        }
    }

    @Test
    void topicAndReferenceTableJoinsGiveTheBuiltinEnginesRows() throws Exception {
        // profiles: u0-u5; u1 changes tier (the latest value counts), u5 is deleted, u6-u7 have none
        String[] tiers = {"gold", "silver", "bronze", "gold", "silver", "bronze"};
        for (int u = 0; u < 6; u++) {
            send("profiles", "u" + u, "{\"tier\":\"" + (u == 1 ? "bronze" : tiers[u]) + "\"}");
        }
        send("profiles", "u1", "{\"tier\":\"silver\"}");
        send("profiles", "u5", null);
        producer.flush();
        HttpResponse<String> table = clean.put("/api/v1/reference-tables/countries",
                "{\"rows\":{\"DE\":{\"region\":\"eu\"},\"FR\":{\"region\":\"eu\"},\"US\":{\"region\":\"na\"}}}");
        assertThat(table.statusCode()).as(table.body()).isIn(200, 201);

        for (String engine : List.of("builtin", "spark")) {
            create("""
                    {"name": "tiers-%1$s", "engine": "%1$s", "source": "visits", "eventTime": "/ts",
                     "watermark": "PT1H", "window": {"type": "tumbling", "size": "PT10S"}, "groupBy": ["/profile/tier"],
                     "join": {"type": "topic", "topic": "profiles", "key": "/user", "target": "/profile"},
                     "filter": "profile == null or profile.tier != 'bronze'",
                     "aggregations": [{"name": "visits", "function": "count"}]}
                    """.formatted(engine));
            create("""
                    {"name": "regions-%1$s", "engine": "%1$s", "source": "visits", "eventTime": "/ts",
                     "watermark": "PT1H", "window": {"type": "tumbling", "size": "PT10S"}, "groupBy": ["/geo/region"],
                     "join": {"type": "reference-table", "table": "countries", "key": "/country", "target": "/geo",
                              "missing": "drop"},
                     "aggregations": [{"name": "visits", "function": "count"},
                                      {"name": "users", "function": "approx_distinct", "field": "/user"}]}
                    """.formatted(engine));
        }
        Map<String, Long> tierOracle = new TreeMap<>();
        Map<String, Long> regionOracle = new TreeMap<>();
        String[] countries = {"DE", "FR", "US", "JP"};
        String[] tierOf = {"gold", "silver", "bronze", "gold", "silver", null, null, null};
        long base = (System.currentTimeMillis() / WINDOW) * WINDOW - 120_000;
        for (int i = 0; i < 400; i++) {
            long ts = base + i * 100L;
            int user = i % 8;
            String country = countries[i % 4];
            send("visits", "u" + user, "{\"ts\":" + ts + ",\"user\":\"u" + user + "\",\"country\":\"" + country + "\"}");
            long window = (ts / WINDOW) * WINDOW;
            if (!"bronze".equals(tierOf[user])) {
                tierOracle.merge(window + "|" + (tierOf[user] == null ? "null" : tierOf[user]), 1L, Long::sum);
            }
            if (!country.equals("JP")) {
                regionOracle.merge(window + "|" + (country.equals("US") ? "na" : "eu"), 1L, Long::sum);
            }
        }
        producer.flush();
        for (String engine : List.of("builtin", "spark")) {
            awaitCounts("tiers-" + engine, "/profile/tier", tierOracle);
            awaitCounts("regions-" + engine, "/geo/region", regionOracle);
        }

        // The table changes: JP joins "apac". Later visits from JP count there on both engines.
        table = clean.put("/api/v1/reference-tables/countries", "{\"rows\":{\"DE\":{\"region\":\"eu\"},"
                + "\"FR\":{\"region\":\"eu\"},\"US\":{\"region\":\"na\"},\"JP\":{\"region\":\"apac\"}}}");
        assertThat(table.statusCode()).as(table.body()).isEqualTo(200);
        // The spark job's run sees the change within its 2 s refresh and restarts its driver with the new rows;
        // the builtin job reads the table again before a batch once its copy is 2 s old.
        awaitLogLine(dir.resolve("analytics.log"), "reference table countries changed", Duration.ofSeconds(60));
        Thread.sleep(3_000);
        long later = base + 60_000;
        for (int i = 0; i < 40; i++) {
            long ts = later + i * 100L;
            send("visits", "u0", "{\"ts\":" + ts + ",\"user\":\"u0\",\"country\":\"JP\"}");
            regionOracle.merge((ts / WINDOW) * WINDOW + "|apac", 1L, Long::sum);
            tierOracle.merge((ts / WINDOW) * WINDOW + "|gold", 1L, Long::sum);
        }
        producer.flush();
        for (String engine : List.of("builtin", "spark")) {
            awaitCounts("regions-" + engine, "/geo/region", regionOracle);
            awaitCounts("tiers-" + engine, "/profile/tier", tierOracle);
        }
    }

    private static void awaitLogLine(Path log, String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!java.nio.file.Files.readString(log).contains(text)) {
            assertThat(System.nanoTime()).as("'%s' in %s", text, log).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    private void create(String definition) throws Exception {
        HttpResponse<String> created = analytics.post("/api/v1/jobs", definition);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String name = JSON.readTree(created.body()).path("name").asText();
        assertThat(analytics.post("/api/v1/jobs/" + name + "/start", null).statusCode()).isEqualTo(200);
    }

    private void send(String topic, String key, String value) {
        producer.send(new ProducerRecord<>(topic, key, value));
    }

    /** Waits until the job's counts per "window|group" equal {@code oracle} (a null group value as "null"). */
    private void awaitCounts(String job, String pointer, Map<String, Long> oracle) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        Map<String, Long> seen = new TreeMap<>();
        while (System.nanoTime() < deadline) {
            seen.clear();
            for (JsonNode row : JSON.readTree(analytics.get("/api/v1/jobs/" + job + "/results?size=1000").body())
                    .path("rows")) {
                JsonNode group = row.path("group").path(pointer);
                seen.put(Instant.parse(row.path("windowStart").asText()).toEpochMilli() + "|"
                        + (group.isNull() ? "null" : group.asText()), row.path("values").path("visits").asLong());
            }
            if (seen.equals(oracle)) {
                return;
            }
            Thread.sleep(500);
        }
        assertThat(seen).as("%s against the oracle; job: %s; progress: %s\n%s", job,
                analytics.get("/api/v1/jobs/" + job).body(),
                analytics.get("/api/v1/jobs/" + job + "/progress?size=3").body(),
                OrderStream.tail(dir.resolve("spark").resolve(job + ".driver.log"), 30)).isEqualTo(oracle);
    }
}
