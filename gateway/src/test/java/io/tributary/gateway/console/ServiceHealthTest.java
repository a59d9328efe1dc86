package io.tributary.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tributary.gateway.config.GatewayProperties;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/** The three states the console shows per service: ready, running but not ready, and not answering at all. */
class ServiceHealthTest {

    @Test
    void shouldTellAReadyServiceFromAnUnreadyOneAndFromOneThatDoesNotAnswer() throws Exception {
        HttpServer ready = server(200);
        HttpServer unready = server(503);
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort(); // nothing listens there once the socket is closed
        }
        try {
            ServiceHealth health = new ServiceHealth(new GatewayProperties(url(ready), url(unready),
                    URI.create("http://127.0.0.1:" + closed), DataSize.ofMegabytes(1), null, null));

            assertThat(health.current()).extracting(s -> s.name() + "=" + s.status()).containsExactly(
                    "gateway=UP", "ingest-service=UP", "stream-clean-service=DOWN", "analytics-service=UNREACHABLE");
        } finally {
            ready.stop(0);
            unready.stop(0);
        }
    }

    private static HttpServer server(int status) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/actuator/health/readiness", exchange -> {
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static URI url(HttpServer server) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }
}
