package io.tributary.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.problem.ProblemType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A test-only endpoint with a bug in it (import {@link Endpoint} into a service's test context), and what
 * a service must answer to it: a 500 {@code internal-error} problem carrying the request id and nothing of
 * the failure (no message, no exception name, no stack trace).
 */
public final class DeliberateBug {

    public static final String PATH = "/test-only/bug";
    /** In the failure's message: must not reach the caller. */
    public static final String SECRET = "deliberate-bug-internals";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private DeliberateBug() {
    }

    @RestController
    public static class Endpoint {

        @GetMapping(PATH)
        String bug() {
            throw new IllegalStateException(SECRET);
        }
    }

    /** Sends {@link #PATH} to a service under MockMvc (with {@link Endpoint} in its context) and asserts the answer. */
    public static void assertAnswer(MockMvc mvc) throws Exception {
        MvcResult r = mvc.perform(MockMvcRequestBuilders.get(PATH).header("X-Request-Id", "bug-1")).andReturn();
        assertAnswer(r.getResponse().getStatus(), r.getResponse().getContentType(), r.getResponse().getContentAsString(),
                r.getResponse().getHeader("X-Request-Id"), "bug-1");
    }

    /** Asserts the answer to {@link #PATH} sent with {@code X-Request-Id: requestId}. */
    public static void assertAnswer(int status, String contentType, String body, String requestIdHeader,
                                    String requestId) {
        assertThat(status).as(body).isEqualTo(500);
        assertThat(contentType).as(body).startsWith("application/problem+json");
        JsonNode problem = JSON.readTree(body);
        assertThat(problem.path("type").asString()).as(body).isEqualTo(ProblemType.INTERNAL_ERROR.uriString());
        assertThat(problem.path("status").asInt()).as(body).isEqualTo(500);
        assertThat(problem.path("requestId").asString()).as(body).isEqualTo(requestId);
        assertThat(requestIdHeader).isEqualTo(requestId);
        assertThat(body).as("nothing of the failure").doesNotContain(SECRET).doesNotContain("IllegalStateException")
                .doesNotContain("DeliberateBug").doesNotContain("\tat ");
    }
}
