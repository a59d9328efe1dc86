package io.tributary.clean.pipeline;

import io.tributary.testkit.ProblemAssertions;
import org.springframework.context.annotation.Import;
import org.springframework.test.web.servlet.MvcResult;
import io.tributary.testkit.DeliberateBug;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

@SpringBootTest(properties = {"spring.datasource.url=jdbc:h2:mem:pipeline-api", "clean.runner.enabled=false"})
@AutoConfigureMockMvc
@Import(DeliberateBug.Endpoint.class) // a test-only endpoint with a bug in it, next to the real API
class PipelineApiTest {

    @Autowired
    MockMvc mvc;

    @Test
    void aBugIsA500ProblemWithTheRequestIdAndNothingOfTheFailure() throws Exception {
        DeliberateBug.assertAnswer(mvc);
    }

    private static String pipeline(String name, String steps) {
        return ("{'name':'" + name + "','source':'raw." + name + "','sink':'clean." + name + "','deadLetter':'dlq." + name
                + "','steps':" + steps + "}").replace('\'', '"');
    }

    private ResultActions send(org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder request,
                               String body) throws Exception {
        return mvc.perform(request.contentType(MediaType.APPLICATION_JSON).content(body));
    }

    @Test
    void shouldCreateGetListReplacePauseResumeAndDeleteAPipeline() throws Exception {
        send(post("/api/v1/pipelines"), pipeline("orders", "[{'type':'cast','field':'/amount','to':'double'}]"))
                .andExpect(status().isCreated())
                .andExpect(header().string("Location", "/api/v1/pipelines/orders"))
                .andExpect(jsonPath("$.state").value("RUNNING"))
                .andExpect(jsonPath("$.parallelism").value(1))
                .andExpect(jsonPath("$.steps[0].to").value("double"));
        mvc.perform(get("/api/v1/pipelines/orders")).andExpect(status().isOk())
                .andExpect(jsonPath("$.deadLetter").value("dlq.orders"));
        mvc.perform(get("/api/v1/pipelines")).andExpect(jsonPath("$[?(@.name == 'orders')]", hasSize(1)));

        send(put("/api/v1/pipelines/orders"), pipeline("orders", "[{'type':'drop','fields':['/x']}]"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.steps[0].type").value("drop"))
                .andExpect(jsonPath("$.revision").value(1));
        mvc.perform(post("/api/v1/pipelines/orders/pause")).andExpect(jsonPath("$.state").value("PAUSED"));
        mvc.perform(post("/api/v1/pipelines/orders/resume")).andExpect(jsonPath("$.state").value("RUNNING"));

        mvc.perform(delete("/api/v1/pipelines/orders")).andExpect(status().isNoContent());
        mvc.perform(get("/api/v1/pipelines/orders"))
                .andExpect(status().isNotFound())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.type").value("https://tributary.dev/problems/unknown-pipeline"))
                .andExpect(jsonPath("$.retriable").value(false));
    }

    @Test
    void shouldRefuseABadStepNamingItsIndex() throws Exception {
        send(post("/api/v1/pipelines"), pipeline("bad", "[{'type':'drop','fields':['/a']},"
                + "{'type':'cast','field':'/a','to':'integer'}]"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.type").value("https://tributary.dev/problems/invalid-step"))
                .andExpect(jsonPath("$.stepIndex").value(1))
                .andExpect(jsonPath("$.stepType").value("cast"))
                .andExpect(jsonPath("$.detail", containsString("steps[1] (cast)")))
                .andExpect(jsonPath("$.retriable").value(false));
        mvc.perform(get("/api/v1/pipelines/bad")).andExpect(status().isNotFound());
    }

    @Test
    void shouldRefuseAFilterWithATypeReference() throws Exception {
        send(post("/api/v1/pipelines"), pipeline("evil",
                "[{'type':'filter','expression':'T(java.lang.Runtime).getRuntime().exec(\\'id\\') != null'}]"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.stepIndex").value(0))
                .andExpect(jsonPath("$.detail", containsString("type reference")));
    }

    @Test
    void shouldValidateTheDefinition() throws Exception {
        send(post("/api/v1/pipelines"), "{\"name\":\"bad name\",\"source\":\"\",\"sink\":\"s\",\"deadLetter\":\"d\","
                + "\"steps\":[],\"parallelism\":0}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.type").value("https://tributary.dev/problems/invalid-request"))
                .andExpect(jsonPath("$.retriable").value(false));
        send(post("/api/v1/pipelines"), pipeline("loop", "[]").replace("clean.loop", "raw.loop"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.type").value("https://tributary.dev/problems/invalid-pipeline"));
        send(post("/api/v1/pipelines"), "{not json").andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.retriable").value(false));
        send(put("/api/v1/pipelines/other"), pipeline("renamed", "[]")).andExpect(status().isBadRequest());
    }

    @Test
    void shouldAnswerConflictForAnExistingName() throws Exception {
        send(post("/api/v1/pipelines"), pipeline("twice", "[]")).andExpect(status().isCreated());
        send(post("/api/v1/pipelines"), pipeline("twice", "[]"))
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.type").value("https://tributary.dev/problems/pipeline-exists"));
    }

    @Test
    void shouldPreviewStepsOnSampleRecordsWithoutStoringAnything() throws Exception {
        String body = ("{'steps':[{'type':'validate','schema':{'required':['id']}},"
                + "{'type':'filter','expression':'id > 1'},{'type':'mask','field':'/card','method':'keep-last','keep':2}],"
                + "'records':[{'key':'a','value':{'id':2,'card':'123456'}},{'value':{'id':1}},{'value':{}},"
                + "{'value':'{oops'}]}").replace('\'', '"');
        send(post("/api/v1/pipelines/preview"), body)
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.results[0].outcome").value("output"))
                .andExpect(jsonPath("$.results[0].value.card").value("****56"))
                .andExpect(jsonPath("$.results[0].key").value("a"))
                .andExpect(jsonPath("$.results[1].outcome").value("filtered"))
                .andExpect(jsonPath("$.results[1].step").value("1:filter"))
                .andExpect(jsonPath("$.results[2].outcome").value("dead-letter"))
                .andExpect(jsonPath("$.results[2].step").value("0:validate"))
                .andExpect(jsonPath("$.results[2].reason", containsString("required")))
                .andExpect(jsonPath("$.results[3].step").value("parse"));
        send(post("/api/v1/pipelines/preview"), "{\"steps\":[{\"type\":\"nope\"}],\"records\":[{}]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.stepIndex").value(0));
    }

    @Test
    void shouldPreviewDedupeOverTheSamplesInOrderAndRefuseABadDedupeStep() throws Exception {
        String body = ("{'steps':[{'type':'dedupe','field':'/order','window':'1m'}],'records':["
                + "{'value':{'order':'A'},'timestamp':0},{'value':{'order':'B'},'timestamp':1000},"
                + "{'value':{'order':'A'},'timestamp':30000},{'value':{'order':'A'},'timestamp':90000}]}")
                .replace('\'', '"');
        send(post("/api/v1/pipelines/preview"), body)
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.results[0].outcome").value("output"))
                .andExpect(jsonPath("$.results[1].outcome").value("output"))
                .andExpect(jsonPath("$.results[2].outcome").value("deduplicated"))
                .andExpect(jsonPath("$.results[2].step").value("0:dedupe"))
                .andExpect(jsonPath("$.results[3].outcome").value("output"));
        send(post("/api/v1/pipelines"), pipeline("dd", "[{'type':'drop','fields':['/x']},"
                + "{'type':'dedupe','window':'forever'}]"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.stepIndex").value(1))
                .andExpect(jsonPath("$.stepType").value("dedupe"));
    }

    @Test
    void shouldPublishTheApiInOpenApi() throws Exception {
        mvc.perform(get("/v3/api-docs")).andExpect(status().isOk())
                .andExpect(jsonPath("$.paths['/api/v1/pipelines/{name}/pause']").exists())
                .andExpect(jsonPath("$.paths['/api/v1/pipelines/preview']").exists())
                .andExpect(jsonPath("$.paths['/api/v1/pipelines'].post.responses['409'].description",
                        containsString("`pipeline-exists`")))
                .andExpect(jsonPath("$.paths['/api/v1/pipelines'].post.responses['400'].description",
                        containsString("`invalid-step`")))
                .andExpect(jsonPath("$.paths['/api/v1/pipelines/{name}'].get.responses['404'].description",
                        containsString("`unknown-pipeline`")))
                .andExpect(jsonPath("$.paths['/api/v1/pipelines/{name}'].get.responses['500'].description",
                        containsString("`internal-error`")));
    }

    @Test
    void everyMalformedRequestIsA4xxProblemOfTheCatalogue() throws Exception {
        ProblemAssertions.assertMalformed(mvc,
                post("/api/v1/pipelines").contentType(MediaType.APPLICATION_JSON).content("{not json"),
                post("/api/v1/pipelines").contentType(MediaType.APPLICATION_JSON).content("[1,2]"),
                post("/api/v1/pipelines").contentType(MediaType.APPLICATION_JSON).content("{\"name\":7}"),
                post("/api/v1/pipelines").contentType(MediaType.TEXT_PLAIN).content("x"),
                post("/api/v1/pipelines").contentType(MediaType.APPLICATION_JSON).content(""),
                put("/api/v1/pipelines/x").contentType(MediaType.APPLICATION_JSON).content("{\"steps\":\"no\"}"),
                put("/api/v1/reference-tables/x").contentType(MediaType.APPLICATION_JSON).content("{\"rows\":5}"),
                post("/api/v1/pipelines/preview").contentType(MediaType.APPLICATION_JSON).content("{}"),
                get("/api/v1/pipelines/no-such-pipeline"),
                get("/api/v1/nothing-here"),
                delete("/api/v1/pipelines"));
    }

    @Test
    void shouldRefusePathologicalDefinitionsWith400NamingTheStep() throws Exception {
        String deepPointer = "/a".repeat(40);
        String longPointer = "/" + "x".repeat(400);
        String deepValue = "{'a':".repeat(40) + "1" + "}".repeat(40);
        for (String steps : java.util.List.of(
                "[{'type':'validate','schema':{'$ref':'#'}}]",
                "[{'type':'dedupe','field':'/id','window':'PT2600000000000H'}]",
                "[{'type':'dedupe','field':'/id','window':'99999999999999999999d'}]",
                "[{'type':'rename','from':'/a','to':'" + deepPointer + "'}]",
                "[{'type':'drop','fields':['" + longPointer + "']}]",
                "[{'type':'insert','field':'/x','value':" + deepValue + "}]",
                "[{'type':'timestamp','field':'/t','format':'pattern','pattern':'" + "y".repeat(300) + "'}]",
                "[{'type':'timestamp','field':'/t','format':'epoch-millis','zone':'" + "Z".repeat(300) + "'}]",
                "[{'type':'mask','field':'/e','method':'redact','replacement':'" + "*".repeat(2000) + "'}]",
                "[{'type':'validate','schema':{'type':'string','pattern':'" + "(a+)+".repeat(300) + "'}}]",
                "[{'type':'validate','schema':{'properties':{'a':{'items':{'pattern':'(unclosed'}}}}}]",
                "[{'type':'validate','schema':{'patternProperties':{'[z-a]':{}}}}]")) {
            send(post("/api/v1/pipelines"), pipeline("bad", steps))
                    .andExpect(status().isBadRequest())
                    .andExpect(content().contentTypeCompatibleWith("application/problem+json"))
                    .andExpect(jsonPath("$.stepIndex").value(0));
            send(post("/api/v1/pipelines/preview"), ("{'steps':" + steps + ",'records':[{'value':{'id':1}}]}")
                    .replace('\'', '"'))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.stepIndex").value(0));
        }
    }

    @Test
    void shouldPreviewARecordOnWhichAPatternBacktracksAsADeadLetter() throws Exception {
        String steps = "[{'type':'validate','schema':{'properties':{'tag':{'pattern':'(.*a){25}$'}}}}]";
        send(post("/api/v1/pipelines/preview"), ("{'steps':" + steps + ",'records':[{'value':{'tag':'"
                + "a".repeat(40) + "!'}}]}").replace('\'', '"'))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.results[0].outcome").value("dead-letter"))
                .andExpect(jsonPath("$.results[0].step").value("0:validate"))
                .andExpect(jsonPath("$.results[0].reason", containsString("clean.runner.regex-budget")));
    }
}
