package io.tributary.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.tributary.client.ClientSettings;
import io.tributary.client.FetchOptions;
import io.tributary.client.FetchResult;
import io.tributary.client.IngestClient;
import io.tributary.client.NewTopic;
import io.tributary.client.TopicPartition;
import io.tributary.client.producer.IngestProducer;
import io.tributary.client.producer.ProducerRecord;
import io.tributary.client.producer.ProducerSettings;
import io.tributary.testkit.EmbeddedIngest;
import io.tributary.testkit.ServiceProcess;
import io.tributary.testkit.TestStore;
import tools.jackson.databind.JsonNode;

/**
 * The exactly-once proof: the analytics service runs in a separate JVM that is SIGKILLed
 * {@value #KILLS} times while {@value #EVENTS} events flow in, and is restarted each time on the
 * same H2 file database. Afterwards every (minute, country) row equals the totals computed here:
 * nothing counted twice, nothing skipped. The job also publishes its rows to an output topic,
 * which must then hold every row each committed batch emitted exactly once, the newest per row
 * equal to those totals.
 */
class ExactlyOnceCrashTest {

    private static final int EVENTS = 40_000;
    private static final int KILLS = 3;
    private static final long T0 = 1_700_000_040_000L;
    private static final long MINUTE = 60_000;
    private static final List<String> COUNTRIES = List.of("de", "fr", "es", "it");

    @TempDir
    Path temp;

    private EmbeddedIngest ingest;
    private ServiceProcess analytics;

    @AfterEach
    void tearDown() throws Exception {
        if (analytics != null) {
            analytics.close();
        }
        if (ingest != null) {
            ingest.close();
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void shouldCountEveryEventOnceAcrossSigkills(TestStore store) throws Exception {
        database = store.serviceArgs("analytics_crash");
        ingest = EmbeddedIngest.start(temp.resolve("ingest"));
        try (IngestClient client = IngestClient.create(ClientSettings.of(ingest.url()))) {
            client.createTopic(new NewTopic("crash", 3, 1));
            client.createTopic(new NewTopic("crash-results", 2, 1));
        }
        Random random = new Random(99);
        List<String> events = new ArrayList<>();
        Map<String, long[]> expected = new HashMap<>(); // key -> {count, sum}
        for (int i = 0; i < EVENTS; i++) {
            long ts = T0 + random.nextInt((int) (10 * MINUTE));
            String country = COUNTRIES.get(random.nextInt(COUNTRIES.size()));
            int amount = 1 + random.nextInt(100);
            events.add("{\"ts\":" + ts + ",\"country\":\"" + country + "\",\"amount\":" + amount + "}");
            long[] totals = expected.computeIfAbsent(Math.floorDiv(ts, MINUTE) * MINUTE + "/" + country, k -> new long[2]);
            totals[0]++;
            totals[1] += amount;
        }
        analytics = start();
        send("POST", "/api/v1/jobs", """
                {"name":"crash","source":"crash","eventTime":"/ts","watermark":"PT11M",
                 "window":{"type":"tumbling","size":"PT1M"},"groupBy":["/country"],"outputMode":"update",
                 "trigger":{"type":"processing-time","interval":"PT0.2S"},"output":{"topic":"crash-results"},
                 "aggregations":[{"name":"n","function":"count"},{"name":"total","function":"sum","field":"/amount"}]}
                """, 201);
        send("POST", "/api/v1/jobs/crash/start", null, 200);

        // The events go out in KILLS + 1 segments and segment k + 1 is released only after kill k,
        // so every kill finds events still to come, and each restarted job has fresh data to make
        // progress on (a job with nothing new to read commits no batch).
        int segment = EVENTS / (KILLS + 1);
        Semaphore released = new Semaphore(0);
        AtomicReference<Throwable> producerFailure = new AtomicReference<>();
        Thread producer = new Thread(() -> {
            try (IngestProducer out = IngestProducer.create(ProducerSettings.builder(ClientSettings.of(ingest.url()))
                    .batchSize(500).linger(Duration.ofMillis(5)).build())) {
                for (int s = 0; s <= KILLS; s++) {
                    if (s > 0) {
                        released.acquire();
                    }
                    int end = s == KILLS ? EVENTS : (s + 1) * segment;
                    for (int i = s * segment; i < end; i++) {
                        out.send("crash", ProducerRecord.ofJson("k" + i, events.get(i)));
                        if (i % 500 == 499) {
                            out.flush();
                            Thread.sleep(150);
                        }
                    }
                    out.flush();
                }
            } catch (Throwable e) {
                producerFailure.set(e);
            }
        });
        producer.start();
        List<Long> killedAt = new ArrayList<>();
        for (int kill = 0; kill < KILLS; kill++) {
            long segmentStart = (long) kill * segment;
            // The (re)started job has committed batches into the newest released segment.
            await("the restarted job reads past offset sum " + segmentStart).atMost(Duration.ofSeconds(180))
                    .ignoreExceptions().until(() -> producerFailure.get() != null || consumed() > segmentStart);
            assertThat(producerFailure.get()).as("the producer failed").isNull();
            Thread.sleep(random.nextInt(200));
            killedAt.add(consumed());
            analytics.kill();
            analytics = start();
            released.release();
        }
        producer.join();
        assertThat(killedAt).as("every kill lands mid-run").allMatch(consumed -> consumed > 0 && consumed < EVENTS);
        assertThat(producerFailure.get()).isNull();

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> consumed() == EVENTS);
        Map<String, long[]> actual = JobHttp.countsAndTotals(analytics.url(), "crash");
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach((key, totals) -> assertThat(actual.get(key)).as(key).containsExactly(totals));

        await("the last batch's rows are published").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(published()).as("rows in the output topic").hasSize((int) emittedRows()));
        Map<String, long[]> newest = new HashMap<>();
        Set<String> seen = new HashSet<>();
        long newestBatch = -1;
        for (JsonNode row : published()) {
            String key = Instant.parse(row.path("windowStart").asString()).toEpochMilli() + "/"
                    + row.path("group").path("/country").asString();
            long batch = row.path("batchId").asLong();
            assertThat(seen.add(batch + "@" + key)).as("row %s of batch %d is published once", key, batch).isTrue();
            newestBatch = Math.max(newestBatch, batch);
            long[] previous = newest.get(key);
            if (previous == null || previous[2] < batch) {
                newest.put(key, new long[] {row.path("values").path("n").asLong(),
                        (long) row.path("values").path("total").asDouble(), batch});
            }
        }
        assertThat(newest.keySet()).isEqualTo(expected.keySet());
        expected.forEach((key, totals) -> assertThat(Arrays.copyOf(newest.get(key), 2)).as("published %s", key)
                .containsExactly(totals));
    }

    /** Every record of the output topic's partitions, as JSON values. */
    private List<JsonNode> published() {
        List<JsonNode> rows = new ArrayList<>();
        try (IngestClient client = IngestClient.create(ClientSettings.of(ingest.url()))) {
            for (int partition = 0; partition < 2; partition++) {
                TopicPartition tp = new TopicPartition("crash-results", partition);
                long offset = 0;
                while (true) {
                    FetchResult fetched = client.fetch(tp, offset,
                            FetchOptions.defaults().withMaxRecords(5_000));
                    fetched.records().forEach(record -> rows.add(record.value()));
                    if (fetched.records().isEmpty() || fetched.nextOffset() >= fetched.highWatermark()) {
                        break;
                    }
                    offset = fetched.nextOffset();
                }
            }
        }
        return rows;
    }

    /** The rows all committed batches emitted, from the job's progress. */
    private long emittedRows() throws Exception {
        long sum = 0;
        for (int page = 0; ; page++) {
            JsonNode batches = JobHttp.JSON.readTree(send("GET",
                    "/api/v1/jobs/crash/progress?size=1000&page=" + page, null, 200)).path("batches");
            if (batches.isEmpty()) {
                return sum;
            }
            for (JsonNode batch : batches) {
                sum += batch.path("emittedRows").asLong();
            }
        }
    }

    /** The datasource arguments of the test's store (none: the service's default H2 file). */
    private List<String> database;

    private ServiceProcess start() throws Exception {
        // The child's log outlives the temp folder, so a failure in CI can be read afterwards.
        Path log = Path.of("target", "crash-test", "analytics-child.log");
        java.nio.file.Files.createDirectories(log.getParent());
        List<String> args = new ArrayList<>(List.of(
                // the same identity after each restart, as a StatefulSet pod has: it takes its lease back at once
                "--analytics.leases.instance-id=crash-test",
                "--analytics.runner.max-batch-records=1500", "--logging.level.root=WARN",
                "--logging.level.io.tributary=INFO"));
        args.addAll(database);
        return AnalyticsServiceProcess.start(ingest.url(), temp, log, args.toArray(String[]::new))
                .awaitReady(Duration.ofSeconds(60));
    }

    private long consumed() throws Exception {
        return JobHttp.consumed(analytics.url(), "crash");
    }

    private String send(String method, String path, String body, int expectedStatus) throws Exception {
        return JobHttp.send(analytics.url(), method, path, body, expectedStatus);
    }
}
