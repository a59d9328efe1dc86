package io.tributary.ingest.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.tributary.ingest.config.IngestProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** The members as {@code cluster-members.json} keeps them, and a joining node's own address. */
class ClusterMembersTest {

    private static final String FOUNDERS = "1=a:8081:9081:9092,2=b:8082:9082:9093";

    @TempDir
    Path dataDir;

    private ClusterMembers members(int nodeId, String selfAddress) {
        return new ClusterMembers(new Binder(new MapConfigurationPropertySource(Map.of(
                "ingest.data-dir", dataDir.toString(),
                "ingest.node-id", Integer.toString(nodeId),
                "ingest.cluster.peers", FOUNDERS,
                "ingest.cluster.self-address", selfAddress))).bindOrCreate("ingest", IngestProperties.class));
    }

    private Path file() {
        return dataDir.resolve("cluster-members.json");
    }

    @Test
    void anAddedNodeKeepsItsKafkaPortAcrossARestartAndANodeWithoutOneWritesNone() throws Exception {
        ClusterMembers members = members(1, "");
        members.add(new ClusterPeers.Peer(3, "c", 8083, 9083, 9094));
        members.add(new ClusterPeers.Peer(4, "d", 8084, 9084));
        assertThat(Files.readString(file()))
                .contains("{\"id\":3,\"host\":\"c\",\"httpPort\":8083,\"raftPort\":9083,\"kafkaPort\":9094}")
                .contains("{\"id\":4,\"host\":\"d\",\"httpPort\":8084,\"raftPort\":9084}");

        ClusterPeers reloaded = members(1, "").current();
        assertThat(reloaded).isEqualTo(members.current());
        assertThat(reloaded.find(3)).get().extracting(ClusterPeers.Peer::kafkaPort).isEqualTo(9094);
        assertThat(reloaded.find(4).orElseThrow().hasKafkaPort()).isFalse();
        assertThat(reloaded.find(1)).get().extracting(ClusterPeers.Peer::kafkaPort).isEqualTo(9092);
    }

    @Test
    void aFileWrittenBeforeKafkaPortsStillLoads() throws Exception {
        Files.writeString(file(), "{\"added\":[{\"id\":3,\"host\":\"c\",\"httpPort\":8083,\"raftPort\":9083}],"
                + "\"removed\":[2],\"storage\":{\"1\":\"8d0c9a0e-4f5e-4a34-9d8c-3f1c2a7b6e10\"}}");
        ClusterMembers members = members(1, "");
        assertThat(members.current().peers()).containsExactly(new ClusterPeers.Peer(1, "a", 8081, 9081, 9092),
                new ClusterPeers.Peer(3, "c", 8083, 9083));
        assertThat(members.storageOf(1)).isEqualTo("8d0c9a0e-4f5e-4a34-9d8c-3f1c2a7b6e10");
    }

    @Test
    void aJoiningNodesSelfAddressMayNameItsKafkaPort() {
        assertThat(members(3, "c:8083:9083:9094").self()).isEqualTo(new ClusterPeers.Peer(3, "c", 8083, 9083, 9094));
        assertThat(members(3, "c:8083:9083").self()).isEqualTo(new ClusterPeers.Peer(3, "c", 8083, 9083));
        assertThat(members(1, "ignored:1:2:3").self()).isEqualTo(new ClusterPeers.Peer(1, "a", 8081, 9081, 9092));
        assertThat(members(3, "c:8083:9083:9094:9183").self())
                .isEqualTo(new ClusterPeers.Peer(3, "c", 8083, 9083, 9094, 9183));
        assertThatThrownBy(() -> members(3, "c:8083:9083:9094:1:2")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("host:httpPort:raftPort[:kafkaPort[:replicaPort]]");
        assertThatThrownBy(() -> members(3, "c:8083:9083:x")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("host:httpPort:raftPort[:kafkaPort[:replicaPort]]");
        assertThatThrownBy(() -> members(3, "")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ingest.cluster.self-address=host:httpPort:raftPort[:kafkaPort[:replicaPort]]");
    }
}
