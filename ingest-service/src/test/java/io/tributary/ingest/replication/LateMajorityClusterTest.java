package io.tributary.ingest.replication;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node started long before its peers (a slow image pull, a node rescheduled): its start-up
 * metadata request runs out of retries while no majority exists. Once the peers are up the node
 * must work normally; it used to keep failing every metadata change ("request window closed")
 * until it was restarted.
 */
class LateMajorityClusterTest {

    private static LoopbackCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = new LoopbackCluster(Files.createTempDirectory("ingest-late-majority-"), 3);
        cluster.start(1);
        // Longer than the start no-op's retries (LoopbackCluster's request timeout is 8 s), so that
        // it fails for good before a majority exists.
        Thread.sleep(Duration.ofSeconds(12).toMillis());
        cluster.start(2);
        cluster.start(3);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theEarlyNodeCreatesTopicsOnceAMajorityIsUp() throws Exception {
        HttpResponse<String> created = cluster.createTopic(1, "late", 1, 3);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }
}
