package io.tributary.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.client.ClientSettings;
import io.tributary.client.IngestClient;
import io.tributary.client.NewTopic;
import io.tributary.testkit.EmbeddedIngest;
import io.tributary.testkit.ServiceProcess;
import tools.jackson.databind.json.JsonMapper;

/**
 * An acknowledged change is on disk: a job created and started, then SIGKILLed at once, is still
 * there and running after the restart. (With H2's default write delay the kill lost it, and a
 * restarted exactly-once job could not even be found.)
 */
class DefinitionDurabilityTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path temp;

    private EmbeddedIngest ingest;
    private ServiceProcess analytics;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void tearDown() throws Exception {
        if (analytics != null) {
            analytics.close();
        }
        if (ingest != null) {
            ingest.close();
        }
    }

    @Test
    void shouldKeepAJobAcknowledgedJustBeforeASigkill() throws Exception {
        ingest = EmbeddedIngest.start(temp.resolve("ingest"));
        try (IngestClient client = IngestClient.create(ClientSettings.of(ingest.url()))) {
            client.createTopic(new NewTopic("durable", 1, 1));
        }
        analytics = start();
        expect(send("POST", "/api/v1/jobs", """
                {"name":"durable","source":"durable","eventTime":"/ts","watermark":"PT10S",
                 "window":{"type":"tumbling","size":"PT1M"},"aggregations":[{"name":"n","function":"count"}]}
                """), 201);
        expect(send("POST", "/api/v1/jobs/durable/start", null), 200);
        analytics.kill();

        analytics = start();
        HttpResponse<String> job = expect(send("GET", "/api/v1/jobs/durable", null), 200);
        assertThat(JSON.readTree(job.body()).path("status").asString()).isEqualTo("RUNNING");
    }

    private ServiceProcess start() throws Exception {
        return AnalyticsServiceProcess.start(ingest.url(), temp, temp.resolve("analytics.log"),
                "--logging.level.root=WARN").awaitReady(Duration.ofSeconds(60));
    }

    private static HttpResponse<String> expect(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return response;
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(analytics.url() + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
