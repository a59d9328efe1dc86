package io.tributary.support.problem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import io.tributary.problem.ProblemType;
import io.tributary.support.RequestIdFilter;
import java.io.EOFException;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The error model every service inherits: catalogue types only, and a bug is a 500 that shows nothing of itself. */
class ProblemHandlerSupportTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final MockMvc mvc = MockMvcBuilders.standaloneSetup(new Endpoints())
            .setControllerAdvice(new Handler())
            .addFilters(new RequestIdFilter())
            .build();

    @Test
    void aBugIsA500WithTheRequestIdAndNothingOfTheFailure() throws Exception {
        for (String path : new String[] {"/bug", "/bad-argument"}) {
            MvcResult result = mvc.perform(get(path).header("X-Request-Id", "req-42")).andReturn();

            JsonNode problem = problem(result, 500, ProblemType.INTERNAL_ERROR);
            assertThat(problem.path("requestId").asString()).isEqualTo("req-42");
            assertThat(result.getResponse().getHeader("X-Request-Id")).isEqualTo("req-42");
            String body = result.getResponse().getContentAsString();
            assertThat(body).as("no internals").doesNotContain("secret-detail").doesNotContain("Exception")
                    .doesNotContain("Endpoints").doesNotContain("\tat ");
        }
    }

    @Test
    void aRequestTheClientBrokeOffIsTheClients400NotABug() throws Exception {
        problem(mvc.perform(get("/aborted")).andReturn(), 400, ProblemType.INVALID_REQUEST);
    }

    @Test
    void aLostDatabaseConnectionIsARetriable503NotABug() throws Exception {
        for (String path : new String[] {"/database-gone", "/database-refused"}) {
            MvcResult result = mvc.perform(get(path).header("X-Request-Id", "req-7")).andReturn();

            JsonNode problem = problem(result, 503, ProblemType.UNAVAILABLE);
            assertThat(problem.path("retriable").asBoolean()).isTrue();
            assertThat(problem.path("requestId").asString()).isEqualTo("req-7");
            assertThat(result.getResponse().getContentAsString()).as("no internals").doesNotContain("5432")
                    .doesNotContain("Exception").doesNotContain("JDBC");
        }
    }

    @Test
    void aBugWithoutACallerIdGetsAGeneratedOne() throws Exception {
        MvcResult result = mvc.perform(get("/bug")).andReturn();

        JsonNode problem = problem(result, 500, ProblemType.INTERNAL_ERROR);
        assertThat(problem.path("requestId").asString()).isNotBlank()
                .isEqualTo(result.getResponse().getHeader("X-Request-Id"));
    }

    @Test
    void theFrameworksOwnErrorsGetTheCataloguesTypeForTheirStatus() throws Exception {
        problem(mvc.perform(get("/nowhere")).andReturn(), 404, ProblemType.NOT_FOUND);
        problem(mvc.perform(post("/bug")).andReturn(), 405, ProblemType.METHOD_NOT_ALLOWED);
        problem(mvc.perform(post("/echo").contentType(MediaType.TEXT_PLAIN).content("x")).andReturn(), 415,
                ProblemType.UNSUPPORTED_MEDIA_TYPE);
        problem(mvc.perform(post("/echo").contentType(MediaType.APPLICATION_JSON).content("{not json")).andReturn(),
                400, ProblemType.INVALID_REQUEST);
        problem(mvc.perform(get("/count").param("n", "many")).andReturn(), 400, ProblemType.INVALID_REQUEST);
        problem(mvc.perform(get("/count")).andReturn(), 400, ProblemType.INVALID_REQUEST);
    }

    @Test
    void aRefusedRequestIsToldWhatWasWrongWithoutTheNamesOfOurClasses() throws Exception {
        JsonNode invalid = problem(mvc.perform(post("/order").contentType(MediaType.APPLICATION_JSON)
                .content("{\"quantity\":0}")).andReturn(), 400, ProblemType.INVALID_REQUEST);
        assertThat(invalid.path("detail").asString()).contains("name: must not be blank")
                .contains("quantity: must be greater than or equal to 1");
        assertThat(invalid.path("errors")).hasSize(2);
        assertThat(invalid.path("field").asString()).isIn("name", "quantity");

        JsonNode wrongType = problem(mvc.perform(post("/order").contentType(MediaType.APPLICATION_JSON)
                .content("{\"name\":\"a\",\"quantity\":\"many\"}")).andReturn(), 400, ProblemType.INVALID_REQUEST);
        assertThat(wrongType.path("detail").asString()).startsWith("the body could not be read at 'quantity': ");

        JsonNode parameter = problem(mvc.perform(get("/count").param("n", "many")).andReturn(), 400,
                ProblemType.INVALID_REQUEST);
        assertThat(parameter.path("detail").asString()).isEqualTo("'n' must be a value of type int, got 'many'");

        for (JsonNode problem : new JsonNode[] {invalid, wrongType, parameter}) {
            assertThat(problem.toString()).doesNotContainPattern("\\b(io|java|org)\\.[a-z]+\\.")
                    .doesNotContain("Exception").doesNotContain("Order(");
        }
    }

    @Test
    void theErrorPathAnswersAProblemForWhatFailedOutsideTheControllers() throws Exception {
        MockMvc errors = MockMvcBuilders.standaloneSetup(new ProblemErrorController()).build();
        JsonNode refused = problem(errors.perform(get("/error")
                .requestAttr("jakarta.servlet.error.status_code", 400)
                .requestAttr("jakarta.servlet.error.message", "The request was rejected because the URL contained a "
                        + "potentially malicious String \"%2e\" (org.springframework.security.web.firewall.StrictHttpFirewall)")
                .requestAttr("jakarta.servlet.error.request_uri", "/api/v1/producers/%2E%2e/sequences"))
                .andReturn(), 400, ProblemType.INVALID_REQUEST);
        assertThat(refused.path("detail").asString()).contains("potentially malicious String").contains("(StrictHttpFirewall)");
        assertThat(refused.path("instance").asString()).isEqualTo("/api/v1/producers/%2E%2e/sequences");

        JsonNode failed = problem(errors.perform(get("/error").requestAttr(RequestIdFilter.ATTRIBUTE, "req-7")
                .requestAttr("jakarta.servlet.error.status_code", 500)
                .requestAttr("jakarta.servlet.error.message", "secret-detail")).andReturn(), 500, ProblemType.INTERNAL_ERROR);
        assertThat(failed.path("requestId").asString()).isEqualTo("req-7");
        assertThat(failed.toString()).doesNotContain("secret-detail");
    }

    @Test
    void aDomainProblemKeepsItsCatalogueEntryAndExtraMembers() throws Exception {
        JsonNode problem = problem(mvc.perform(get("/conflict")).andReturn(), 409, ProblemType.CONCURRENT_CHANGE);
        assertThat(problem.path("retriable").asBoolean()).isTrue();
        assertThat(problem.path("detail").asString()).isEqualTo("changed meanwhile");
    }

    private static JsonNode problem(MvcResult result, int status, ProblemType type) throws Exception {
        String body = result.getResponse().getContentAsString();
        assertThat(result.getResponse().getStatus()).as(body).isEqualTo(status);
        assertThat(result.getResponse().getContentType()).as(body).startsWith("application/problem+json");
        JsonNode problem = JSON.readTree(body);
        assertThat(problem.path("type").asString()).as(body).isEqualTo(type.uriString());
        assertThat(problem.path("title").asString()).as(body).isEqualTo(type.title());
        assertThat(problem.path("status").asInt()).as(body).isEqualTo(status);
        assertThat(problem.path("retriable").isBoolean()).as(body).isTrue();
        return problem;
    }

    @RestController
    static class Endpoints {

        @GetMapping("/bug")
        String bug() {
            Object missing = null;
            return missing.toString() + "secret-detail";
        }

        @GetMapping("/aborted")
        String aborted() throws IOException {
            throw new EOFException("the body ended early"); // what a servlet container throws then
        }

        /** As a JPA repository throws it when the database was closed under its connection (H2 failing over). */
        @GetMapping("/database-gone")
        String databaseGone() {
            throw new IllegalStateException("Could not open JPA EntityManager for transaction",
                    new RuntimeException("Unable to release JDBC Connection",
                            new java.sql.SQLNonTransientConnectionException("Database is already closed", "90121")));
        }

        /** PostgreSQL's driver: a plain SQLException whose SQLState is of class 08 (connection exception). */
        @GetMapping("/database-refused")
        String databaseRefused() {
            throw new IllegalStateException("Could not open JPA EntityManager for transaction",
                    new java.sql.SQLException("Connection to 127.0.0.1:5432 refused", "08001"));
        }

        @GetMapping("/bad-argument")
        String badArgument() {
            // an IllegalArgumentException escaping a service is a bug there, not the caller's mistake
            throw new IllegalArgumentException("secret-detail");
        }

        @PostMapping("/echo")
        String echo(@RequestBody java.util.Map<String, Object> body) {
            return body.toString();
        }

        @GetMapping("/count")
        int count(@RequestParam int n) {
            return n;
        }

        @PostMapping("/order")
        String order(@jakarta.validation.Valid @RequestBody Order order) {
            return order.name();
        }

        @GetMapping("/conflict")
        String conflict() {
            throw new ConflictException();
        }
    }

    record Order(@jakarta.validation.constraints.NotBlank String name,
                 @jakarta.validation.constraints.Min(1) int quantity) {
    }

    static class ConflictException extends RuntimeException {
    }

    @RestControllerAdvice
    static class Handler extends ProblemHandlerSupport {

        @ExceptionHandler(ConflictException.class)
        ProblemDetail conflict(ConflictException e) {
            return problem(ProblemType.CONCURRENT_CHANGE, "changed meanwhile");
        }
    }
}
