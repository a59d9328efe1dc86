package io.tributary.analytics.job;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

/**
 * Every field of a job definition is bounded: a pathological definition is a 400 problem naming
 * the field at create (never accepted and then failing every batch), and paging parameters whose
 * offset does not fit are a 400, never a 500.
 */
@SpringBootTest(properties = {"spring.datasource.url=jdbc:h2:mem:job-bounds", "analytics.runner.enabled=false"})
@AutoConfigureMockMvc
class JobDefinitionBoundsTest {

    private static final String VALID = JobApiTest.VALID;

    @Autowired
    MockMvc mvc;

    ResultActions create(String body) throws Exception {
        return mvc.perform(post("/api/v1/jobs").contentType(MediaType.APPLICATION_JSON).content(body));
    }

    void expectInvalid(String body, String field) throws Exception {
        create(body).andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.field").value(field))
                .andExpect(jsonPath("$.retriable").value(false));
    }

    static String repeat(String text, int times) {
        return text.repeat(times);
    }

    @Test
    void shouldRefuseASlidingWindowWithTooManyWindowsPerRecord() throws Exception {
        expectInvalid(VALID.formatted("s1").replace("{\"type\":\"tumbling\",\"size\":\"PT1M\"}",
                "{\"type\":\"sliding\",\"size\":\"P3650D\",\"slide\":\"PT0.001S\"}"), "window.slide");
        // A sensible sliding window still passes.
        create(VALID.formatted("s2").replace("{\"type\":\"tumbling\",\"size\":\"PT1M\"}",
                "{\"type\":\"sliding\",\"size\":\"PT1H\",\"slide\":\"PT1M\"}")).andExpect(status().isCreated());
    }

    @Test
    void shouldRefuseDurationsBeyondTheBound() throws Exception {
        expectInvalid(VALID.formatted("d1").replace("\"PT10S\"", "\"PT2600000000000H\""), "watermark");
        expectInvalid(VALID.formatted("d2").replace("\"PT1M\"", "\"PT2600000000000H\""), "window.size");
        expectInvalid(VALID.formatted("d3").replace("\"PT1M\"", "\"P36500D\""), "window.size");
        expectInvalid(VALID.formatted("d4").replace("{\"type\":\"tumbling\",\"size\":\"PT1M\"}",
                "{\"type\":\"session\",\"gap\":\"PT2600000000000H\"}"), "window.gap");
        expectInvalid(VALID.formatted("d5").replace("\"filter\"",
                "\"trigger\":{\"type\":\"processing-time\",\"interval\":\"PT2600000000000H\"},\"filter\""),
                "trigger.interval");
    }

    @Test
    void shouldRefuseOverlongOrTooManyFields() throws Exception {
        expectInvalid(VALID.formatted("l1").replace("\"orders\"", "\"" + repeat("o", 300) + "\""), "source");
        expectInvalid(VALID.formatted("l2").replace("\"orders\"", "\"no/slash\""), "source");
        expectInvalid(VALID.formatted("l3").replace("\"/ts\"", "\"/" + repeat("t", 5_000) + "\""), "eventTime");
        expectInvalid(VALID.formatted("l4").replace("[\"/country\"]", "[" + IntStream.range(0, 100)
                .mapToObj(i -> "\"/g" + i + "\"").collect(Collectors.joining(",")) + "]"), "groupBy");
        expectInvalid(VALID.formatted("l5").replace("[\"/country\"]", "[\"/" + repeat("c", 5_000) + "\"]"),
                "groupBy[0]");
        expectInvalid(VALID.formatted("l6").replace("{\"name\":\"n\",\"function\":\"count\"}", IntStream.range(0, 500)
                .mapToObj(i -> "{\"name\":\"n" + i + "\",\"function\":\"count\"}").collect(Collectors.joining(","))),
                "aggregations");
        expectInvalid(VALID.formatted("l7").replace("\"field\":\"/amount\"}", "\"field\":\"/"
                + repeat("a", 5_000) + "\"}"), "aggregations[1].field");
        expectInvalid(VALID.formatted("l8").replace("[0.5,0.99]", "[" + IntStream.range(0, 1_000)
                .mapToObj(i -> "0.5").collect(Collectors.joining(",")) + "]"), "aggregations[3].percentiles");
        expectInvalid(VALID.formatted("l9").replace("amount > 0", "amount > 0" + repeat(" and amount > 0", 2_000)),
                "filter");
        expectInvalid(VALID.formatted("l10").replace("\"filter\"", "\"join\":{\"type\":\"reference-table\",\"table\":\""
                + repeat("t", 300) + "\",\"key\":\"/country\",\"target\":\"/c\"},\"filter\""), "join.table");
        expectInvalid(VALID.formatted("l11").replace("\"filter\"", "\"join\":{\"type\":\"topic\",\"topic\":\""
                + repeat("t", 300) + "\",\"key\":\"/country\",\"target\":\"/c\"},\"filter\""), "join.topic");
        expectInvalid(VALID.formatted("l12").replace("\"filter\"", "\"join\":{\"type\":\"topic\",\"topic\":\"t\","
                + "\"key\":\"/" + repeat("k", 5_000) + "\",\"target\":\"/c\"},\"filter\""), "join.key");
    }

    @Test
    void shouldRefusePagesWhoseOffsetDoesNotFit() throws Exception {
        create(VALID.formatted("paged")).andExpect(status().isCreated());
        mvc.perform(get("/api/v1/jobs/paged/results?page=2147483647")).andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.field").value("page"));
        mvc.perform(get("/api/v1/jobs/paged/results?page=21474836&size=10000")).andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("page"));
        mvc.perform(get("/api/v1/jobs/paged/progress?page=2147483647")).andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("page"));
        mvc.perform(get("/api/v1/jobs/paged/results?from=+1000000000-01-01T00:00:00Z")).andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("from"));
        mvc.perform(get("/api/v1/jobs/paged/results?to=-1000000000-01-01T00:00:00Z")).andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("to"));
        mvc.perform(get("/api/v1/jobs/paged/results?page=2")).andExpect(status().isOk())
                .andExpect(jsonPath("$.page").value(2));
    }
}
