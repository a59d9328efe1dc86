package io.tributary.ingest.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;
import io.tributary.ingest.replication.ClusterPeers;
import io.tributary.ingest.testing.LocalResources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cluster view's probe of the peers: a ready peer is UP with its report, a peer not ready DOWN with it, a
 * peer answering an error DOWN without one, and a peer that does not answer (connection refused, or accepted and
 * then silent) UNREACHABLE, the whole call bounded by the probe timeout rather than waiting for the silent one.
 */
class ReportProbeTest {

    private static final String TOKEN = "Bearer node-token";

    private final List<HttpServer> servers = new ArrayList<>();
    private ServerSocket silent;
    private volatile String seenAuthorization;

    /** A peer stand-in answering its report with {@code status} and {@code body} (null: none). */
    private int peer(int status, String body) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(ReportProbe.PATH, exchange -> {
            seenAuthorization = exchange.getRequestHeaders().getFirst("Authorization");
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        servers.add(server);
        return server.getAddress().getPort();
    }

    @BeforeEach
    void start() throws IOException {
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()); // connects, never answers
    }

    @AfterEach
    void stop() throws IOException {
        servers.forEach(s -> s.stop(0));
        silent.close();
    }

    @Test
    // The probe waits 2 s; a hang on the silent peer fails here (in a separate thread: join is not interruptible).
    @Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void eachPeerGetsTheStatusOfItsAnswer() throws IOException {
        int ready = peer(200, "{\"nodeId\":2,\"ready\":true,\"leads\":[{\"topic\":\"t\",\"partition\":1,"
                + "\"term\":4}],\"failedReplicas\":[]}");
        int notReady = peer(200, "{\"nodeId\":3,\"ready\":false,\"leads\":[],\"failedReplicas\":[\"t-0\"]}");
        int refusing = peer(403, null);
        int closed = LocalResources.freePort(); // nothing listens there
        List<ClusterPeers.Peer> peers = List.of(
                new ClusterPeers.Peer(2, "127.0.0.1", ready, 1),
                new ClusterPeers.Peer(3, "127.0.0.1", notReady, 1),
                new ClusterPeers.Peer(4, "127.0.0.1", refusing, 1),
                new ClusterPeers.Peer(5, "127.0.0.1", silent.getLocalPort(), 1),
                new ClusterPeers.Peer(6, "127.0.0.1", closed, 1));

        // Generous for a loaded machine (the JDK's HTTP client and server are slow on first use); the silent
        // peer holds the call this long.
        Map<Integer, ReportProbe.Answer> answers = new ReportProbe(Duration.ofSeconds(2), () -> TOKEN).ask(peers);

        assertThat(answers.keySet()).containsExactly(2, 3, 4, 5, 6);
        assertThat(answers.get(2).status()).isEqualTo(ClusterView.Status.UP);
        assertThat(answers.get(2).report().leads()).containsExactly(new NodeReport.Lead("t", 1, 4));
        assertThat(seenAuthorization).isEqualTo(TOKEN);
        assertThat(answers.get(3).status()).isEqualTo(ClusterView.Status.DOWN);
        assertThat(answers.get(3).report().failedReplicas()).containsExactly("t-0");
        assertThat(answers.get(4)).isEqualTo(ReportProbe.Answer.NO_REPORT);
        assertThat(answers.get(5)).isEqualTo(ReportProbe.Answer.UNREACHABLE);
        assertThat(answers.get(6)).isEqualTo(ReportProbe.Answer.UNREACHABLE);
    }
}
