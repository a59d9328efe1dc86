package io.tributary.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The job API of an analytics service in another JVM, as the process tests use it. */
final class JobHttp {

    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private JobHttp() {
    }

    static String send(String baseUrl, String method, String path, String body, int expectedStatus) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        // A read answered with a retriable 503 (the database failing over under it) is sent again, as a client does.
        for (int retry = 0; method.equals("GET") && response.statusCode() == 503 && expectedStatus != 503
                && response.body().contains("\"retriable\":true") && retry < 50; retry++) {
            Thread.sleep(200);
            response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
        assertThat(response.statusCode()).as("%s %s: %s", method, path, response.body()).isEqualTo(expectedStatus);
        return response.body();
    }

    static JsonNode job(String baseUrl, String job) throws Exception {
        return JSON.readTree(send(baseUrl, "GET", "/api/v1/jobs/" + job, null, 200));
    }

    /** The sum of the end offsets of the job's last committed batch (0 before the first). */
    static long consumed(String baseUrl, String job) throws Exception {
        JsonNode batches = JSON.readTree(send(baseUrl, "GET", "/api/v1/jobs/" + job + "/progress?size=1", null, 200))
                .path("batches");
        if (batches.isEmpty()) {
            return 0;
        }
        long sum = 0;
        for (JsonNode offset : batches.get(0).path("endOffsets")) {
            sum += offset.asLong();
        }
        return sum;
    }

    /** Result rows of a job grouped by {@code /country} with count {@code n} and sum {@code total}: "minute/country" -> {n, total}. */
    static Map<String, long[]> countsAndTotals(String baseUrl, String job) throws Exception {
        JsonNode page = JSON.readTree(send(baseUrl, "GET", "/api/v1/jobs/" + job + "/results?size=1000", null, 200));
        Map<String, long[]> actual = new HashMap<>();
        for (JsonNode row : page.path("rows")) {
            String key = Instant.parse(row.path("windowStart").asString()).toEpochMilli() + "/"
                    + row.path("group").path("/country").asString();
            actual.put(key, new long[] {row.path("values").path("n").asLong(),
                    (long) row.path("values").path("total").asDouble()});
        }
        return actual;
    }
}
