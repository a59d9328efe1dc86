package io.tributary.analytics.it;

import io.tributary.problem.ProblemType;
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
    private final Map<String, AtomicInteger> readsByTable = new ConcurrentHashMap<>();
    /** Tables whose next reads fail: the status, and how many reads are left to fail. */
    private final Map<String, int[]> failNext = new ConcurrentHashMap<>();

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

    /** Answers {@code status} with a problem to the next {@code times} reads of this table, then its rows. */
    void failNext(String table, int status, int times) {
        failNext.put(table, new int[] {status, times});
    }

    int reads() {
        return reads.get();
    }

    int reads(String table) {
        AtomicInteger n = readsByTable.get(table);
        return n == null ? 0 : n.get();
    }

    private void answer(HttpExchange exchange) throws IOException {
        String table = exchange.getRequestURI().getPath().substring(PREFIX.length());
        reads.incrementAndGet();
        readsByTable.computeIfAbsent(table, t -> new AtomicInteger()).incrementAndGet();
        Integer failure = failures.get(table);
        int[] next = failNext.get(table);
        if (failure == null && next != null && next[1] > 0) {
            next[1]--;
            failure = next[0];
        }
        String rows = rowsJson.get(table);
        if (failure != null || rows == null) {
            int status = failure != null ? failure : 404;
            send(exchange, status, "application/problem+json", "{\"type\":\"" + (status == 404
                    ? ProblemType.UNKNOWN_REFERENCE_TABLE : ProblemType.INTERNAL_ERROR).uriString() + "\",\"status\":" + status + "}");
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
