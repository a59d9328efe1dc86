package io.tributary.ingest.replication.forward;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.tributary.ingest.kafka.ForwardedAppend;
import io.tributary.ingest.kafka.ForwardedAppends;
import io.tributary.ingest.kafka.KafkaServer;
import io.tributary.ingest.kafka.ListenerSettings;
import io.tributary.ingest.kafka.ReplicaListener;
import io.tributary.ingest.problem.ProblemException;
import io.tributary.problem.ProblemType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Batches forwarded over a replication listener (Kafka's Envelope): each answer reaches the request it belongs
 * to when several are in flight on the one connection and answered out of order; the listener hands them to the
 * node in the order sent; a refusal comes back as the problem document; a listener that goes away fails what
 * waits on it and the next forward cannot connect (nothing sent); one that comes back is connected to again.
 */
class AppendForwarderTest {

    /** What the stub node got, in order, and the answers it has not given yet. */
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final List<CompletableFuture<ByteBuffer>> unanswered = new CopyOnWriteArrayList<>();
    private final ForwardedAppends node = (topic, partition, part) -> {
        String got = topic + "-" + partition + ":" + new String(part, StandardCharsets.UTF_8);
        received.add(got);
        if (topic.equals("refused")) {
            throw new ProblemException(ProblemType.NOT_ENOUGH_REPLICAS, "only 1 of 3 replicas in sync");
        }
        if (topic.equals("broken")) {
            return CompletableFuture.failedFuture(new IllegalStateException("a bug"));
        }
        CompletableFuture<ByteBuffer> answer = new CompletableFuture<>();
        unanswered.add(answer);
        return answer.thenApply(done -> ByteBuffer.wrap(("reply to " + got).getBytes(StandardCharsets.UTF_8)));
    };
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(30);
    private KafkaServer listener;
    private AppendForwarder forwarder;

    private InetSocketAddress startListener(int port) {
        listener = ReplicaListener.create(new ListenerSettings("replica-test", "none", "127.0.0.1", port, 1, 2,
                1 << 20, true), (topicId, p) -> null, node, 200, ForkJoinPool.commonPool());
        listener.start();
        return InetSocketAddress.createUnresolved("127.0.0.1", listener.boundPort()); // as a peer's address is given
    }

    @AfterEach
    void stop() {
        if (forwarder != null) {
            forwarder.close();
        }
        if (listener != null) {
            listener.stop();
        }
    }

    @Test
    void answersAreMatchedToTheirRequestsWhenAnsweredOutOfOrder() throws Exception {
        InetSocketAddress address = startListener(0);
        forwarder = new AppendForwarder(1, Duration.ofSeconds(2));
        List<CompletableFuture<AppendForwarder.Answer>> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sent.add(forwarder.send(2, address, new ForwardedAppend("orders", i % 3, ("batch-" + i).getBytes(
                    StandardCharsets.UTF_8)), ANSWER_WITHIN));
        }
        // Every request reaches the node while none is answered yet: they are in flight together, in send order.
        awaitSize(unanswered, 20);
        for (int i = 0; i < 20; i++) {
            assertThat(received.get(i)).isEqualTo("orders-" + i % 3 + ":batch-" + i);
        }
        for (int i = 19; i >= 0; i--) {
            unanswered.get(i).complete(null);
        }
        for (int i = 0; i < 20; i++) {
            AppendForwarder.Answer answer = sent.get(i).get(10, TimeUnit.SECONDS);
            assertThat(answer.errorCode()).isZero();
            assertThat(new String(answer.data(), StandardCharsets.UTF_8))
                    .isEqualTo("reply to orders-" + i % 3 + ":batch-" + i);
        }
    }

    @Test
    void aRefusalComesBackAsTheProblemTheNodeRaised() throws Exception {
        InetSocketAddress address = startListener(0);
        forwarder = new AppendForwarder(1, Duration.ofSeconds(2));
        AppendForwarder.Answer refused = forwarder.send(2, address, new ForwardedAppend("refused", 0, new byte[] {1}),
                        ANSWER_WITHIN)
                .get(10, TimeUnit.SECONDS);
        assertThat(refused.errorCode()).isNotZero();
        JsonNode problem = JsonMapper.shared().readTree(refused.data());
        assertThat(problem.path("type").asString()).isEqualTo(ProblemType.NOT_ENOUGH_REPLICAS.uriString());
        assertThat(problem.path("status").asInt()).isEqualTo(503);
        assertThat(problem.path("detail").asString()).isEqualTo("only 1 of 3 replicas in sync");

        AppendForwarder.Answer failed = forwarder.send(2, address, new ForwardedAppend("broken", 0, new byte[] {1}),
                        ANSWER_WITHIN)
                .get(10, TimeUnit.SECONDS);
        JsonNode internal = JsonMapper.shared().readTree(failed.data());
        assertThat(internal.path("status").asInt()).isEqualTo(500);
        assertThat(internal.path("detail").asString()).contains("a bug");
        // The connection is still good after both.
        assertThat(forwardAnswered(address, "after")).isEqualTo("reply to orders-0:after");
    }

    @Test
    void aListenerThatGoesAwayFailsWhatWaitsAndIsConnectedToAgainOnceBack() throws Exception {
        InetSocketAddress address = startListener(freePort());
        forwarder = new AppendForwarder(1, Duration.ofSeconds(2));
        CompletableFuture<AppendForwarder.Answer> waiting = forwarder.send(2, address,
                new ForwardedAppend("orders", 0, "in-flight".getBytes(StandardCharsets.UTF_8)), ANSWER_WITHIN);
        awaitSize(unanswered, 1);
        listener.stop();
        assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IOException.class);
        // Nothing listens: the next forward is not sent at all, which the caller may route elsewhere.
        CompletableFuture<AppendForwarder.Answer> unsent = forwarder.send(2, address,
                new ForwardedAppend("orders", 0, "unsent".getBytes(StandardCharsets.UTF_8)), ANSWER_WITHIN);
        assertThatThrownBy(() -> unsent.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(ConnectException.class);
        assertThat(received).containsExactly("orders-0:in-flight");

        startListener(address.getPort());
        assertThat(forwardAnswered(address, "again")).isEqualTo("reply to orders-0:again");
    }

    /** Forwards {@code value} to partition 0 of {@code orders}, has the node answer it, and returns the answer. */
    private String forwardAnswered(InetSocketAddress address, String value) throws Exception {
        int before = unanswered.size();
        CompletableFuture<AppendForwarder.Answer> sent = forwarder.send(2, address,
                new ForwardedAppend("orders", 0, value.getBytes(StandardCharsets.UTF_8)), ANSWER_WITHIN);
        awaitSize(unanswered, before + 1);
        unanswered.get(before).complete(null);
        AppendForwarder.Answer answer = sent.get(10, TimeUnit.SECONDS);
        assertThat(answer.errorCode()).isZero();
        return new String(answer.data(), StandardCharsets.UTF_8);
    }

    /**
     * A peer that takes the connection and then never answers (its machine went away without closing it): the
     * forward fails at its timeout, and the next one is sent on a new connection, not into the silent one.
     */
    @Test
    void aConnectionOnWhichNothingIsAnsweredWithinTheTimeoutIsReplaced() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new CopyOnWriteArrayList<>();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept()); // read nothing, answer nothing
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", silent.getLocalPort());
            forwarder = new AppendForwarder(1, Duration.ofSeconds(2));
            CompletableFuture<AppendForwarder.Answer> first = forwarder.send(2, address,
                    new ForwardedAppend("orders", 0, new byte[] {1}), Duration.ofMillis(300));
            assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(TimeoutException.class);
            CompletableFuture<AppendForwarder.Answer> second = forwarder.send(2, address,
                    new ForwardedAppend("orders", 0, new byte[] {2}), Duration.ofMillis(300));
            assertThatThrownBy(() -> second.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(TimeoutException.class);
            awaitSize(accepted, 2);
            for (Socket s : accepted) {
                s.close();
            }
            acceptor.interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void awaitSize(List<?> list, int size) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (list.size() < size && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(list).hasSize(size);
    }
}
