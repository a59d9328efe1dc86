package io.tributary.analytics.job;

import io.tributary.testkit.ProblemAssertions;
import org.springframework.context.annotation.Import;
import org.springframework.test.web.servlet.MvcResult;
import io.tributary.testkit.DeliberateBug;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

/** The job API with the runner switched off: definitions, validation and lifecycle only. */
@SpringBootTest(properties = {"spring.datasource.url=jdbc:h2:mem:job-api", "analytics.runner.enabled=false"})
@AutoConfigureMockMvc
@Import(DeliberateBug.Endpoint.class) // a test-only endpoint with a bug in it, next to the real API
class JobApiTest {

    static final String VALID = """
            {"name":"%s","source":"orders","eventTime":"/ts","watermark":"PT10S",
             "window":{"type":"tumbling","size":"PT1M"},"groupBy":["/country"],
             "aggregations":[{"name":"n","function":"count"},{"name":"total","function":"sum","field":"/amount"},
                             {"name":"users","function":"approx_distinct","field":"/user"},
                             {"name":"amounts","function":"percentiles","field":"/amount","percentiles":[0.5,0.99]}],
             "filter":"amount > 0","outputMode":"append"}
            """;

    @Autowired
    MockMvc mvc;

    @Test
    void everyMalformedRequestIsA4xxProblemOfTheCatalogue() throws Exception {
        ProblemAssertions.assertMalformed(mvc,
                post("/api/v1/jobs").contentType(MediaType.APPLICATION_JSON).content("{not json"),
                post("/api/v1/jobs").contentType(MediaType.APPLICATION_JSON).content("[1,2]"),
                post("/api/v1/jobs").contentType(MediaType.APPLICATION_JSON).content("{\"name\":[]}"),
                post("/api/v1/jobs").contentType(MediaType.TEXT_PLAIN).content("x"),
                post("/api/v1/jobs").contentType(MediaType.APPLICATION_JSON).content(""),
                get("/api/v1/jobs/no-such-job"),
                get("/api/v1/jobs/no-such-job/results").param("page", "many"),
                get("/api/v1/jobs/no-such-job/results").param("from", "yesterday"),
                get("/api/v1/jobs/no-such-job/progress").param("page", "-x"),
                post("/api/v1/jobs/no-such-job/start"),
                get("/api/v1/nothing-here"),
                delete("/api/v1/jobs"));
    }

    @Test
    void theOpenApiDocumentListsTheProblemTypesOfEachOperation() throws Exception {
        mvc.perform(get("/v3/api-docs")).andExpect(status().isOk())
                .andExpect(jsonPath("$.paths['/api/v1/jobs/{name}/reset'].post.responses['409'].description",
                        containsString("`job-state`")))
                .andExpect(jsonPath("$.paths['/api/v1/jobs'].post.responses['400'].description",
                        containsString("`invalid-job`")))
                .andExpect(jsonPath("$.paths['/api/v1/jobs/{name}/results'].get.responses['404'].description",
                        containsString("`unknown-job`")));
    }

    @Test
    void aBugIsA500ProblemWithTheRequestIdAndNothingOfTheFailure() throws Exception {
        DeliberateBug.assertAnswer(mvc);
    }

    ResultActions create(String body) throws Exception {
        return mvc.perform(post("/api/v1/jobs").contentType(MediaType.APPLICATION_JSON).content(body));
    }

    ResultActions expectInvalid(String body, String field) throws Exception {
        return create(body).andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.field").value(field))
                .andExpect(jsonPath("$.retriable").value(false));
    }

    @Test
    void shouldCreateAJobWithDefaultsFilledIn() throws Exception {
        create(VALID.formatted("sales")).andExpect(status().isCreated())
                .andExpect(jsonPath("$.name").value("sales"))
                .andExpect(jsonPath("$.status").value("STOPPED"))
                .andExpect(jsonPath("$.definition.startingOffsets").value("earliest"))
                .andExpect(jsonPath("$.definition.trigger.type").value("processing-time"))
                .andExpect(jsonPath("$.definition.trigger.interval").value("PT1S"));
        mvc.perform(get("/api/v1/jobs/sales")).andExpect(status().isOk())
                .andExpect(jsonPath("$.definition.aggregations[3].percentiles[1]").value(0.99));
        mvc.perform(get("/api/v1/jobs")).andExpect(jsonPath("$[?(@.name == 'sales')]").exists());
    }

    @Test
    void shouldRefuseADuplicateName() throws Exception {
        create(VALID.formatted("dup")).andExpect(status().isCreated());
        create(VALID.formatted("dup")).andExpect(status().isConflict())
                .andExpect(jsonPath("$.type").value("https://tributary.dev/problems/job-exists"));
    }

    @Test
    void shouldNameTheBadFieldOfAnInvalidJob() throws Exception {
        expectInvalid(VALID.formatted("bad name!"), "name");
        expectInvalid(VALID.formatted("b1").replace("\"PT10S\"", "\"ten seconds\""), "watermark");
        expectInvalid(VALID.formatted("b2").replace("\"PT1M\"", "\"PT0S\""), "window.size");
        expectInvalid(VALID.formatted("b3").replace("\"tumbling\"", "\"hopping\""), "window.type");
        expectInvalid(VALID.formatted("b4").replace("\"/amount\",\"percentiles\":[0.5,0.99]",
                "\"/amount\",\"percentiles\":[1.5]"), "aggregations[3].percentiles");
        expectInvalid(VALID.formatted("b5").replace("\"function\":\"sum\",\"field\":\"/amount\"",
                "\"function\":\"sum\""), "aggregations[1].field");
        expectInvalid(VALID.formatted("b6").replace("\"function\":\"count\"", "\"function\":\"median\""),
                "aggregations[0].function");
        expectInvalid(VALID.formatted("b7").replace("amount > 0", "T(java.lang.Runtime).getRuntime()"), "filter");
        expectInvalid(VALID.formatted("b8").replace("\"eventTime\":\"/ts\"", "\"eventTime\":\"ts\""), "eventTime");
        expectInvalid(VALID.formatted("b9").replace("\"window\":{\"type\":\"tumbling\",\"size\":\"PT1M\"},", ""),
                "outputMode");
        expectInvalid(VALID.formatted("b10").replace("\"source\":\"orders\",", ""), "source");
        expectInvalid(VALID.formatted("b11").replace("\"filter\"",
                "\"join\":{\"type\":\"topic\",\"topic\":\"users\",\"key\":\"user\",\"target\":\"/u\"},\"filter\""),
                "join.key");
        expectInvalid(VALID.formatted("b12").replace("\"filter\"",
                "\"join\":{\"type\":\"reference-table\",\"topic\":\"t\",\"key\":\"/u\",\"target\":\"/u\"},\"filter\""),
                "join.table");
        expectInvalid(VALID.formatted("b13").replace("\"filter\"",
                "\"join\":{\"type\":\"lookup\",\"table\":\"t\",\"key\":\"/u\",\"target\":\"/u\"},\"filter\""),
                "join.type");
        expectInvalid(VALID.formatted("b14").replace("\"filter\"",
                "\"join\":{\"type\":\"topic\",\"key\":\"/u\",\"target\":\"/u\"},\"filter\""),
                "join.topic");
        expectInvalid(VALID.formatted("b15").replace("\"filter\"", "\"output\":{\"topic\":\"no/slashes\"},\"filter\""),
                "output.topic");
        mvc.perform(get("/api/v1/jobs/b1")).andExpect(status().isNotFound());
    }

    @Test
    void shouldStartStopResetAndDelete() throws Exception {
        create(VALID.formatted("life")).andExpect(status().isCreated());
        mvc.perform(post("/api/v1/jobs/life/start")).andExpect(jsonPath("$.status").value("RUNNING"));
        mvc.perform(post("/api/v1/jobs/life/reset")).andExpect(status().isConflict());
        mvc.perform(post("/api/v1/jobs/life/stop")).andExpect(jsonPath("$.status").value("STOPPED"));
        mvc.perform(post("/api/v1/jobs/life/reset")).andExpect(status().isOk());
        mvc.perform(get("/api/v1/jobs/life/results")).andExpect(status().isOk())
                .andExpect(jsonPath("$.totalRows").value(0));
        mvc.perform(get("/api/v1/jobs/life/progress")).andExpect(status().isOk())
                .andExpect(jsonPath("$.batches").isEmpty());
        mvc.perform(delete("/api/v1/jobs/life")).andExpect(status().isNoContent());
        mvc.perform(get("/api/v1/jobs/life")).andExpect(status().isNotFound())
                .andExpect(jsonPath("$.type").value("https://tributary.dev/problems/unknown-job"));
        mvc.perform(post("/api/v1/jobs/life/start")).andExpect(status().isNotFound());
    }
}
