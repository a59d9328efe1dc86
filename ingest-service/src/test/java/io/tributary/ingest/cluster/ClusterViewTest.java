package io.tributary.ingest.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.tributary.ingest.topic.TopicPartition;
import org.junit.jupiter.api.Test;

/** How the cluster view sorts partitions into the nodes' leader and follower lists. */
class ClusterViewTest {

    private static ClusterView.Placement placement(String topic, int partition, int leader, Integer... replicas) {
        return new ClusterView.Placement(new TopicPartition(topic, partition), topic.startsWith("__"), leader,
                List.of(replicas));
    }

    @Test
    void eachPartitionIsLedByItsLeaderAndFollowedByItsOtherReplicasInternalTopicsApart() {
        ClusterView view = ClusterView.assemble(1, true, 2, List.of(
                new ClusterView.Member(1, "a", 8081, 9081, 9092, true, ClusterView.Status.UP, List.of(), null),
                new ClusterView.Member(2, "b", 8081, 9081, null, false, ClusterView.Status.UP, List.of("t-1"), null),
                new ClusterView.Member(3, "c", 8081, 9081, null, false, ClusterView.Status.UNREACHABLE, null, null)),
                List.of(
                placement("__consumer_offsets", 0, 3, 1, 2, 3),
                placement("t", 0, 1, 1, 2),
                placement("t", 1, 1, 1, 2),
                placement("t", 2, -1, 3, 1), // an election is going on
                placement("u", 0, 2, 2))); // replication factor 1

        ClusterView.Node one = view.nodes().get(0);
        assertThat(one.leaderOf()).isEqualTo(new ClusterView.Partitions(2, List.of("t-0", "t-1")));
        assertThat(one.followerOf()).isEqualTo(new ClusterView.Partitions(1, List.of("t-2")));
        assertThat(one.internalLeaderOf().count()).isZero();
        assertThat(one.internalFollowerOf().partitions()).containsExactly("__consumer_offsets-0");
        assertThat(one.reachable()).isTrue();
        assertThat(one.kafkaPort()).isEqualTo(9092);

        ClusterView.Node two = view.nodes().get(1);
        assertThat(two.leaderOf().partitions()).containsExactly("u-0");
        assertThat(two.followerOf().partitions()).containsExactly("t-0", "t-1");
        assertThat(two.failedReplicas()).containsExactly("t-1");
        assertThat(two.kafkaPort()).as("none in the members' list").isNull();

        ClusterView.Node three = view.nodes().get(2);
        assertThat(three.reachable()).isFalse();
        assertThat(three.leaderOf().count()).isZero();
        assertThat(three.followerOf().partitions()).containsExactly("t-2");
        assertThat(three.internalLeaderOf().partitions()).containsExactly("__consumer_offsets-0");
        assertThat(three.failedReplicas()).isNull();

        assertThat(view.partitionsWithoutLeader()).isEqualTo(new ClusterView.Partitions(1, List.of("t-2")));
        assertThat(view.metadataLeader()).isEqualTo(2);
    }
}
