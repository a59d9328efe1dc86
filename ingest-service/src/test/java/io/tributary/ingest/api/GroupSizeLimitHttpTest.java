package io.tributary.ingest.api;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** One group cannot grow without bound (ingest.limits.max-members-per-group, Kafka's group.max.size). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GroupSizeLimitHttpTest {

    private static final Path DATA = Http.tempDataDir("group-size-limit");

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry registry) {
        registry.add("ingest.data-dir", DATA::toString);
        registry.add("ingest.limits.max-members-per-group", () -> 2);
    }

    @LocalServerPort
    int port;

    private HttpResponse<byte[]> join(String group) throws Exception {
        // sent directly: the test helper refuses any 5xx
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                        + "/api/v1/groups/" + group + "/members")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"topics\":[\"size.t\"],\"sessionTimeoutMs\":10000}"))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void aJoinBeyondTheGroupsSizeIsRefusedAndOtherGroupsAreUnaffected() throws Exception {
        Http http = new Http(port);
        http.createTopic("size.t", 1, Map.of());
        assertThat(join("crowded").statusCode()).isEqualTo(200);
        assertThat(join("crowded").statusCode()).isEqualTo(200);

        HttpResponse<byte[]> refused = join("crowded");
        JsonNode problem = Http.assertProblem(new Http.Response(refused.statusCode(),
                refused.headers().firstValue("Content-Type").orElse(null), refused.body()), 503, "capacity-exceeded");
        assertThat(problem.path("retriable").asBoolean()).isTrue();
        assertThat(problem.path("detail").asString()).contains("ingest.limits.max-members-per-group");
        assertThat(http.get("/api/v1/groups/crowded").json().path("members")).hasSize(2);

        assertThat(join("another").statusCode()).isEqualTo(200);
    }
}
