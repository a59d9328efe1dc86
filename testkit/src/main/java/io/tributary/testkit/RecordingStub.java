package io.tributary.testkit;

import io.tributary.problem.ProblemType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in for a service on a free port that records the {@code Authorization} header of every request and
 * answers 404 problem+json: enough to see what identity a client presents.
 */
public final class RecordingStub implements AutoCloseable {

    private final HttpServer server;
    private final BlockingQueue<Optional<String>> authorizations = new LinkedBlockingQueue<>();

    private RecordingStub(HttpServer server) {
        this.server = server;
    }

    public static RecordingStub start() {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RecordingStub stub = new RecordingStub(server);
        server.createContext("/", exchange -> {
            stub.authorizations.add(Optional.ofNullable(exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] body = ("{\"type\":\"" + ProblemType.NOT_FOUND.uriString() + "\",\"title\":\"Not found\","
                    + "\"status\":404,\"detail\":\"stub\",\"retriable\":false}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/problem+json");
            exchange.sendResponseHeaders(404, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return stub;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The {@code Authorization} header of the next request (empty: none sent), waiting up to 10 s for it. */
    public Optional<String> nextAuthorization() throws InterruptedException {
        Optional<String> next = authorizations.poll(10, TimeUnit.SECONDS);
        if (next == null) {
            throw new AssertionError("no request reached the stub");
        }
        return next;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
