package io.tributary.analytics.spark;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

/**
 * {@code "engine": "spark"} at create: a definition the Spark translation can run is stored with its engine; any
 * part it cannot translate is a 400 {@code invalid-job} naming that part, and nothing is stored. (The jobs run
 * on Spark in analytics-spark's {@code SparkEngineTest}.)
 */
@SpringBootTest(properties = {"spring.datasource.url=jdbc:h2:mem:spark-definitions", "analytics.runner.enabled=false",
        "analytics.spark.spark-home=/opt/tributary/spark-home"})
@AutoConfigureMockMvc
class SparkJobDefinitionTest {

    static final String SPARK = """
            {"name":"%s","engine":"spark","source":"orders","eventTime":"/ts","watermark":"PT10S",
             "window":{"type":"tumbling","size":"PT1M"},"groupBy":["/country"],
             "aggregations":[{"name":"n","function":"count"},{"name":"total","function":"sum","field":"/amount"},
                             {"name":"users","function":"approx_distinct","field":"/user"},
                             {"name":"amounts","function":"percentiles","field":"/amount","percentiles":[0.5,0.99]}],
             "filter":"amount > 0 and (country == 'de' or !vip) and customer['first name'] != null",
             "outputMode":"append"}
            """;

    @Autowired
    MockMvc mvc;

    ResultActions create(String body) throws Exception {
        return mvc.perform(post("/api/v1/jobs").contentType(MediaType.APPLICATION_JSON).content(body));
    }

    void expectRefused(String name, String body, String field, String detail) throws Exception {
        create(body).andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.field").value(field))
                .andExpect(jsonPath("$.detail").value(Matchers.containsString(detail)));
        mvc.perform(get("/api/v1/jobs/" + name)).andExpect(status().isNotFound());
    }

    @Test
    void aTranslatableDefinitionIsStoredWithItsEngine() throws Exception {
        create(SPARK.formatted("spark-ok")).andExpect(status().isCreated())
                .andExpect(jsonPath("$.definition.engine").value("spark"));
        // a topic join, with the filter reading the joined value
        create(SPARK.formatted("spark-join").replace("\"outputMode\"",
                "\"join\":{\"type\":\"topic\",\"topic\":\"users\",\"key\":\"/user\",\"target\":\"/profile\"},"
                        + "\"outputMode\"").replace("amount > 0 and", "profile.tier != 'bronze' and"))
                .andExpect(status().isCreated()).andExpect(jsonPath("$.definition.join.topic").value("users"));
        // the default stays the builtin engine
        create(SPARK.formatted("builtin-ok").replace("\"engine\":\"spark\",", "")).andExpect(status().isCreated())
                .andExpect(jsonPath("$.definition.engine").value("builtin"));
    }

    @Test
    void untranslatableFiltersAreRefusedNamingTheConstruct() throws Exception {
        expectRefused("f1", SPARK.formatted("f1").replace("amount > 0 and", "country.toLowerCase() == 'de' and"),
                "filter", "'toLowerCase()' (a method call, at character 9)");
        expectRefused("f2", SPARK.formatted("f2").replace("amount > 0 and", "country matches 'd.*' and"),
                "filter", "a regular expression match");
        expectRefused("f3", SPARK.formatted("f3").replace("amount > 0 and", "(vip ? amount : 0) > 1 and"),
                "filter", "a conditional");
        expectRefused("f4", SPARK.formatted("f4").replace("amount > 0 and", "country + 'x' == 'dex' and"),
                "filter", "joins text with '+'");
    }

    @Test
    void sessionWindowsRunInAppendModeOnly() throws Exception {
        expectRefused("s1", SPARK.formatted("s1").replace("{\"type\":\"tumbling\",\"size\":\"PT1M\"}",
                "{\"type\":\"session\",\"gap\":\"PT1M\"}").replace("\"append\"", "\"update\""), "outputMode",
                "append");
        // a session window in append mode translates
        create(SPARK.formatted("s2").replace("{\"type\":\"tumbling\",\"size\":\"PT1M\"}",
                "{\"type\":\"session\",\"gap\":\"PT1M\"}")).andExpect(status().isCreated());
    }

    @Test
    void anUnknownEngineIsRefused() throws Exception {
        expectRefused("e1", SPARK.formatted("e1").replace("\"spark\"", "\"flink\""), "engine", "builtin|spark");
    }
}
