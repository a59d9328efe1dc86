package io.tributary.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

import io.tributary.analytics.store.BatchProgress;
import io.tributary.analytics.store.BatchProgressRepository;
import io.tributary.analytics.store.JobStore;
import io.tributary.client.ClientSettings;
import io.tributary.client.IngestClient;
import io.tributary.client.NewTopic;
import io.tributary.client.producer.IngestProducer;
import io.tributary.client.producer.ProducerRecord;
import io.tributary.client.producer.ProducerSettings;
import io.tributary.testkit.EmbeddedIngest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two jobs over a real ingest-service: 1-minute tumbling windows (append) and 2-minute windows
 * sliding by 1 minute (update), grouped by country. The events span 10 minutes of event time in
 * random order; the watermark trails by 11 minutes, so none of them is late. Then a few events 30
 * minutes on move the watermark past every window of those 10 minutes, and a last set of events
 * inside those minutes must be dropped as late. Results must equal totals computed here, and the
 * late rows in the progress must equal the late events sent. The sliding job is stopped and started
 * again mid-way: it must resume from its checkpoint without counting anything twice.
 */
@SpringBootTest(properties = {"spring.datasource.url=jdbc:h2:mem:windowed-it", "analytics.runner.max-batch-records=9000"})
@AutoConfigureMockMvc
class WindowedTotalsIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long T0 = 1_700_000_040_000L; // a whole minute
    private static final long MINUTE = 60_000;
    private static final int EVENTS = 100_000;
    private static final int ADVANCE = 10;
    private static final int LATE = 500;
    private static final List<String> COUNTRIES = List.of("de", "fr", "es", "it", "pl");
    private static Path dataDir;
    private static EmbeddedIngest ingest;

    @Autowired
    MockMvc mvc;

    @Autowired
    JobStore store;

    @Autowired
    BatchProgressRepository progress;

    @DynamicPropertySource
    static void ingestUrl(DynamicPropertyRegistry registry) throws Exception {
        dataDir = Files.createTempDirectory("analytics-it-ingest");
        ingest = EmbeddedIngest.start(dataDir);
        registry.add("analytics.ingest-url", ingest::url);
    }

    @AfterAll
    static void stopIngest() {
        if (ingest != null) {
            ingest.close();
        }
    }

    record Event(long ts, String user, String country, int amount) {
        String json(boolean iso) {
            return "{\"ts\":" + (iso ? "\"" + Instant.ofEpochMilli(ts) + "\"" : Long.toString(ts))
                    + ",\"user\":\"" + user + "\",\"country\":\"" + country + "\",\"amount\":" + amount + "}";
        }
    }

    /** Exact totals of one (window, country). */
    static final class Totals {
        long count;
        long sum;
        int min = Integer.MAX_VALUE;
        int max = Integer.MIN_VALUE;
        final Set<String> users = new HashSet<>();

        void add(Event e) {
            count++;
            sum += e.amount();
            min = Math.min(min, e.amount());
            max = Math.max(max, e.amount());
            users.add(e.user());
        }
    }

    @Test
    void shouldMatchIndependentTotalsForTumblingAndSlidingWindows() throws Exception {
        try (IngestClient client = IngestClient.create(ClientSettings.of(ingest.url()))) {
            client.createTopic(new NewTopic("clicks", 3, 1));
        }
        Random random = new Random(2026);
        List<Event> onTime = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            onTime.add(new Event(T0 + random.nextInt((int) (10 * MINUTE)), "u" + random.nextInt(3_000),
                    COUNTRIES.get(random.nextInt(COUNTRIES.size())), 1 + random.nextInt(100)));
        }
        List<Event> advance = new ArrayList<>();
        for (int i = 0; i < ADVANCE; i++) {
            advance.add(new Event(T0 + 30 * MINUTE + i, "u1", "de", 1));
        }
        List<Event> late = new ArrayList<>();
        for (int i = 0; i < LATE; i++) {
            late.add(new Event(T0 + random.nextInt((int) (10 * MINUTE)), "late" + i, "de", 1_000));
        }

        createJob("tumbling", "{\"type\":\"tumbling\",\"size\":\"PT1M\"}", "append");
        createJob("sliding", "{\"type\":\"sliding\",\"size\":\"PT2M\",\"slide\":\"PT1M\"}", "update");
        mvc.perform(post("/api/v1/jobs/tumbling/start")).andExpect(status().isOk());
        mvc.perform(post("/api/v1/jobs/sliding/start")).andExpect(status().isOk());

        produce(onTime.subList(0, EVENTS / 2), random);
        // Restart the sliding job while it works: it must carry on from its last committed batch.
        await().atMost(Duration.ofSeconds(60)).until(() -> consumed("sliding") > 0);
        mvc.perform(post("/api/v1/jobs/sliding/stop")).andExpect(status().isOk());
        mvc.perform(post("/api/v1/jobs/sliding/start")).andExpect(status().isOk());
        produce(onTime.subList(EVENTS / 2, EVENTS), random);
        awaitConsumed(EVENTS);
        produce(advance, random);
        awaitConsumed(EVENTS + ADVANCE);
        produce(late, random);
        awaitConsumed(EVENTS + ADVANCE + LATE);

        Map<String, Totals> tumbling = new HashMap<>();
        Map<String, Totals> sliding = new HashMap<>();
        for (Event e : onTime) {
            long start = Math.floorDiv(e.ts(), MINUTE) * MINUTE;
            tumbling.computeIfAbsent(key(start, e.country()), k -> new Totals()).add(e);
            sliding.computeIfAbsent(key(start, e.country()), k -> new Totals()).add(e);
            sliding.computeIfAbsent(key(start - MINUTE, e.country()), k -> new Totals()).add(e);
        }

        Map<String, JsonNode> tumblingRows = results("tumbling");
        assertThat(tumblingRows.keySet()).isEqualTo(tumbling.keySet()); // append: only closed windows, none twice
        assertMatches(tumblingRows, tumbling, 60_000);
        Map<String, JsonNode> slidingRows = results("sliding");
        slidingRows.keySet().removeIf(k -> Long.parseLong(k.split("/")[0]) >= T0 + 20 * MINUTE); // the advance events
        assertThat(slidingRows.keySet()).isEqualTo(sliding.keySet());
        assertMatches(slidingRows, sliding, 120_000);

        assertThat(sum("tumbling", p -> p.lateRows)).isEqualTo(LATE);
        assertThat(sum("sliding", p -> p.lateRows)).isEqualTo(LATE);
        assertThat(sum("tumbling", p -> p.inputRows)).isEqualTo(EVENTS + ADVANCE + LATE);
        assertThat(sum("sliding", p -> p.inputRows)).isEqualTo(EVENTS + ADVANCE + LATE);
        JsonNode latest = JSON.readTree(mvc.perform(get("/api/v1/jobs/tumbling/progress?size=1"))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString()).path("batches").get(0);
        assertThat(latest.path("watermark").asString()).isEqualTo(Instant.ofEpochMilli(T0 + 19 * MINUTE + ADVANCE - 1)
                .toString());
        assertThat(latest.path("durationMs").has("commit")).isTrue();
    }

    @Test
    void shouldDrainAPrefilledTopicAndCompleteInAvailableNowMode() throws Exception {
        try (IngestClient client = IngestClient.create(ClientSettings.of(ingest.url()))) {
            client.createTopic(new NewTopic("history", 2, 1));
        }
        Random random = new Random(17);
        List<Event> events = new ArrayList<>();
        Map<String, Long> sums = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            Event e = new Event(T0 + random.nextInt((int) (60 * MINUTE)), "u" + i,
                    COUNTRIES.get(random.nextInt(COUNTRIES.size())), 1 + random.nextInt(100));
            events.add(e);
            sums.merge(e.country(), (long) e.amount(), Long::sum);
        }
        produce(events, random, "history");
        String body = """
                {"name":"backfill","source":"history","eventTime":"/ts","groupBy":["/country"],
                 "outputMode":"complete","trigger":{"type":"available-now"},
                 "aggregations":[{"name":"total","function":"sum","field":"/amount"}]}
                """;
        mvc.perform(post("/api/v1/jobs").contentType(MediaType.APPLICATION_JSON).content(body))
                .andExpect(status().isCreated());
        mvc.perform(post("/api/v1/jobs/backfill/start")).andExpect(status().isOk());
        await().atMost(Duration.ofSeconds(60)).until(() -> JSON.readTree(mvc.perform(get("/api/v1/jobs/backfill"))
                .andReturn().getResponse().getContentAsString()).path("status").asString().equals("COMPLETED"));
        // after the end it drained to, and a completed job has no worker left that could read them
        produce(events.subList(0, 10), random, "history");
        assertThat(consumed("backfill")).isEqualTo(20_000);
        JsonNode page = JSON.readTree(mvc.perform(get("/api/v1/jobs/backfill/results?group=de"))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString());
        assertThat(page.path("totalRows").asLong()).isEqualTo(1);
        JsonNode row = page.path("rows").get(0);
        assertThat(row.path("windowStart").isNull()).isTrue();
        assertThat(row.path("values").path("total").asDouble()).isEqualTo((double) sums.get("de"));
    }

    @Test
    void shouldPublishEveryEmittedRowToTheOutputTopic() throws Exception {
        try (IngestClient client = IngestClient.create(ClientSettings.of(ingest.url()))) {
            client.createTopic(new NewTopic("visits", 2, 1));
            client.createTopic(new NewTopic("visits-per-minute", 3, 1));
        }
        Random random = new Random(23);
        List<Event> events = new ArrayList<>();
        Map<String, Long> counts = new HashMap<>();
        for (int i = 0; i < 3_000; i++) {
            Event e = new Event(T0 + random.nextInt((int) (3 * MINUTE)), "u" + i,
                    COUNTRIES.get(random.nextInt(COUNTRIES.size())), 1);
            events.add(e);
            counts.merge(key(Math.floorDiv(e.ts(), MINUTE) * MINUTE, e.country()), 1L, Long::sum);
        }
        produce(events, random, "visits");
        String body = """
                {"name":"visits-out","source":"visits","eventTime":"/ts","watermark":"PT10M",
                 "window":{"type":"tumbling","size":"PT1M"},"groupBy":["/country"],"outputMode":"update",
                 "trigger":{"type":"available-now"},"output":{"topic":"visits-per-minute"},
                 "aggregations":[{"name":"n","function":"count"}]}
                """;
        mvc.perform(post("/api/v1/jobs").contentType(MediaType.APPLICATION_JSON).content(body))
                .andExpect(status().isCreated());
        mvc.perform(post("/api/v1/jobs/visits-out/start")).andExpect(status().isOk());
        await().atMost(Duration.ofSeconds(60)).until(() -> JSON.readTree(mvc.perform(get("/api/v1/jobs/visits-out"))
                .andReturn().getResponse().getContentAsString()).path("status").asString().equals("COMPLETED"));

        Map<String, Long> newest = new HashMap<>();
        Map<String, Long> newestBatch = new HashMap<>();
        long published = 0;
        try (IngestClient client = IngestClient.create(ClientSettings.of(ingest.url()))) {
            for (int p = 0; p < 3; p++) {
                for (io.tributary.client.ConsumedRecord record : client.fetch(new io.tributary.client.TopicPartition(
                        "visits-per-minute", p), 0, io.tributary.client.FetchOptions.defaults()).records()) {
                    JsonNode row = record.value();
                    String key = key(Instant.parse(row.path("windowStart").asString()).toEpochMilli(),
                            row.path("group").path("/country").asString());
                    assertThat(record.key()).isEqualTo(row.path("group").path("/country").asString());
                    long batch = row.path("batchId").asLong();
                    if (batch >= newestBatch.getOrDefault(key, -1L)) {
                        newestBatch.put(key, batch);
                        newest.put(key, row.path("values").path("n").asLong());
                    }
                    published++;
                }
            }
        }
        assertThat(published).isEqualTo(sum("visits-out", p -> p.emittedRows));
        assertThat(newest).isEqualTo(counts);
    }

    @Test
    void shouldRefuseAnOutputTopicThatDoesNotExist() throws Exception {
        String body = """
                {"name":"nowhere","source":"clicks","eventTime":"/ts","output":{"topic":"no-such-topic"},
                 "aggregations":[{"name":"n","function":"count"}]}
                """;
        mvc.perform(post("/api/v1/jobs").contentType(MediaType.APPLICATION_JSON).content(body))
                .andExpect(status().isBadRequest())
                .andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath("$.field")
                        .value("output.topic"));
    }

    @Test
    void shouldJoinWithTheLatestValuePerKeyOfATableTopic() throws Exception {
        try (IngestClient client = IngestClient.create(ClientSettings.of(ingest.url()))) {
            client.createTopic(new NewTopic("profiles", 1, 1));
            client.createTopic(new NewTopic("purchases", 2, 1));
        }
        try (IngestProducer producer = IngestProducer.create(ProducerSettings.builder(ClientSettings.of(ingest.url()))
                .build())) {
            for (int u = 0; u < 100; u++) {
                producer.send("profiles", ProducerRecord.ofJson("u" + u,
                        "{\"tier\":\"" + (u % 2 == 0 ? "gold" : "silver") + "\"}"));
            }
            producer.send("profiles", ProducerRecord.ofJson("u1", "{\"tier\":\"gold\"}")); // latest wins
            producer.send("profiles", ProducerRecord.ofJson("u99", "null")); // deleted
            producer.flush();
        }
        Random random = new Random(5);
        Map<String, Long> sums = new HashMap<>();
        long unmatched = 0;
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            int u = random.nextInt(120);
            Event e = new Event(T0 + i, "u" + u, "de", 1 + random.nextInt(100));
            events.add(e);
            if (u >= 99) {
                unmatched++;
            } else {
                sums.merge(u % 2 == 0 || u == 1 ? "gold" : "silver", (long) e.amount(), Long::sum);
            }
        }
        produce(events, random, "purchases");
        String body = """
                {"name":"by-tier","source":"purchases","eventTime":"/ts","groupBy":["/profile/tier"],
                 "join":{"type":"topic","topic":"profiles","key":"/user","target":"/profile","missing":"drop"},
                 "outputMode":"complete","trigger":{"type":"available-now"},
                 "aggregations":[{"name":"total","function":"sum","field":"/amount"}]}
                """;
        mvc.perform(post("/api/v1/jobs").contentType(MediaType.APPLICATION_JSON).content(body))
                .andExpect(status().isCreated());
        mvc.perform(post("/api/v1/jobs/by-tier/start")).andExpect(status().isOk());
        await().atMost(Duration.ofSeconds(60)).until(() -> JSON.readTree(mvc.perform(get("/api/v1/jobs/by-tier"))
                .andReturn().getResponse().getContentAsString()).path("status").asString().equals("COMPLETED"));
        JsonNode page = JSON.readTree(mvc.perform(get("/api/v1/jobs/by-tier/results"))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString());
        Map<String, Long> actual = new HashMap<>();
        for (JsonNode row : page.path("rows")) {
            actual.put(row.path("group").path("/profile/tier").asString(), (long) row.path("values").path("total").asDouble());
        }
        assertThat(actual).isEqualTo(sums);
        assertThat(sum("by-tier", p -> p.filteredRows)).isEqualTo(unmatched);
        assertThat(sum("by-tier", p -> p.inputRows)).isEqualTo(5_000);
    }

    private void assertMatches(Map<String, JsonNode> rows, Map<String, Totals> expected, long windowMs) {
        double rse = 1.04 / Math.sqrt(4096);
        expected.forEach((key, totals) -> {
            JsonNode values = rows.get(key);
            assertThat(values.path("n").asLong()).as("count %s", key).isEqualTo(totals.count);
            assertThat(values.path("total").asDouble()).as("sum %s", key).isEqualTo((double) totals.sum);
            assertThat(values.path("low").asDouble()).as("min %s", key).isEqualTo((double) totals.min);
            assertThat(values.path("high").asDouble()).as("max %s", key).isEqualTo((double) totals.max);
            assertThat(values.path("mean").asDouble()).as("avg %s", key)
                    .isCloseTo((double) totals.sum / totals.count, org.assertj.core.data.Offset.offset(1e-9));
            assertThat((double) Math.abs(values.path("users").asLong() - totals.users.size())).as("users %s", key)
                    .isLessThanOrEqualTo(Math.max(1, 3 * rse * totals.users.size()));
        });
    }

    private void createJob(String name, String window, String mode) throws Exception {
        String body = """
                {"name":"%s","source":"clicks","eventTime":"/ts","watermark":"PT11M","window":%s,
                 "groupBy":["/country"],"outputMode":"%s","trigger":{"type":"processing-time","interval":"PT0.5S"},
                 "aggregations":[{"name":"n","function":"count"},{"name":"total","function":"sum","field":"/amount"},
                   {"name":"low","function":"min","field":"/amount"},{"name":"high","function":"max","field":"/amount"},
                   {"name":"mean","function":"avg","field":"/amount"},
                   {"name":"users","function":"approx_distinct","field":"/user"},
                   {"name":"amounts","function":"percentiles","field":"/amount","percentiles":[0.5]}]}
                """.formatted(name, window, mode);
        mvc.perform(post("/api/v1/jobs").contentType(MediaType.APPLICATION_JSON).content(body))
                .andExpect(status().isCreated());
    }

    private static void produce(List<Event> events, Random random) {
        produce(events, random, "clicks");
    }

    private static void produce(List<Event> events, Random random, String topic) {
        try (IngestProducer producer = IngestProducer.create(ProducerSettings.builder(ClientSettings.of(ingest.url()))
                .batchSize(1_000).linger(Duration.ofMillis(5)).build())) {
            for (Event e : events) {
                producer.send(topic, ProducerRecord.ofJson(e.user(), e.json(random.nextInt(10) == 0)));
            }
            producer.flush();
        }
    }

    private long consumed(String job) {
        return store.offsets(store.checkpoint(job)).values().stream().mapToLong(Long::longValue).sum();
    }

    private void awaitConsumed(long total) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> consumed("tumbling") == total && consumed("sliding") == total);
    }

    private long sum(String job, java.util.function.ToLongFunction<BatchProgress> field) {
        return progress.findAll().stream().filter(p -> p.jobName.equals(job)).mapToLong(field).sum();
    }

    private Map<String, JsonNode> results(String job) throws Exception {
        JsonNode page = JSON.readTree(mvc.perform(get("/api/v1/jobs/" + job + "/results?size=10000"))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString());
        Map<String, JsonNode> rows = new HashMap<>();
        for (JsonNode row : page.path("rows")) {
            String key = key(Instant.parse(row.path("windowStart").asString()).toEpochMilli(),
                    row.path("group").path("/country").asString());
            assertThat(rows.put(key, row.path("values"))).as("row %s appears once", key).isNull();
        }
        assertThat(page.path("totalRows").asLong()).isEqualTo(rows.size());
        return rows;
    }

    private static String key(long windowStart, String country) {
        return windowStart + "/" + country;
    }
}
