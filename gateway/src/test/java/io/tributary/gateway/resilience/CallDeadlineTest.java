package io.tributary.gateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CallDeadlineTest {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    private RouteGuard guard(Duration limit) {
        return new RouteGuard("t", CircuitBreaker.ofDefaults("t"), Bulkhead.ofDefaults("t"), limit, timer);
    }

    @Test
    void endsABlockedSocketReadOfAVirtualThreadAndClearsTheInterrupt() throws Exception {
        try (ServerSocket silent = new ServerSocket(0)) {
            CompletableFuture<String> outcome = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                CallDeadline deadline = guard(Duration.ofMillis(200)).startDeadline();
                try (Socket socket = new Socket("127.0.0.1", silent.getLocalPort())) {
                    socket.getInputStream().read(); // the peer never writes
                    outcome.complete("read returned");
                } catch (Exception e) {
                    boolean struck = deadline.end();
                    outcome.complete(e.getClass().getSimpleName() + " struck=" + struck
                            + " interrupted=" + Thread.currentThread().isInterrupted());
                }
            });

            assertThat(outcome.get(10, TimeUnit.SECONDS))
                    .isEqualTo(SocketException.class.getSimpleName() + " struck=true interrupted=false");
        }
    }

    @Test
    void aCallThatEndsInTimeIsNeverInterruptedLater() throws Exception {
        CallDeadline deadline = guard(Duration.ofMillis(100)).startDeadline();

        assertThat(deadline.end()).isFalse();
        Thread.sleep(300);

        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThatThrownBy(() -> deadline.timer.get()).isInstanceOf(java.util.concurrent.CancellationException.class);
    }
}
