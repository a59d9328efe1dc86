package io.tributary.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.tributary.client.ClientSettings;
import io.tributary.client.IngestClient;
import io.tributary.client.NewTopic;
import io.tributary.client.producer.IngestProducer;
import io.tributary.client.producer.ProducerRecord;
import io.tributary.client.producer.ProducerSettings;
import io.tributary.testkit.EmbeddedIngest;
import io.tributary.testkit.ServiceProcess;
import io.tributary.testkit.TestStore;

/**
 * Two analytics instances (separate JVMs) share one database: an H2 file in AUTO_SERVER mode, or a PostgreSQL
 * server as in the {@code prod} overlay. A job
 * started through one runs on exactly one of them (its lease owner); SIGKILL that owner mid-run
 * and the other takes the job over once the lease expires and finishes it from the checkpoint:
 * every (minute, country) row equals the totals computed here.
 */
class LeaseFailoverTest {

    private static final int EVENTS = 12_000;
    private static final long T0 = 1_700_000_040_000L;
    private static final long MINUTE = 60_000;
    private static final List<String> COUNTRIES = List.of("de", "fr", "es");

    @TempDir
    Path temp;

    private EmbeddedIngest ingest;
    private final Map<String, ServiceProcess> instances = new HashMap<>();

    @AfterEach
    void tearDown() throws Exception {
        for (ServiceProcess instance : instances.values()) {
            instance.close();
        }
        if (ingest != null) {
            ingest.close();
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void shouldMoveAJobToTheSurvivingInstanceWhenItsOwnerIsKilled(TestStore store) throws Exception {
        ingest = EmbeddedIngest.start(temp.resolve("ingest"));
        try (IngestClient client = IngestClient.create(ClientSettings.of(ingest.url()))) {
            client.createTopic(new NewTopic("orders", 3, 1));
        }
        Random random = new Random(7);
        List<String> events = new ArrayList<>();
        Map<String, long[]> expected = new HashMap<>();
        for (int i = 0; i < EVENTS; i++) {
            long ts = T0 + random.nextInt((int) (5 * MINUTE));
            String country = COUNTRIES.get(random.nextInt(COUNTRIES.size()));
            int amount = 1 + random.nextInt(100);
            events.add("{\"ts\":" + ts + ",\"country\":\"" + country + "\",\"amount\":" + amount + "}");
            long[] totals = expected.computeIfAbsent(Math.floorDiv(ts, MINUTE) * MINUTE + "/" + country, k -> new long[2]);
            totals[0]++;
            totals[1] += amount;
        }
        List<String> sharedDb = store == TestStore.H2
                ? List.of("--spring.datasource.url=jdbc:h2:file:" + temp.resolve("shared").resolve("analytics")
                        .toAbsolutePath() + ";AUTO_SERVER=TRUE;WRITE_DELAY=0")
                : store.serviceArgs("lease_failover");
        for (String name : List.of("alpha", "beta")) {
            Path home = Files.createDirectories(temp.resolve(name));
            Path log = Path.of("target", "failover-test", store + "-" + name + ".log");
            Files.createDirectories(log.getParent());
            List<String> args = new ArrayList<>(sharedDb);
            args.addAll(List.of("--analytics.leases.instance-id=" + name, "--analytics.leases.ttl=PT3S",
                    "--analytics.leases.renew-interval=PT0.5S", "--analytics.runner.max-batch-records=900",
                    "--logging.level.root=WARN", "--logging.level.io.tributary=INFO"));
            instances.put(name, AnalyticsServiceProcess.start(ingest.url(), home, log, args.toArray(String[]::new)));
        }
        for (ServiceProcess instance : instances.values()) {
            instance.awaitReady(Duration.ofSeconds(90));
        }
        String alpha = instances.get("alpha").url();
        JobHttp.send(alpha, "POST", "/api/v1/jobs", """
                {"name":"orders-by-minute","source":"orders","eventTime":"/ts","watermark":"PT10M",
                 "window":{"type":"tumbling","size":"PT1M"},"groupBy":["/country"],"outputMode":"update",
                 "trigger":{"type":"processing-time","interval":"PT0.2S"},
                 "aggregations":[{"name":"n","function":"count"},{"name":"total","function":"sum","field":"/amount"}]}
                """, 201);
        JobHttp.send(alpha, "POST", "/api/v1/jobs/orders-by-minute/start", null, 200);

        produce(events.subList(0, EVENTS / 2));
        await("the job counts the first half").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> JobHttp.consumed(alpha, "orders-by-minute") >= EVENTS / 4);
        String owner = JobHttp.job(alpha, "orders-by-minute").path("owner").asString();
        assertThat(owner).as("the job runs on one named instance").isIn("alpha", "beta");
        String survivor = owner.equals("alpha") ? "beta" : "alpha";
        String survivorUrl = instances.get(survivor).url();

        instances.remove(owner).kill();
        long countedBeforeTheKill = JobHttp.consumed(survivorUrl, "orders-by-minute");
        produce(events.subList(EVENTS / 2, EVENTS));

        await("the survivor takes the job over").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> survivor.equals(JobHttp.job(survivorUrl, "orders-by-minute").path("owner").asString()));
        await("the survivor counts everything").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> JobHttp.consumed(survivorUrl, "orders-by-minute") == EVENTS);
        assertThat(countedBeforeTheKill).as("the kill landed mid-run").isLessThan(EVENTS);
        assertThat(JobHttp.job(survivorUrl, "orders-by-minute").path("status").asString()).isEqualTo("RUNNING");

        Map<String, long[]> actual = JobHttp.countsAndTotals(survivorUrl, "orders-by-minute");
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach((key, totals) -> assertThat(actual.get(key)).as(key).containsExactly(totals));
    }

    private void produce(List<String> values) {
        try (IngestProducer producer = IngestProducer.create(ProducerSettings.builder(ClientSettings.of(ingest.url()))
                .batchSize(300).linger(Duration.ofMillis(5)).build())) {
            for (int i = 0; i < values.size(); i++) {
                producer.send("orders", ProducerRecord.ofJson("k" + i, values.get(i)));
                if (i % 300 == 299) {
                    producer.flush();
                }
            }
            producer.flush();
        }
    }
}
