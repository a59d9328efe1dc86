package io.tributary.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

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
 * Fault test: a stream of good orders carrying poison records (a value nested 498 deep, event
 * times 2^63-1, year 9999, negative, a year beyond epoch millis, 1e300, times of the wrong type, a
 * group-by value too long to store) flows into a running job in two waves. The job never stops:
 * its (minute, country) totals equal an oracle computed here over the good orders only, its
 * invalid rows equal the poison records sent, its watermark stays at the good orders' times, and
 * it goes on producing results for the second wave.
 */
@SpringBootTest(properties = {"spring.datasource.url=jdbc:h2:mem:poison-it", "analytics.runner.max-batch-records=300"})
@AutoConfigureMockMvc
class PoisonRecordsFaultTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long MINUTE = 60_000;
    private static final int GOOD = 3_000;
    private static final List<String> COUNTRIES = List.of("de", "fr", "es", "it");
    private static Path dataDir;
    private static EmbeddedIngest ingest;

    @Autowired
    MockMvc mvc;

    @Autowired
    BatchProgressRepository progress;

    @DynamicPropertySource
    static void ingestUrl(DynamicPropertyRegistry registry) throws Exception {
        dataDir = Files.createTempDirectory("analytics-poison-ingest");
        ingest = EmbeddedIngest.start(dataDir);
        registry.add("analytics.ingest-url", ingest::url);
    }

    @AfterAll
    static void stopIngest() {
        if (ingest != null) {
            ingest.close();
        }
    }

    /** The poison records of one wave, as JSON values; each must be counted invalid. */
    static List<String> poison(int wave) {
        String deepGroup = "\"" + "x".repeat(3_000) + "\"";
        return List.of(
                "{\"ts\":9223372036854775807,\"country\":\"de\",\"amount\":1}",
                "{\"ts\":253402300799000,\"country\":\"de\",\"amount\":1}",
                "{\"ts\":-" + (wave + 1) + ",\"country\":\"fr\",\"amount\":1}",
                "{\"ts\":-9223372036854775807,\"country\":\"fr\",\"amount\":1}",
                "{\"ts\":\"+999999999-12-31T23:59:59Z\",\"country\":\"es\",\"amount\":1}",
                "{\"ts\":\"9999-12-31T23:59:59Z\",\"country\":\"es\",\"amount\":1}",
                "{\"ts\":1e300,\"country\":\"it\",\"amount\":1}",
                "{\"ts\":true,\"country\":\"it\",\"amount\":1}",
                "{\"ts\":{\"at\":1},\"country\":\"it\",\"amount\":1}",
                "{\"ts\":\"yesterday\",\"country\":\"de\",\"amount\":1}",
                "{\"ts\":" + System.currentTimeMillis() + ",\"country\":" + deepGroup + ",\"amount\":1}");
    }

    @Test
    void shouldCountPoisonInvalidAndTotalTheGoodRecordsExactly() throws Exception {
        try (IngestClient client = IngestClient.create(ClientSettings.of(ingest.url()))) {
            client.createTopic(new NewTopic("poisoned", 3, 1));
        }
        long base = Math.floorDiv(System.currentTimeMillis(), MINUTE) * MINUTE - 10 * MINUTE;
        Random random = new Random(10);
        List<String> good = new ArrayList<>();
        Map<String, long[]> oracle = new HashMap<>();
        long maxGood = Long.MIN_VALUE;
        for (int i = 0; i < GOOD; i++) {
            long ts = base + random.nextInt((int) (10 * MINUTE));
            String country = COUNTRIES.get(random.nextInt(COUNTRIES.size()));
            int amount = 1 + random.nextInt(100);
            good.add("{\"ts\":" + ts + ",\"country\":\"" + country + "\",\"amount\":" + amount + "}");
            long[] totals = oracle.computeIfAbsent(Math.floorDiv(ts, MINUTE) * MINUTE + "/" + country, k -> new long[2]);
            totals[0]++;
            totals[1] += amount;
            maxGood = Math.max(maxGood, ts);
        }
        mvc.perform(post("/api/v1/jobs").contentType(MediaType.APPLICATION_JSON).content("""
                {"name":"poisoned","source":"poisoned","eventTime":"/ts","watermark":"PT15M",
                 "window":{"type":"tumbling","size":"PT1M"},"groupBy":["/country"],
                 "aggregations":[{"name":"n","function":"count"},{"name":"total","function":"sum","field":"/amount"}],
                 "trigger":{"type":"processing-time","interval":"PT0.1S"},"outputMode":"update"}
                """)).andExpect(status().isCreated());
        mvc.perform(post("/api/v1/jobs/poisoned/start")).andExpect(status().isOk());

        long poisonSent = 0;
        for (int wave = 0; wave < 2; wave++) {
            List<String> waveGood = good.subList(wave * GOOD / 2, (wave + 1) * GOOD / 2);
            poisonSent += produceWithPoison(waveGood, poison(wave), wave);
            Map<String, long[]> expected = totals(good.subList(0, (wave + 1) * GOOD / 2));
            long expectedInvalid = poisonSent;
            await("wave " + wave + " is counted").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> {
                        assertThat(results()).isEqualTo(view(expected));
                        assertThat(invalidRows()).isEqualTo(expectedInvalid);
                    });
        }
        assertThat(results()).isEqualTo(view(oracle));
        JsonNode job = JSON.readTree(mvc.perform(get("/api/v1/jobs/poisoned")).andReturn().getResponse()
                .getContentAsString());
        assertThat(job.path("status").asString()).isEqualTo("RUNNING");
        assertThat(job.path("lastError").isNull() || job.path("lastError").isMissingNode()).isTrue();
        JsonNode latest = JSON.readTree(mvc.perform(get("/api/v1/jobs/poisoned/progress?size=1")).andReturn()
                .getResponse().getContentAsString()).path("batches").get(0);
        assertThat(Instant.parse(latest.path("watermark").asString()).toEpochMilli())
                .isEqualTo(maxGood - 15 * MINUTE);
        long input = progress.findAll().stream().filter(p -> p.jobName.equals("poisoned"))
                .mapToLong(p -> p.inputRows).sum();
        assertThat(input).isEqualTo(GOOD + poisonSent);
    }

    /**
     * Produces the wave's good records with its poison records spread among them, plus three values
     * nested 498 deep through NDJSON produce (which once accepted them, and no fetch answer could then
     * be read; ingest now refuses values deeper than ingest.produce.max-value-depth); answers how many
     * poison records the log took (the deep ones only if ingest accepted them).
     */
    private long produceWithPoison(List<String> good, List<String> poison, int wave) throws Exception {
        long sent = 0;
        try (IngestProducer producer = IngestProducer.create(ProducerSettings.builder(ClientSettings.of(ingest.url()))
                .batchSize(200).build())) {
            int every = good.size() / poison.size();
            for (int i = 0; i < good.size(); i++) {
                producer.send("poisoned", ProducerRecord.ofJson("k" + (i % 97), good.get(i)));
                if (i % every == every / 2 && i / every < poison.size()) {
                    producer.send("poisoned", ProducerRecord.ofJson("p" + i, poison.get(i / every)));
                    sent++;
                }
            }
            producer.flush();
        }
        // Invalid whether the job can read it or not (no usable time), so the count holds for any ingest limit.
        String deep = "{\"ts\":\"deep\",\"country\":\"de\",\"x\":" + "[".repeat(497) + "]".repeat(497) + "}";
        StringBuilder ndjson = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            ndjson.append("{\"key\":\"deep").append(wave).append(i).append("\",\"value\":").append(deep).append("}\n");
        }
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(ingest.url() + "/api/v1/topics/poisoned/records"))
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(ndjson.toString())).build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() == 200) {
            sent += 3;
        } else { // an ingest that refuses values this deep at produce keeps them out of the log
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(400);
        }
        return sent;
    }

    private static Map<String, long[]> totals(List<String> good) {
        Map<String, long[]> totals = new HashMap<>();
        for (String record : good) {
            JsonNode node = JSON.readTree(record);
            long ts = node.path("ts").asLong();
            long[] t = totals.computeIfAbsent(Math.floorDiv(ts, MINUTE) * MINUTE + "/" + node.path("country").asString(),
                    k -> new long[2]);
            t[0]++;
            t[1] += node.path("amount").asLong();
        }
        return totals;
    }

    private static Map<String, String> view(Map<String, long[]> totals) {
        Map<String, String> view = new HashMap<>();
        totals.forEach((key, t) -> view.put(key, t[0] + "/" + t[1]));
        return view;
    }

    private Map<String, String> results() throws Exception {
        JsonNode page = JSON.readTree(mvc.perform(get("/api/v1/jobs/poisoned/results?size=10000"))
                .andReturn().getResponse().getContentAsString());
        Map<String, String> actual = new HashMap<>();
        for (JsonNode row : page.path("rows")) {
            String key = Instant.parse(row.path("windowStart").asString()).toEpochMilli() + "/"
                    + row.path("group").path("/country").asString();
            actual.put(key, row.path("values").path("n").asLong() + "/" + (long) row.path("values").path("total").asDouble());
        }
        return actual;
    }

    private long invalidRows() {
        return progress.findAll().stream().filter(p -> p.jobName.equals("poisoned"))
                .mapToLong((BatchProgress p) -> p.invalidRows).sum();
    }
}
