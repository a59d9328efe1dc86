package io.tributary.analytics.it;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP server answering {@code GET /api/v1/reference-tables/{name}} as stream-clean-service
 * does ({@code {"name","revision","rowCount","updatedAt","rows":{...}}}, 404 problem when
 * unknown), so analytics can be tested on its own. Tables can be put, removed or made to fail.
 */
final class ReferenceTableStub implements AutoCloseable {

    private static final String PREFIX = "/api/v1/reference-tables/";

    private final HttpServer server;
    private final Map<String, String> rowsJson = new ConcurrentHashMap<>();
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    private final AtomicInteger reads = new AtomicInteger();

    ReferenceTableStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(PREFIX, this::answer);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** @param rows the table's rows as a JSON object by key */
    void put(String table, String rows) {
        rowsJson.put(table, rows);
    }

    void remove(String table) {
        rowsJson.remove(table);
    }

    /** Answers {@code status} with a problem for this table. */
    void fail(String table, int status) {
        failures.put(table, status);
    }

    int reads() {
        return reads.get();
    }

    private void answer(HttpExchange exchange) throws IOException {
        String table = exchange.getRequestURI().getPath().substring(PREFIX.length());
        reads.incrementAndGet();
        Integer failure = failures.get(table);
        String rows = rowsJson.get(table);
        if (failure != null || rows == null) {
            int status = failure != null ? failure : 404;
            send(exchange, status, "application/problem+json", "{\"type\":\"https://tributary.dev/problems/"
                    + (status == 404 ? "reference-table-not-found" : "internal-error") + "\",\"status\":" + status + "}");
        } else {
            send(exchange, 200, "application/json", "{\"name\":\"" + table + "\",\"revision\":1,\"rowCount\":0,"
                    + "\"updatedAt\":\"2026-11-25T00:00:00Z\",\"rows\":" + rows + "}");
        }
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
