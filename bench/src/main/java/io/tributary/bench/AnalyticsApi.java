package io.tributary.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The few calls of analytics-service's job API the analytics driver needs. */
final class AnalyticsApi {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String url;

    AnalyticsApi(String url) {
        this.url = url;
    }

    void createJob(String body) {
        send("POST", "/api/v1/jobs", body, 201);
    }

    /** Starts the job; answers the job as stored (its {@code updatedAt} is the start on the service's clock). */
    JsonNode start(String job) {
        return send("POST", "/api/v1/jobs/" + job + "/start", null, 200);
    }

    void stop(String job) {
        send("POST", "/api/v1/jobs/" + job + "/stop", null, 200);
    }

    /** Deletes the job and its data; nothing when it does not exist. */
    void deleteIfExists(String job) {
        send("DELETE", "/api/v1/jobs/" + job, null, 204, 404);
    }

    JsonNode job(String job) {
        return send("GET", "/api/v1/jobs/" + job, null, 200);
    }

    /** Newest batch first. */
    JsonNode progress(String job, int size) {
        return send("GET", "/api/v1/jobs/" + job + "/progress?size=" + size, null, 200).path("batches");
    }

    JsonNode results(String job, String group) {
        return send("GET", "/api/v1/jobs/" + job + "/results?group=" + group, null, 200);
    }

    private JsonNode send(String method, String path, String body, int... expected) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            for (int status : expected) {
                if (response.statusCode() == status) {
                    return response.body().isEmpty() ? JSON.missingNode() : JSON.readTree(response.body());
                }
            }
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
