package io.tributary.clean.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import io.tributary.clean.runner.IngestGateway;
import io.tributary.client.IngestException;
import io.tributary.testkit.RecordingStub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@code clean.ingest-url} takes every node of an ingest cluster, separated by commas: with the first node
 * down, calls reach the second, and the workers' consumers get the same list.
 */
@SpringBootTest(properties = {"spring.datasource.url=jdbc:h2:mem:ingest-node-list", "clean.runner.enabled=false"})
class IngestNodeListTest {

    static final RecordingStub INGEST = RecordingStub.start();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("clean.ingest-url", () -> deadUrl() + ", " + INGEST.url());
    }

    @AfterAll
    static void stop() {
        INGEST.close();
    }

    @Autowired
    IngestGateway ingest;

    @Test
    void callsMoveToTheNextNodeWhenTheFirstIsDown() throws Exception {
        Throwable failure = catchThrowable(() -> ingest.describeTopic("orders"));

        // the stub, the second node, answered (404): the refused first node was passed over
        assertThat(failure).isInstanceOfSatisfying(IngestException.class,
                e -> assertThat(e.status()).isEqualTo(404));
        assertThat(INGEST.nextAuthorization()).isPresent();
        assertThat(ingest.clientSettings().bootstrapUrls()).hasSize(2);
    }

    /** A loopback port nothing listens on (taken, then released). */
    private static String deadUrl() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
