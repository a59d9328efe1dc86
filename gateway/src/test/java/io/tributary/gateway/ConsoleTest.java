package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The console's files and its two endpoints through the gateway's security chain: the page and its libraries are
 * public (they hold no data), the session check and the health view need a valid key. The pages themselves are
 * driven in a browser by system-tests' ConsoleBrowserTest.
 */
class ConsoleTest extends GatewayTestSupport {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void shouldServeTheConsolePageWithoutAKey() throws Exception {
        HttpResponse<String> redirect = send(request("/console"));
        assertThat(redirect.statusCode()).isEqualTo(302);
        assertThat(redirect.headers().firstValue("Location").orElseThrow()).endsWith("/console/");

        HttpResponse<String> page = send(request("/console/"));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(page.body()).contains("<title>Tributary console</title>").contains("id=\"credential\"");
    }

    @ParameterizedTest
    @CsvSource({
            "/console/js/app.js",
            "/console/console.css",
            "/webjars/alpinejs/dist/cdn.min.js",
            "/webjars/chart.js/dist/chart.umd.js",
    })
    void shouldServeTheConsolesScriptsAndLibrariesFromTheGatewayItself(String path) throws Exception {
        HttpResponse<String> answer = send(request(path));

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).isNotBlank();
        assertThat(INGEST.received()).noneMatch(r -> r.path().equals(path));
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource({
            "c-key, consumer-app, consumer",
            "a-key, operator,     admin",
            "n-key, public-only,  ''",
    })
    void shouldTellTheConsoleWhoIsSignedIn(String key, String name, String roles) throws Exception {
        HttpResponse<String> answer = send(request("/console/api/session", key));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode session = JSON.readTree(answer.body());
        assertThat(session.get("name").asString()).isEqualTo(name);
        assertThat(session.get("scheme").asString()).isEqualTo("api-key");
        assertThat(session.get("roles").valueStream().map(JsonNode::asString).toList())
                .containsExactlyElementsOf(roles.isEmpty() ? java.util.List.of() : java.util.List.of(roles));
    }

    @ParameterizedTest
    @CsvSource({"/console/api/session", "/console/api/health"})
    void shouldRefuseTheConsolesEndpointsWithoutAValidKey(String path) throws Exception {
        HttpResponse<String> none = send(request(path));
        HttpResponse<String> wrong = send(request(path, "wrong-key"));

        for (HttpResponse<String> answer : java.util.List.of(none, wrong)) {
            assertThat(answer.statusCode()).isEqualTo(401);
            assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        }
    }

    @Test
    void shouldReportEachServicesReadiness() throws Exception {
        Thread.sleep(1_100); // past the one second an answer is kept for, should another test have asked just now
        clearStubs();

        HttpResponse<String> answer = send(request("/console/api/health", "n-key"));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode services = JSON.readTree(answer.body()).get("services");
        assertThat(services.valueStream().map(s -> s.get("name").asString() + "=" + s.get("status").asString()))
                .containsExactly("gateway=UP", "ingest-service=UP", "stream-clean-service=UP", "analytics-service=UP");
        for (UpstreamStub stub : java.util.List.of(INGEST, CLEAN, ANALYTICS)) {
            assertThat(stub.received()).anyMatch(r -> r.path().equals("/actuator/health/readiness"));
        }
    }
}
