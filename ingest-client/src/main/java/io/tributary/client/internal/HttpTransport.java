package io.tributary.client.internal;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import io.tributary.client.ClientSettings;
import io.tributary.client.IngestException;
import tools.jackson.databind.JsonNode;

/**
 * JSON over HTTP/1.1 to the ingest service. Successful answers become a {@link JsonNode}
 * (a missing node for empty bodies); everything else becomes an {@link IngestException}.
 * Thread-safe.
 */
public final class HttpTransport {

    private final HttpClient http;
    private final ClientSettings settings;

    public HttpTransport(ClientSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout())
                .build();
    }

    public ClientSettings settings() {
        return settings;
    }

    /** Encodes one path segment, e.g. a topic name. */
    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Sends a request without blocking.
     *
     * @param jsonBody     the body, or null for none
     * @param headers      headers beyond the content type and the configured extra headers
     * @param extraTimeout added to the request timeout (for long polls)
     * @return completes with the parsed answer or exceptionally with an {@link IngestException}
     */
    public CompletableFuture<JsonNode> sendAsync(String method, String pathAndQuery, String jsonBody,
                                                 Map<String, String> headers, Duration extraTimeout) {
        HttpRequest request = buildRequest(method, pathAndQuery, jsonBody, headers, extraTimeout);
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .handle((response, failure) -> {
                    if (failure != null) {
                        throw asIngestException(unwrap(failure), method, pathAndQuery);
                    }
                    return toJson(response);
                });
    }

    /**
     * Sends a request without blocking and hands the successful answer's raw bytes to
     * {@code reader} on the HTTP client's thread (so several answers are read in parallel).
     *
     * @return completes with what {@code reader} made of the body, or exceptionally with an {@link IngestException}
     */
    public <T> CompletableFuture<T> sendForBytesAsync(String method, String pathAndQuery, Duration extraTimeout,
                                                      java.util.function.Function<byte[], T> reader) {
        HttpRequest request = buildRequest(method, pathAndQuery, null, Map.of(), extraTimeout);
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, failure) -> {
                    if (failure != null) {
                        throw asIngestException(unwrap(failure), method, pathAndQuery);
                    }
                    int status = response.statusCode();
                    if (status < 200 || status >= 300) {
                        throw ProblemParser.parse(status, new String(response.body(), StandardCharsets.UTF_8));
                    }
                    return reader.apply(response.body());
                });
    }

    /** Blocking variant of {@link #sendAsync} without extra headers. */
    public JsonNode send(String method, String pathAndQuery, String jsonBody) {
        return await(sendAsync(method, pathAndQuery, jsonBody, Map.of(), Duration.ZERO));
    }

    /** Waits for a transport future, rethrowing its {@link IngestException} as is. */
    public static JsonNode await(CompletableFuture<JsonNode> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw IngestException.network("interrupted while waiting for the ingest service", e);
        } catch (ExecutionException e) {
            Throwable cause = unwrap(e.getCause());
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw IngestException.network(String.valueOf(cause), cause);
        }
    }

    private HttpRequest buildRequest(String method, String pathAndQuery, String jsonBody,
                                     Map<String, String> headers, Duration extraTimeout) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(settings.baseUrl() + pathAndQuery))
                .timeout(settings.requestTimeout().plus(extraTimeout))
                .header("Accept", "application/json, application/problem+json");
        settings.extraHeaders().get().forEach(builder::header);
        headers.forEach(builder::header);
        if (jsonBody == null) {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            builder.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8));
        }
        return builder.build();
    }

    private static JsonNode toJson(HttpResponse<String> response) {
        int status = response.statusCode();
        String body = response.body();
        if (status < 200 || status >= 300) {
            throw ProblemParser.parse(status, body);
        }
        if (body == null || body.isBlank()) {
            return Json.MAPPER.missingNode();
        }
        try {
            return Json.MAPPER.readTree(body);
        } catch (tools.jackson.core.JacksonException e) {
            throw new IngestException(status, null, "Unreadable response", e.getOriginalMessage(), false, e);
        }
    }

    private static RuntimeException asIngestException(Throwable failure, String method, String path) {
        if (failure instanceof IngestException ingest) {
            return ingest;
        }
        if (failure instanceof CancellationException cancelled) {
            return cancelled;
        }
        if (failure instanceof IOException) {
            return IngestException.network(method + " " + path + " failed: " + failure, failure);
        }
        return failure instanceof RuntimeException runtime ? runtime
                : IngestException.network(method + " " + path + " failed: " + failure, failure);
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable current = failure;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }
}
