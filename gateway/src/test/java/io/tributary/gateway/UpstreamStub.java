package io.tributary.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;

/**
 * A real HTTP server standing in for one service: it records every request and answers 200 with a small JSON body
 * naming itself, a minimal OpenAPI document at {@code /v3/api-docs}, and a delayed answer for paths ending in
 * {@code /slow} (the delay in the {@code sleepMs} query parameter), and an answer held back until
 * {@link #releaseParked()} for paths ending in {@code /park} (a long poll that waits as long as a test wants), a
 * {@code Set-Cookie} for paths ending in {@code /cookie} and a gzip-encoded answer for paths ending in {@code /gzip}.
 * {@link #stop()} and {@link #start()} kill and revive it on the same port.
 */
final class UpstreamStub {

    /** What the stub received. */
    record Received(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final String name;
    private final BlockingDeque<Received> received = new LinkedBlockingDeque<>();
    private final AtomicInteger parked = new AtomicInteger();
    private volatile CountDownLatch release = new CountDownLatch(1);
    private int port;
    private HttpServer server;

    UpstreamStub(String name) {
        this.name = name;
    }

    synchronized UpstreamStub start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
        port = server.getAddress().getPort();
        return this;
    }

    synchronized void stop() {
        server.stop(0);
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Every request received since the last {@link #clear()} that {@link #take()} has not taken. */
    List<Received> received() {
        return List.copyOf(received);
    }

    /** The next request received, waiting up to 5 s. */
    Received take() throws InterruptedException {
        Received r = received.poll(5, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError(name + " received nothing");
        }
        return r;
    }

    void clear() {
        received.clear();
    }

    /** How many requests are waiting in a {@code /park} path right now. */
    int parked() {
        return parked.get();
    }

    /** Lets every parked request answer; later ones park again. */
    void releaseParked() {
        CountDownLatch old = release;
        release = new CountDownLatch(1);
        old.countDown();
    }

    boolean receivedNothing() {
        return received.isEmpty();
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String path = exchange.getRequestURI().getRawPath();
        String query = exchange.getRequestURI().getRawQuery();
        received.add(new Received(exchange.getRequestMethod(), path, query,
                Map.copyOf(exchange.getRequestHeaders()), body));
        String json;
        if (path.equals("/v3/api-docs")) {
            json = "{\"openapi\":\"3.1.0\",\"info\":{\"title\":\"" + name + "\",\"version\":\"1\"},"
                    + "\"servers\":[{\"url\":\"http://" + exchange.getRequestHeaders().getFirst("X-Forwarded-Host")
                    + "\"}],\"paths\":{}}";
        } else {
            if (path.endsWith("/slow")) {
                sleep(query);
            }
            if (path.endsWith("/park")) {
                park();
            }
            json = "{\"upstream\":\"" + name + "\",\"path\":\"" + path + "\"}";
        }
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        if (path.endsWith("/cookie")) {
            exchange.getResponseHeaders().set("Set-Cookie", "session=" + name + "-secret; Path=/");
        }
        if (path.endsWith("/gzip")) {
            bytes = gzip(bytes);
            exchange.getResponseHeaders().set("Content-Encoding", "gzip");
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("X-Upstream", name);
        String requestId = exchange.getRequestHeaders().getFirst("X-Request-Id");
        if (requestId != null) { // as the services do (service-support)
            exchange.getResponseHeaders().set("X-Request-Id", requestId);
        }
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }

    private void park() {
        CountDownLatch latch = release;
        parked.incrementAndGet();
        try {
            latch.await(2, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            parked.decrementAndGet();
        }
    }

    private static void sleep(String query) {
        long ms = query != null && query.startsWith("sleepMs=") ? Long.parseLong(query.substring(8)) : 1000;
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
