package io.tributary.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.tributary.client.FakeIngestServer.Reply;
import io.tributary.client.internal.HttpTransport;
import io.tributary.client.internal.Resend;

/** Failover between bootstrap URLs, against local HTTP servers standing in for ingest nodes. */
class FailoverTransportTest {

    private static final String ORDERS = "/api/v1/topics/orders";
    private static final Map<String, Object> DESCRIPTION = Map.of("name", "orders", "partitions", 1,
            "replicationFactor", 3, "configs", Map.of());
    private static final String PRODUCE = ORDERS + "/records";
    private static final String PLAIN_BODY = "{\"records\":[{\"key\":null,\"value\":1}],\"acks\":\"all\"}";
    private static final String SEQUENCED_BODY = "{\"records\":[{\"key\":null,\"value\":1}],\"acks\":\"all\","
            + "\"producerId\":7,\"producerEpoch\":0,\"baseSequence\":0}";

    private FakeIngestServer first;
    private FakeIngestServer second;

    @BeforeEach
    void start() {
        first = FakeIngestServer.start();
        second = FakeIngestServer.start();
        second.on("GET", ORDERS, r -> Reply.ok(DESCRIPTION));
        second.on("POST", PRODUCE, r -> Reply.ok(Map.of("offsets", List.of(Map.of("partition", 0, "offset", 7)))));
    }

    @AfterEach
    void stop() {
        first.close();
        second.close();
    }

    @Test
    void shouldServeACallOnTheNextNodeWhenTheFirstRefusesConnectionsAndStayThere() throws IOException {
        ClientSettings settings = ClientSettings.of(deadUrl() + "," + second.baseUrl());
        try (IngestClient client = IngestClient.create(settings)) {
            assertThat(client.describeTopic("orders").name()).isEqualTo("orders");
            assertThat(client.describeTopic("orders").name()).isEqualTo("orders");
        }
        assertThat(second.requests("GET", ORDERS)).hasSize(2);
    }

    @Test
    void shouldSendAPlainProduceToTheNextNodeWhenTheFirstRefusedTheConnection() throws IOException {
        HttpTransport transport = new HttpTransport(ClientSettings.of(deadUrl() + "," + second.baseUrl()));

        HttpTransport.await(transport.sendAsync("POST", PRODUCE, PLAIN_BODY, Map.of(), Duration.ZERO, Resend.UNSENT));

        assertThat(second.requests("POST", PRODUCE)).hasSize(1);
    }

    @Test
    void shouldMoveToTheNextNodeOnARetriable503AndKeepUsingIt() {
        first.on("GET", ORDERS, r -> Reply.problem(503, "coordinator-not-available", "electing", true));
        try (IngestClient client = IngestClient.create(twoNodes())) {
            assertThat(client.describeTopic("orders").name()).isEqualTo("orders");
            assertThat(client.describeTopic("orders").name()).isEqualTo("orders");
        }
        assertThat(first.requests("GET", ORDERS)).hasSize(1);
        assertThat(second.requests("GET", ORDERS)).hasSize(2);
    }

    @Test
    void shouldNotRetryANonRetriableAnswer() {
        first.on("GET", ORDERS, r -> Reply.problem(400, "invalid-topic", "bad name", false));
        first.on("PATCH", ORDERS + "/configs", r -> Reply.problem(503, "capacity-exceeded", "busy", false));
        try (IngestClient client = IngestClient.create(twoNodes())) {
            assertThatThrownBy(() -> client.describeTopic("orders"))
                    .isInstanceOfSatisfying(IngestException.class, e -> assertThat(e.status()).isEqualTo(400));
            // a 503 the service did not mark retriable is final too
            assertThatThrownBy(() -> client.updateTopicConfigs("orders", Map.of("retention.ms", "1")))
                    .isInstanceOfSatisfying(IngestException.class, e -> assertThat(e.status()).isEqualTo(503));
        }
        assertThat(second.requests("GET", ORDERS)).isEmpty();
        assertThat(second.requests("PATCH", ORDERS + "/configs")).isEmpty();
    }

    @Test
    void shouldNotResendAPlainProduceAfterATimeoutButSendTheNextCallToTheNextNode() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        first.on("POST", PRODUCE, r -> {
            release.await(10, TimeUnit.SECONDS);
            return Reply.ok(Map.of("offsets", List.of()));
        });
        HttpTransport transport = new HttpTransport(twoNodes().withRequestTimeout(Duration.ofMillis(300)));
        try {
            assertThatThrownBy(() -> HttpTransport.await(
                    transport.sendAsync("POST", PRODUCE, PLAIN_BODY, Map.of(), Duration.ZERO, Resend.UNSENT)))
                    .isInstanceOfSatisfying(IngestException.class, e -> assertThat(e.kind()).isEqualTo(ProblemKind.NETWORK));
            assertThat(first.requests("POST", PRODUCE)).hasSize(1);
            assertThat(second.requests("POST", PRODUCE)).isEmpty();
            assertThat(transport.currentNode()).isEqualTo(URI.create(second.baseUrl()));
            assertThat(transport.send("GET", ORDERS, null).path("name").asString()).isEqualTo("orders");
        } finally {
            release.countDown();
        }
    }

    @Test
    void shouldResendOnlyWhatMayArriveTwiceAfterAConnectionResetOnceSent() throws Exception {
        try (ResettingServer resetting = new ResettingServer()) {
            ClientSettings settings = ClientSettings.of(resetting.url() + "," + second.baseUrl());

            // a plain produce may have been written: not sent again
            HttpTransport plain = new HttpTransport(settings);
            assertThatThrownBy(() -> HttpTransport.await(
                    plain.sendAsync("POST", PRODUCE, PLAIN_BODY, Map.of(), Duration.ZERO, Resend.UNSENT)))
                    .isInstanceOfSatisfying(IngestException.class, e -> assertThat(e.kind()).isEqualTo(ProblemKind.NETWORK));
            // neither is a request that is only safe after a refusal (a group poll)
            HttpTransport poll = new HttpTransport(settings);
            assertThatThrownBy(() -> HttpTransport.await(
                    poll.sendAsync("GET", ORDERS, null, Map.of(), Duration.ZERO, Resend.REFUSED)))
                    .isInstanceOf(IngestException.class);
            assertThat(second.requests("POST", PRODUCE)).isEmpty();
            assertThat(second.requests("GET", ORDERS)).isEmpty();

            // one under a producer id and sequence is deduplicated by every node: sent again, to the next node
            HttpTransport sequenced = new HttpTransport(settings);
            HttpTransport.await(sequenced.sendAsync("POST", PRODUCE, SEQUENCED_BODY, Map.of(), Duration.ZERO,
                    Resend.ANY_FAILURE));
            assertThat(second.requests("POST", PRODUCE)).singleElement()
                    .satisfies(r -> assertThat(r.body()).isEqualTo(SEQUENCED_BODY));
            // each reached the first node (the JDK's HTTP client itself sends a GET twice on such a close)
            assertThat(resetting.accepted()).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void shouldFailOnceEveryNodeFailedEachTriedOnce() {
        first.on("GET", ORDERS, r -> Reply.problem(503, "not-enough-replicas", "no majority", true));
        second.on("GET", ORDERS, r -> Reply.problem(503, "not-enough-replicas", "no majority", true));
        try (IngestClient client = IngestClient.create(twoNodes())) {
            assertThatThrownBy(() -> client.describeTopic("orders"))
                    .isInstanceOfSatisfying(IngestException.class, e -> assertThat(e.retriable()).isTrue());
        }
        assertThat(first.requests("GET", ORDERS)).hasSize(1);
        assertThat(second.requests("GET", ORDERS)).hasSize(1);
    }

    @Test
    void shouldReadACommaSeparatedListAndKeepTheSingleUrlForm() {
        ClientSettings list = ClientSettings.of(" http://ingest-1:8081/ , http://ingest-2:8081,,http://ingest-3:8081 ,");
        assertThat(list.bootstrapUrls()).containsExactly(URI.create("http://ingest-1:8081"),
                URI.create("http://ingest-2:8081"), URI.create("http://ingest-3:8081"));
        assertThat(list.baseUrl()).isEqualTo(URI.create("http://ingest-1:8081"));

        ClientSettings single = ClientSettings.of("http://localhost:8081/");
        assertThat(single.bootstrapUrls()).containsExactly(URI.create("http://localhost:8081"));

        assertThatThrownBy(() -> ClientSettings.of(" , ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClientSettings.of("ingest-1:8081")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ingest-1:8081");
        assertThatThrownBy(() -> ClientSettings.of("http://a:1,http://a:1/"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    }

    private ClientSettings twoNodes() {
        return ClientSettings.of(first.baseUrl() + "," + second.baseUrl());
    }

    /** A loopback port nothing listens on (taken, then released). */
    private static String deadUrl() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }
    }

    /** Accepts a connection, reads the request head and closes without answering. */
    private static final class ResettingServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final AtomicInteger accepted = new AtomicInteger();
        private final Thread thread = new Thread(this::run, "resetting-server");

        ResettingServer() throws IOException {
            thread.setDaemon(true);
            thread.start();
        }

        String url() {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }

        int accepted() {
            return accepted.get();
        }

        private void run() {
            while (!socket.isClosed()) {
                try (Socket connection = socket.accept()) {
                    accepted.incrementAndGet();
                    InputStream in = connection.getInputStream();
                    byte[] buffer = new byte[8192];
                    in.read(buffer); // the request head (and the small body) arrived: it "reached the server"
                } catch (IOException e) {
                    // closed
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
