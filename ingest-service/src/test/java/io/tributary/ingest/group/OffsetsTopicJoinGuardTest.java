package io.tributary.ingest.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;

import io.tributary.ingest.IngestApplication;
import io.tributary.ingest.group.GroupHttp.Answer;
import io.tributary.ingest.testing.LocalResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A node whose {@code __consumer_offsets} holds commits made while it ran alone must not join a
 * cluster with them: its Raft groups would apply the replicated commits after records no other
 * replica has, and the replicas would diverge. It refuses to start and says why.
 */
class OffsetsTopicJoinGuardTest {

    @TempDir
    Path dataDir;

    @Test
    void aNodeWithCommitsFromItsSingleNodeDaysRefusesToStartAsAClusterMember() throws IOException {
        try (ConfigurableApplicationContext alone = new SpringApplicationBuilder(IngestApplication.class)
                .run("--server.port=0", "--ingest.data-dir=" + dataDir, "--spring.main.banner-mode=off")) {
            GroupHttp api = new GroupHttp(Integer.parseInt(alone.getEnvironment().getProperty("local.server.port")));
            api.createTopic("orders", 1);
            Answer joined = api.join("g", "orders", 10_000);
            Answer committed = api.commit("g", joined.body().get("memberId").asString(),
                    joined.body().get("generation").asInt(), "orders", 0, 0);
            assertThat(committed.status()).isEqualTo(204);
        }

        int http = LocalResources.freePort();
        int raft = LocalResources.freePort();
        assertThatThrownBy(() -> new SpringApplicationBuilder(IngestApplication.class).run(
                "--server.port=" + http, "--server.address=127.0.0.1", "--ingest.data-dir=" + dataDir,
                "--ingest.node-id=1", "--ingest.cluster.peers=1=127.0.0.1:" + http + ":" + raft,
                "--spring.main.banner-mode=off", "--logging.level.org.apache.ratis=WARN").close())
                .rootCause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("__consumer_offsets-")
                .hasMessageContaining("written before this node replicated it");
    }
}
