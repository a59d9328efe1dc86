package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AuthTest extends GatewayTestSupport {

    @ParameterizedTest(name = "{0} {1} with {2} -> {3}")
    @CsvSource({
            // produce: producer (and admin)
            "POST,   /api/v1/topics/t/records,                  none,  401",
            "POST,   /api/v1/topics/t/records,                  wrong, 401",
            "POST,   /api/v1/topics/t/records,                  c-key, 403",
            "POST,   /api/v1/topics/t/records,                  p-key, 200",
            "POST,   /api/v1/topics/t/records,                  a-key, 200",
            "POST,   /api/v1/producers,                         c-key, 403",
            "POST,   /api/v1/producers,                         p-key, 200",
            // fetch and groups: consumer (and admin)
            "GET,    /api/v1/topics/t/partitions/0/records,     none,  401",
            "GET,    /api/v1/topics/t/partitions/0/records,     p-key, 403",
            "GET,    /api/v1/topics/t/partitions/0/records,     c-key, 200",
            "GET,    /api/v1/topics/t/partitions/0/offsets,     c-key, 200",
            "POST,   /api/v1/groups/g/members,                  p-key, 403",
            "POST,   /api/v1/groups/g/members,                  c-key, 200",
            "POST,   /api/v1/groups/g/offsets,                  c-key, 200",
            "POST,   /api/v1/groups/g/offsets,                  a-key, 200",
            // topic metadata: any key
            "GET,    /api/v1/topics,                            none,  401",
            "GET,    /api/v1/topics/t,                          p-key, 200",
            "GET,    /api/v1/topics/t,                          c-key, 200",
            // management: admin
            "POST,   /api/v1/topics,                            p-key, 403",
            "POST,   /api/v1/topics,                            c-key, 403",
            "POST,   /api/v1/topics,                            a-key, 200",
            "PATCH,  /api/v1/topics/t/configs,                  c-key, 403",
            "PATCH,  /api/v1/topics/t/configs,                  a-key, 200",
            "DELETE, /api/v1/topics/t,                          p-key, 403",
            "DELETE, /api/v1/topics/t,                          a-key, 200",
            "GET,    /api/v1/acls,                              c-key, 403",
            "POST,   /api/v1/acls,                              p-key, 403",
            "POST,   /api/v1/acls,                              a-key, 200",
            "GET,    /api/v1/cluster,                           c-key, 403",
            "GET,    /api/v1/cluster,                           a-key, 200",
            "POST,   /api/v1/cluster/reassignments,             p-key, 403",
            "POST,   /api/v1/cluster/reassignments,             a-key, 200",
            "POST,   /api/v1/pipelines,                         c-key, 403",
            "POST,   /api/v1/pipelines,                         a-key, 200",
            "GET,    /api/v1/pipelines,                         c-key, 200",
            "PUT,    /api/v1/reference-tables/countries,        p-key, 403",
            "PUT,    /api/v1/reference-tables/countries,        a-key, 200",
            "POST,   /api/v1/jobs,                              c-key, 403",
            "POST,   /api/v1/jobs,                              a-key, 200",
            "GET,    /api/v1/jobs/j1/results,                   c-key, 200",
            "GET,    /actuator/metrics,                         c-key, 403",
            "GET,    /actuator/metrics,                         a-key, 200",
            // a key without roles is a valid "public only" key: any-key paths, 403 elsewhere (was a 500)
            "GET,    /api/v1/topics,                            n-key, 200",
            "GET,    /api/v1/jobs/j1/results,                   n-key, 200",
            "POST,   /api/v1/topics/t/records,                  n-key, 403",
            "GET,    /api/v1/topics/t/partitions/0/records,     n-key, 403",
            "POST,   /api/v1/topics,                            n-key, 403",
    })
    void shouldEnforceTheRoleMatrix(String method, String path, String key, int status) throws Exception {
        var request = request(path).method(method, BodyPublishers.ofString("{}")).header("Content-Type",
                "application/json");
        if (!key.equals("none")) {
            request.header("X-Api-Key", key);
        }

        HttpResponse<String> response = send(request);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        if (status >= 400) {
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(response.body()).contains("\"status\":" + status).contains("\"retriable\":false");
        }
    }

    @Test
    void shouldSayWhichRoleIsMissing() throws Exception {
        HttpResponse<String> response = send(request("/api/v1/topics", "c-key").POST(BodyPublishers.ofString("{}")));

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("\"type\":\"https://tributary.dev/problems/forbidden\"")
                .contains("\"requiredRole\":\"admin\"").contains("consumer-app");
    }

    @Test
    void shouldAskForAKeyWithWwwAuthenticate() throws Exception {
        HttpResponse<String> response = send(request("/api/v1/topics"));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                v -> assertThat(v).contains("X-Api-Key"));
        assertThat(response.body()).contains("https://tributary.dev/problems/unauthorized");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"GET, /api/v1/topics;jsessionid=1", "GET, /api/v1/topics/a%252fb", "PROPFIND, /api/v1/topics"})
    void shouldAnswerWhatTheFirewallRefusesWithAProblem(String method, String path) throws Exception {
        HttpResponse<String> response = send(request(path, "a-key").method(method, BodyPublishers.noBody()));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.body()).contains("https://tributary.dev/problems/invalid-request");
    }

    @ParameterizedTest
    @CsvSource({"/actuator/health", "/actuator/health/readiness", "/v3/api-docs/swagger-config",
            "/ingest/v3/api-docs", "/clean/v3/api-docs", "/analytics/v3/api-docs", "/swagger-ui/index.html"})
    void shouldServeHealthDocsAndTheConsoleWithoutAKey(String path) throws Exception {
        assertThat(send(request(path)).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldLimitEachKeyToItsRateWith429AndRetryAfter() throws Exception {
        // t-key may send 2 requests per hour; other keys are unaffected
        assertThat(send(request("/api/v1/groups", "t-key")).statusCode()).isEqualTo(200);
        assertThat(send(request("/api/v1/groups", "t-key")).statusCode()).isEqualTo(200);

        HttpResponse<String> limited = send(request("/api/v1/groups", "t-key"));

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 3600L);
        assertThat(limited.body()).contains("https://tributary.dev/problems/rate-limited")
                .contains("\"retriable\":true").contains("throttled");
        assertThat(send(request("/api/v1/groups", "c-key")).statusCode()).isEqualTo(200);
    }
}
