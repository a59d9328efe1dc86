package io.tributary.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.tributary.client.internal.Json;
import io.tributary.problem.ProblemType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A scripted stand-in for the ingest service on 127.0.0.1: tests register handlers per method
 * and path pattern, and assert on the requests it recorded.
 */
public final class FakeIngestServer implements AutoCloseable {

    private static final long AWAIT_MILLIS = 10_000;

    /** A request as the server received it. */
    public record Request(String method, String path, Map<String, String> query, Map<String, String> headers,
                          String body) {

        public JsonNode json() {
            return Json.MAPPER.readTree(body);
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /**
     * What the server answers.
     *
     * @param cutOff the connection is closed after half the body (the answer is lost on its way)
     */
    public record Reply(int status, String contentType, String body, boolean cutOff) {

        public Reply(int status, String contentType, String body) {
            this(status, contentType, body, false);
        }

        /** This reply, lost half-way: the client gets the headers and part of the body, then a closed connection. */
        public Reply lost() {
            return new Reply(status, contentType, body, true);
        }

        public static Reply json(int status, Object body) {
            return new Reply(status, "application/json",
                    body instanceof String text ? text : Json.MAPPER.writeValueAsString(body));
        }

        public static Reply ok(Object body) {
            return json(200, body);
        }

        public static Reply noContent() {
            return new Reply(204, null, "");
        }

        /** A problem+json answer; {@code extra} are further name/value pairs. */
        public static Reply problem(int status, String typeSuffix, String detail, boolean retriable, Object... extra) {
            ObjectNode node = Json.MAPPER.createObjectNode()
                    .put("type", ProblemType.BASE + typeSuffix)
                    .put("title", typeSuffix)
                    .put("status", status)
                    .put("detail", detail)
                    .put("retriable", retriable);
            for (int i = 0; i < extra.length; i += 2) {
                node.set((String) extra[i], Json.MAPPER.valueToTree(extra[i + 1]));
            }
            return new Reply(status, "application/problem+json", node.toString());
        }
    }

    /** Computes a reply; may block (each request has its own thread). */
    @FunctionalInterface
    public interface Handler {
        Reply handle(Request request) throws Exception;
    }

    private record Route(String method, Pattern path, Handler handler) {
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Route> routes = new CopyOnWriteArrayList<>();
    private final List<Request> received = new ArrayList<>();

    private FakeIngestServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::serve);
        server.setExecutor(executor);
        server.start();
    }

    public static FakeIngestServer start() {
        try {
            return new FakeIngestServer();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Routes requests whose path matches {@code pathRegex}; later routes win over earlier ones. */
    public FakeIngestServer on(String method, String pathRegex, Handler handler) {
        routes.add(0, new Route(method, Pattern.compile(pathRegex), handler));
        return this;
    }

    /** Answers matching requests with {@code replies} in order, repeating the last one. */
    public FakeIngestServer onSequence(String method, String pathRegex, Reply... replies) {
        AtomicInteger next = new AtomicInteger();
        return on(method, pathRegex, request -> replies[Math.min(next.getAndIncrement(), replies.length - 1)]);
    }

    public synchronized List<Request> requests(String method, String pathRegex) {
        Pattern pattern = Pattern.compile(pathRegex);
        return received.stream()
                .filter(r -> r.method().equals(method) && pattern.matcher(r.path()).matches())
                .toList();
    }

    /** Waits until at least {@code count} matching requests arrived and returns them all. */
    public synchronized List<Request> awaitRequests(String method, String pathRegex, int count)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + AWAIT_MILLIS;
        List<Request> matching = requests(method, pathRegex);
        while (matching.size() < count) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                throw new AssertionError("expected " + count + " " + method + " " + pathRegex
                        + " requests, got " + matching.size() + "; all: " + received);
            }
            wait(left);
            matching = requests(method, pathRegex);
        }
        return matching;
    }

    private void serve(HttpExchange exchange) throws IOException {
        Request request = read(exchange);
        synchronized (this) {
            received.add(request);
            notifyAll();
        }
        Reply reply;
        try {
            reply = routes.stream()
                    .filter(r -> r.method().equals(request.method()) && r.path().matcher(request.path()).matches())
                    .findFirst()
                    .map(route -> handle(route, request))
                    .orElseGet(() -> Reply.problem(404, "not-found", "no route for " + request.path(), false));
        } catch (RuntimeException e) {
            reply = Reply.problem(500, "internal", String.valueOf(e), false);
        }
        write(exchange, reply);
    }

    private static Reply handle(Route route, Request request) {
        try {
            return route.handler().handle(request);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Request read(HttpExchange exchange) throws IOException {
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, String> headers = new HashMap<>();
        exchange.getRequestHeaders().forEach((name, values) ->
                headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
        Map<String, String> query = new HashMap<>();
        String rawQuery = exchange.getRequestURI().getRawQuery();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                String[] parts = pair.split("=", 2);
                query.put(parts[0], parts.length > 1 ? parts[1] : "");
            }
        }
        return new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), query, headers, body);
    }

    private static void write(HttpExchange exchange, Reply reply) throws IOException {
        byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
        if (reply.contentType() != null) {
            exchange.getResponseHeaders().add("Content-Type", reply.contentType());
        }
        boolean empty = bytes.length == 0;
        exchange.sendResponseHeaders(reply.status(), empty ? -1 : bytes.length);
        if (reply.cutOff()) {
            OutputStream out = exchange.getResponseBody();
            out.write(bytes, 0, bytes.length / 2);
            out.flush();
            // Closing short of the announced length makes the server drop the connection.
            exchange.close();
            return;
        }
        try (OutputStream out = exchange.getResponseBody()) {
            if (!empty) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
