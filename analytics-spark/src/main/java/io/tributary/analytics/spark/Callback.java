package io.tributary.analytics.spark;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The driver's calls to analytics-service's internal API of its job: the plan, whether the run is still current,
 * each batch's rows (the commit) and each batch's progress. Every call carries the run's token (environment
 * variable {@value #TOKEN_ENV} or Spark conf {@value #TOKEN_CONF}), which the service gave this driver when it
 * submitted it and accepts from no one else.
 */
final class Callback {

    static final String TOKEN_ENV = "TRIBUTARY_SPARK_RUN_TOKEN";
    static final String TOKEN_CONF = "spark.tributary.run-token";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String url;
    private final String token;

    Callback(String url, String token) {
        this.url = url;
        this.token = token;
    }

    /** The plan of this run; fails when the service refuses (the run is already over) or cannot be reached. */
    SparkPlan plan() throws IOException {
        HttpResponse<String> response = get("/plan");
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET /plan answered " + response.statusCode() + ": " + response.body());
        }
        return SparkPlan.parse(response.body());
    }

    /**
     * Whether this run is still the job's current run (false on a 401: stopped, or taken over).
     *
     * @throws IllegalStateException when the service cannot be reached or answers otherwise
     */
    boolean current() {
        int status = get("/run").statusCode();
        if (status == 401) {
            return false;
        }
        if (status / 100 != 2) {
            throw new IllegalStateException("GET /run answered " + status);
        }
        return true;
    }

    /**
     * Commits a batch's rows. The service writes them in one transaction, replacing the rows of the same
     * window and group (a batch Spark replays after a failure writes the same rows again, never adds).
     *
     * @throws IllegalStateException when the service refuses or cannot be reached: the batch fails, and with it
     *                               the query (Spark then replays it from the checkpoint on the next start)
     */
    void commit(Object batch) {
        send("/batches", batch, Duration.ofSeconds(60));
    }

    /** Reports a batch's progress ({@code StreamingQueryProgress} as JSON); a failure is only logged. */
    void progress(String progressJson) {
        try {
            post("/progress", progressJson, Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            System.err.println("progress report failed: " + e.getMessage());
        }
    }

    private void send(String path, Object body, Duration timeout) {
        try {
            post(path, JSON.writeValueAsString(body), timeout);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token).GET().build());
    }

    /** Sends a call; an unreachable service is an {@link IllegalStateException} naming the call. */
    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(request.method() + " " + request.uri().getPath()
                    + " to analytics-service failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void post(String path, String body, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + path)).timeout(timeout)
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response = send(request);
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("POST " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
    }
}
