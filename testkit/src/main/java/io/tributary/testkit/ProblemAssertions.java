package io.tributary.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.problem.ProblemType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The error contract every service keeps, asserted on one answer. */
public final class ProblemAssertions {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ProblemAssertions() {
    }

    /** Sends each request; every answer must be a 4xx problem of the catalogue ({@link #assertClientProblem}). */
    public static void assertMalformed(MockMvc mvc, MockHttpServletRequestBuilder... requests) throws Exception {
        for (MockHttpServletRequestBuilder request : requests) {
            MvcResult r = mvc.perform(request).andReturn();
            assertClientProblem(r.getRequest().getMethod() + " " + r.getRequest().getRequestURI(),
                    r.getResponse().getStatus(), r.getResponse().getContentType(), r.getResponse().getContentAsString());
        }
    }

    /**
     * Asserts that an answer to a request the caller got wrong is a 4xx {@code application/problem+json} whose
     * type is in the catalogue, with its status, a detail and the {@code retriable} flag; returns the problem.
     */
    public static JsonNode assertClientProblem(String request, int status, String contentType, String body) {
        assertThat(status).as("%s -> %s", request, body).isBetween(400, 499);
        assertThat(contentType).as("%s -> %s", request, body).startsWith("application/problem+json");
        JsonNode problem = JSON.readTree(body);
        assertThat(ProblemType.of(problem.path("type").asString())).as("%s -> a catalogue type: %s", request, body)
                .isPresent();
        assertThat(problem.path("status").asInt()).as("%s -> %s", request, body).isEqualTo(status);
        assertThat(problem.path("retriable").isBoolean()).as("%s -> %s", request, body).isTrue();
        assertThat(problem.path("detail").asString()).as("%s -> %s", request, body).isNotBlank();
        return problem;
    }
}
