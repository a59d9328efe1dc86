package io.tributary.ingest.group;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An HTTP proxy in front of a running service that loses answers on their way back: the request
 * reaches the service and is served, and the client gets the status, the headers and half the
 * body, then a closed connection. Which answers: the first {@code count} whose request path and
 * query match {@code lose}.
 */
final class AnswerDroppingProxy implements AutoCloseable {

    private final String target;
    private final Predicate<String> lose;
    private final AtomicInteger toLose;
    private final AtomicInteger lost = new AtomicInteger();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final HttpServer server;

    AnswerDroppingProxy(String target, Predicate<String> lose, int count) throws IOException {
        this.target = target;
        this.lose = lose;
        this.toLose = new AtomicInteger(count);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::relay);
        server.setExecutor(executor);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers lost so far. */
    int lost() {
        return lost.get();
    }

    private void relay(HttpExchange exchange) throws IOException {
        String pathAndQuery = exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + pathAndQuery))
                .timeout(Duration.ofSeconds(30))
                .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        HttpResponse<byte[]> answer;
        try {
            answer = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        answer.headers().firstValue("Content-Type").ifPresent(v -> exchange.getResponseHeaders().add("Content-Type", v));
        byte[] bytes = answer.body();
        boolean loseThis = answer.statusCode() == 200 && bytes.length > 1 && lose.test(pathAndQuery)
                && toLose.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        exchange.sendResponseHeaders(answer.statusCode(), bytes.length == 0 ? -1 : bytes.length);
        OutputStream out = exchange.getResponseBody();
        if (loseThis) {
            lost.incrementAndGet();
            out.write(bytes, 0, bytes.length / 2);
            out.flush();
            exchange.close(); // short of the announced length: the connection is dropped
            return;
        }
        out.write(bytes);
        out.close();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
