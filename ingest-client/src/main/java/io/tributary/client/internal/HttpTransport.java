package io.tributary.client.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.client.ClientSettings;
import io.tributary.client.IngestException;
import tools.jackson.databind.JsonNode;

/**
 * JSON over HTTP/1.1 to the ingest service. Successful answers become a {@link JsonNode}
 * (a missing node for empty bodies); everything else becomes an {@link IngestException}.
 * Thread-safe.
 *
 * <p><b>Failover.</b> With several bootstrap URLs, every call goes to the current node (the first
 * one at start) until a call fails there in a way that points at the node: no connection, a reset
 * or timeout, or a 502/503/504 the service marked retriable. The next node then becomes current,
 * for this call and every later one, and the call is sent again to it after
 * {@link ClientSettings#failoverBackoff()} (doubled per further node) when its {@link Resend} allows
 * it, each node at most once per call, within the call's {@link ClientSettings#requestTimeout()}
 * (each attempt gets what is left of it). With one URL a call makes exactly one attempt.
 */
public final class HttpTransport {

    private static final Logger LOG = LoggerFactory.getLogger(HttpTransport.class);
    private static final int MAX_BACKOFF_DOUBLINGS = 10;

    private final HttpClient http;
    private final ClientSettings settings;
    private final List<URI> nodes;
    /** Index of the node calls go to, moved on by a failure there (only by the first to see it). */
    private final AtomicInteger current = new AtomicInteger();

    public HttpTransport(ClientSettings settings) {
        this.settings = settings;
        this.nodes = settings.bootstrapUrls();
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout())
                .build();
    }

    public ClientSettings settings() {
        return settings;
    }

    /** The node calls go to now. */
    public URI currentNode() {
        return nodes.get(current.get());
    }

    /** Encodes one path segment, e.g. a topic name. */
    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Sends a request without blocking; a GET may be sent again to another node after any failure,
     * other methods only when the connection could not be made ({@link Resend#UNSENT}).
     *
     * @see #sendAsync(String, String, String, Map, Duration, Resend)
     */
    public CompletableFuture<JsonNode> sendAsync(String method, String pathAndQuery, String jsonBody,
                                                 Map<String, String> headers, Duration extraTimeout) {
        return sendAsync(method, pathAndQuery, jsonBody, headers, extraTimeout, defaultResend(method));
    }

    /**
     * Sends a request without blocking.
     *
     * @param jsonBody     the body, or null for none
     * @param headers      headers beyond the content type and the configured extra headers
     * @param extraTimeout added to the request timeout (for long polls)
     * @param resend       when the request may go to another node after a failure
     * @return completes with the parsed answer or exceptionally with an {@link IngestException}
     */
    public CompletableFuture<JsonNode> sendAsync(String method, String pathAndQuery, String jsonBody,
                                                 Map<String, String> headers, Duration extraTimeout, Resend resend) {
        return new Call<>(method, pathAndQuery, jsonBody, headers, extraTimeout, resend,
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8), HttpTransport::toJson).start();
    }

    /**
     * Sends a request without blocking and hands the successful answer's raw bytes to
     * {@code reader} on the HTTP client's thread (so several answers are read in parallel).
     *
     * @param resend when the request may go to another node after a failure
     * @return completes with what {@code reader} made of the body, or exceptionally with an {@link IngestException}
     */
    public <T> CompletableFuture<T> sendForBytesAsync(String method, String pathAndQuery, Duration extraTimeout,
                                                      Resend resend, Function<byte[], T> reader) {
        return new Call<byte[], T>(method, pathAndQuery, null, Map.of(), extraTimeout, resend,
                HttpResponse.BodyHandlers.ofByteArray(), response -> {
                    int status = response.statusCode();
                    if (status < 200 || status >= 300) {
                        throw ProblemParser.parse(status, new String(response.body(), StandardCharsets.UTF_8));
                    }
                    return reader.apply(response.body());
                }).start();
    }

    /** As {@link #sendForBytesAsync(String, String, Duration, Resend, Function)} with the method's default resend. */
    public <T> CompletableFuture<T> sendForBytesAsync(String method, String pathAndQuery, Duration extraTimeout,
                                                      Function<byte[], T> reader) {
        return sendForBytesAsync(method, pathAndQuery, extraTimeout, defaultResend(method), reader);
    }

    /** Blocking variant of {@link #sendAsync} without extra headers, with the method's default resend. */
    public JsonNode send(String method, String pathAndQuery, String jsonBody) {
        return send(method, pathAndQuery, jsonBody, defaultResend(method));
    }

    /** Blocking variant of {@link #sendAsync} without extra headers. */
    public JsonNode send(String method, String pathAndQuery, String jsonBody, Resend resend) {
        return await(sendAsync(method, pathAndQuery, jsonBody, Map.of(), Duration.ZERO, resend));
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

    /**
     * True when the failure says the request never reached a node: the connection was refused, timed
     * out or the host is unknown.
     */
    public static boolean neverSent(Throwable failure) {
        if (!(failure instanceof IngestException ingest) || ingest.status() != 0) {
            return false;
        }
        for (Throwable cause = ingest.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException
                    || cause instanceof UnresolvedAddressException) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when the failure points at the node rather than at the request: no answer at all, or a
     * gateway/unavailable status the service marked retriable (no leader, no coordinator, no majority).
     */
    public static boolean nodeFailure(Throwable failure) {
        if (!(failure instanceof IngestException ingest)) {
            return false;
        }
        int status = ingest.status();
        return status == 0 || ingest.retriable() && (status == 502 || status == 503 || status == 504);
    }

    private static Resend defaultResend(String method) {
        return "GET".equals(method) ? Resend.ANY_FAILURE : Resend.UNSENT;
    }

    private static boolean mayResend(Resend resend, Throwable failure) {
        return switch (resend) {
            case ANY_FAILURE -> true;
            case REFUSED -> neverSent(failure) || ((IngestException) failure).status() != 0;
            case UNSENT -> neverSent(failure);
        };
    }

    /** One call: its attempts, one node each, until an answer, a final failure or the time is up. */
    private final class Call<B, T> {
        private final String method;
        private final String pathAndQuery;
        private final String jsonBody;
        private final Map<String, String> headers;
        private final Resend resend;
        private final HttpResponse.BodyHandler<B> handler;
        private final Function<HttpResponse<B>, T> reader;
        private final Duration timeout;
        private final long deadline;
        private final CompletableFuture<T> result = new CompletableFuture<>();
        private int attempts;

        Call(String method, String pathAndQuery, String jsonBody, Map<String, String> headers, Duration extraTimeout,
             Resend resend, HttpResponse.BodyHandler<B> handler, Function<HttpResponse<B>, T> reader) {
            this.method = method;
            this.pathAndQuery = pathAndQuery;
            this.jsonBody = jsonBody;
            this.headers = headers;
            this.resend = resend;
            this.handler = handler;
            this.reader = reader;
            this.timeout = settings.requestTimeout().plus(extraTimeout);
            this.deadline = System.nanoTime() + timeout.toNanos();
        }

        CompletableFuture<T> start() {
            attempt(timeout);
            return result;
        }

        private void attempt(Duration attemptTimeout) {
            int node = current.get();
            attempts++;
            HttpRequest request;
            try {
                request = buildRequest(nodes.get(node), method, pathAndQuery, jsonBody, headers, attemptTimeout);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            http.sendAsync(request, handler).handle((response, failure) -> {
                if (result.isDone()) {
                    return null; // cancelled by the caller
                }
                if (failure == null) {
                    try {
                        result.complete(reader.apply(response));
                        return null;
                    } catch (RuntimeException e) {
                        failure = e;
                    }
                }
                onFailure(node, asIngestException(unwrap(failure), method, nodes.get(node) + pathAndQuery));
                return null;
            });
        }

        private void onFailure(int node, RuntimeException failure) {
            if (!nodeFailure(failure) || nodes.size() == 1) {
                result.completeExceptionally(failure);
                return;
            }
            int next = (node + 1) % nodes.size();
            if (current.compareAndSet(node, next)) {
                LOG.warn("Ingest node {} failed ({}); calls go to {} now", nodes.get(node), failure.getMessage(),
                        nodes.get(next));
            }
            Duration backoff = settings.failoverBackoff()
                    .multipliedBy(1L << Math.min(attempts - 1, MAX_BACKOFF_DOUBLINGS));
            long left = deadline - System.nanoTime() - backoff.toNanos();
            // Below a millisecond left an attempt could only time out.
            if (attempts >= nodes.size() || !mayResend(resend, failure) || left < TimeUnit.MILLISECONDS.toNanos(1)) {
                result.completeExceptionally(failure);
                return;
            }
            CompletableFuture.delayedExecutor(backoff.toNanos(), TimeUnit.NANOSECONDS).execute(() -> {
                if (!result.isDone()) {
                    attempt(Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1),
                            deadline - System.nanoTime())));
                }
            });
        }
    }

    private HttpRequest buildRequest(URI node, String method, String pathAndQuery, String jsonBody,
                                     Map<String, String> headers, Duration timeout) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(node + pathAndQuery))
                .timeout(timeout)
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
