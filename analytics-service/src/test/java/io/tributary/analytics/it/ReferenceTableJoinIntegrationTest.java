package io.tributary.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
import org.springframework.test.web.servlet.ResultActions;

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
 * Available-now jobs over a pre-filled topic joined with a reference table that stream-clean-service
 * owns (served here by a real HTTP stub of its API): totals per joined field equal totals computed
 * here, unmatched records are dropped and counted; a table missing at create time is a 400 naming
 * {@code join.table}, an unreachable owner a retriable 503, and a table gone at run time fails the
 * job with a clear error.
 */
@SpringBootTest(properties = {"spring.datasource.url=jdbc:h2:mem:reference-join-it",
        "analytics.reference-tables.refresh=0s"})
@AutoConfigureMockMvc
class ReferenceTableJoinIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long T0 = 1_700_000_040_000L;
    private static final List<String> COUNTRIES = List.of("DE", "FR", "US", "JP", "BR");
    private static final Map<String, String> REGION = Map.of("DE", "eu", "FR", "eu", "US", "na", "JP", "apac");
    private static Path dataDir;
    private static EmbeddedIngest ingest;
    private static ReferenceTableStub clean;

    @Autowired
    MockMvc mvc;

    @Autowired
    BatchProgressRepository progress;

    @DynamicPropertySource
    static void urls(DynamicPropertyRegistry registry) throws Exception {
        dataDir = Files.createTempDirectory("analytics-join-ingest");
        ingest = EmbeddedIngest.start(dataDir);
        clean = new ReferenceTableStub();
        clean.put("countries", """
                {"DE":{"region":"eu","name":"Germany"},"FR":{"region":"eu"},"US":{"region":"na"},"JP":{"region":"apac"}}
                """);
        registry.add("analytics.ingest-url", ingest::url);
        registry.add("analytics.clean-url", clean::url);
    }

    @AfterAll
    static void stop() {
        if (clean != null) {
            clean.close();
        }
        if (ingest != null) {
            ingest.close();
        }
    }

    @Test
    void shouldJoinAPrefilledTopicWithAReferenceTableInAnAvailableNowJob() throws Exception {
        Random random = new Random(44);
        Map<String, Long> sums = new HashMap<>();
        Map<String, Long> counts = new HashMap<>();
        long unmatched = 0;
        StringBuilder events = new StringBuilder();
        try (IngestClient client = IngestClient.create(ClientSettings.of(ingest.url()));
             IngestProducer producer = IngestProducer.create(ProducerSettings.builder(ClientSettings.of(ingest.url()))
                     .batchSize(1_000).build())) {
            client.createTopic(new NewTopic("sales", 3, 1));
            for (int i = 0; i < 12_000; i++) {
                String country = COUNTRIES.get(random.nextInt(COUNTRIES.size()));
                int amount = 1 + random.nextInt(500);
                producer.send("sales", ProducerRecord.ofJson("u" + random.nextInt(1000),
                        "{\"ts\":" + (T0 + i * 50L) + ",\"country\":\"" + country + "\",\"amount\":" + amount + "}"));
                String region = REGION.get(country);
                if (region == null) {
                    unmatched++;
                } else {
                    sums.merge(region, (long) amount, Long::sum);
                    counts.merge(region, 1L, Long::sum);
                }
            }
            producer.flush();
        }
        create(job("by-region", "countries")).andExpect(status().isCreated());
        mvc.perform(post("/api/v1/jobs/by-region/start")).andExpect(status().isOk());
        awaitStatus("by-region", "COMPLETED");

        JsonNode page = JSON.readTree(mvc.perform(get("/api/v1/jobs/by-region/results"))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString());
        Map<String, Long> actualSums = new HashMap<>();
        Map<String, Long> actualCounts = new HashMap<>();
        for (JsonNode row : page.path("rows")) {
            String region = row.path("group").path("/place/region").asString();
            actualSums.put(region, (long) row.path("values").path("total").asDouble());
            actualCounts.put(region, row.path("values").path("n").asLong());
        }
        assertThat(actualSums).isEqualTo(sums);
        assertThat(actualCounts).isEqualTo(counts);
        long filtered = progress.findAll().stream().filter(p -> p.jobName.equals("by-region"))
                .mapToLong(p -> p.filteredRows).sum();
        long input = progress.findAll().stream().filter(p -> p.jobName.equals("by-region"))
                .mapToLong(p -> p.inputRows).sum();
        assertThat(filtered).isEqualTo(unmatched);
        assertThat(input).isEqualTo(12_000);
    }

    @Test
    void shouldRefuseAJobWhoseReferenceTableDoesNotExist() throws Exception {
        create(job("no-table", "planets")).andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.field").value("join.table"))
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("planets")));
        mvc.perform(get("/api/v1/jobs/no-table")).andExpect(status().isNotFound());
        assertThat(clean.reads("planets")).as("a 404 is not retried").isEqualTo(1);
    }

    @Test
    void shouldAnswerARetriable503WhenTheTableOwnerFails() throws Exception {
        clean.fail("flaky", 500);
        create(job("flaky-join", "flaky")).andExpect(status().isServiceUnavailable())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.type").value("https://tributary.dev/problems/reference-tables-unavailable"))
                .andExpect(jsonPath("$.retriable").value(true));
        assertThat(clean.reads("flaky")).as("analytics.reference-tables.attempts, 3 by default").isEqualTo(3);
    }

    @Test
    void shouldRideOutAnOwnerThatFailsForAMoment() throws Exception {
        clean.put("wobbly", "{\"DE\":{\"region\":\"eu\"}}");
        clean.failNext("wobbly", 503, 2);
        create(job("wobbly-join", "wobbly")).andExpect(status().isCreated());
        assertThat(clean.reads("wobbly")).as("two failed reads, then the table").isGreaterThanOrEqualTo(3);
    }

    @Test
    void shouldFailTheJobClearlyWhenItsTableIsGoneAtRunTime() throws Exception {
        try (IngestClient client = IngestClient.create(ClientSettings.of(ingest.url()));
             IngestProducer producer = IngestProducer.create(ProducerSettings.builder(ClientSettings.of(ingest.url()))
                     .build())) {
            client.createTopic(new NewTopic("returns", 1, 1));
            producer.send("returns", ProducerRecord.ofJson("u1", "{\"ts\":" + T0 + ",\"country\":\"DE\",\"amount\":3}"));
            producer.flush();
        }
        clean.put("shops", "{\"DE\":{\"region\":\"eu\"}}");
        create(job("gone", "shops").replace("\"source\":\"sales\"", "\"source\":\"returns\"")).andExpect(status().isCreated());
        clean.remove("shops");
        mvc.perform(post("/api/v1/jobs/gone/start")).andExpect(status().isOk());
        JsonNode failed = awaitStatus("gone", "FAILED");
        assertThat(failed.path("lastError").asString()).contains("join.table", "reference table 'shops' does not exist");
    }

    private static String job(String name, String table) {
        return """
                {"name":"%s","source":"sales","eventTime":"/ts","groupBy":["/place/region"],
                 "join":{"type":"reference-table","table":"%s","key":"/country","target":"/place","missing":"drop"},
                 "outputMode":"complete","trigger":{"type":"available-now"},
                 "aggregations":[{"name":"n","function":"count"},{"name":"total","function":"sum","field":"/amount"}]}
                """.formatted(name, table);
    }

    private ResultActions create(String body) throws Exception {
        return mvc.perform(post("/api/v1/jobs").contentType(MediaType.APPLICATION_JSON).content(body));
    }

    private JsonNode awaitStatus(String job, String wanted) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            last[0] = JSON.readTree(mvc.perform(get("/api/v1/jobs/" + job)).andReturn().getResponse()
                    .getContentAsString());
            return last[0].path("status").asString().equals(wanted);
        });
        return last[0];
    }
}
