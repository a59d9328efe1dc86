package io.tributary.ingest.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class ClusterPeersTest {

    @Test
    void parsesEveryMemberSortedById() {
        ClusterPeers peers = ClusterPeers.parse("3=c:8083:9083, 1=a:8081:9081,2=b:8082:9082");
        assertThat(peers.peers()).extracting(ClusterPeers.Peer::id).containsExactly(1, 2, 3);
        assertThat(peers.find(2)).get().extracting(ClusterPeers.Peer::raftAddress).isEqualTo("b:9082");
        assertThat(ClusterPeers.parse("").isEmpty()).isTrue();
    }

    @Test
    void aKafkaPortIsOptionalPerMember() {
        ClusterPeers peers = ClusterPeers.parse("1=a:8081:9081:9092,2=b:8082:9082");
        assertThat(peers.find(1)).get().extracting(ClusterPeers.Peer::kafkaPort).isEqualTo(9092);
        assertThat(peers.find(1).orElseThrow().hasKafkaPort()).isTrue();
        assertThat(peers.find(2).orElseThrow().hasKafkaPort()).isFalse();
        assertThatThrownBy(() -> ClusterPeers.parse("1=a:1:2:3:4:5")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theReplicaPortIsOptionalAndDefaultsToTheRaftPortPlusOne() {
        ClusterPeers peers = ClusterPeers.parse("1=a:8081:9081:9092:9181,2=b:8082:9082,3=c:8083:9083:0:9183");
        assertThat(peers.find(1).orElseThrow().replicaPortOrDefault()).isEqualTo(9181);
        assertThat(peers.find(2).orElseThrow().replicaPortOrDefault()).isEqualTo(9083);
        assertThat(peers.find(2).orElseThrow().replicaPort()).isNull();
        assertThat(peers.find(3).orElseThrow().hasKafkaPort()).isFalse();
        assertThat(peers.find(3).orElseThrow().replicaAddress().getPort()).isEqualTo(9183);
        // a member's address is what a peer entry or self-address names it by
        for (ClusterPeers.Peer p : peers.peers()) {
            assertThat(ClusterPeers.parse(p.id() + "=" + p.address()).peers()).containsExactly(p);
        }
        assertThat(peers.find(2).orElseThrow().address()).isEqualTo("b:8082:9082");
    }

    @Test
    void rejectsMalformedEntriesAndRepeatedIds() {
        assertThatThrownBy(() -> ClusterPeers.parse("1=a:8081")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClusterPeers.parse("1=a:1:2,1=b:3:4")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClusterPeers.parse("x=a:1:2")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void placementRotatesOverMembers() {
        ClusterPeers peers = ClusterPeers.parse("1=a:1:1,2=b:2:2,3=c:3:3");
        assertThat(peers.replicas(0, 3)).isEqualTo(List.of(1, 2, 3));
        assertThat(peers.replicas(1, 2)).isEqualTo(List.of(2, 3));
        assertThat(peers.replicas(2, 2)).isEqualTo(List.of(3, 1));
    }
}
