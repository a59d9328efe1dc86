package io.tributary.ingest.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import io.tributary.ingest.topic.TopicPartition;
import io.tributary.ingest.topic.TopicRegistry;

/**
 * The operator's view of the cluster ({@code GET /api/v1/cluster}) as the answering node sees it:
 * every configured member, whether it answers and is ready, and the partitions it leads and
 * follows. Partitions of service-owned topics ({@code __consumer_offsets}) are counted apart from
 * the users' topics, since every node holds a replica of each of them.
 */
@Schema(description = "The cluster as the answering node sees it")
public record ClusterView(
        @Schema(description = "id of the node that answered", example = "1") int nodeId,
        @Schema(description = "true on a Raft cluster (ingest.cluster.peers set), false on a single node")
        boolean replicated,
        @Schema(description = "node id of the metadata Raft group's leader as the answering node knows it; "
                + "null on a single node and while it is being elected", nullable = true, example = "2")
        Integer metadataLeader,
        @Schema(description = "every configured member, in id order") List<Node> nodes,
        @Schema(description = "partitions (of user and service-owned topics) whose leader the answering node does "
                + "not know: an election is going on, or no replica of it answered")
        Partitions partitionsWithoutLeader) {

    /** How a member answered. */
    public enum Status {
        /** Ready to serve ({@code /actuator/health/readiness} would answer 200). */
        UP,
        /** Answers, but reports itself not ready (e.g. a replica failed in storage), or answered with an error. */
        DOWN,
        /** Did not answer within {@code ingest.replication.peer-probe-timeout}. */
        UNREACHABLE
    }

    @Schema(description = "One member of the cluster")
    public record Node(
            @Schema(example = "1") int id,
            @Schema(example = "ingest-1") String host,
            @Schema(description = "its REST port", example = "8081") int httpPort,
            @Schema(description = "its Raft (Ratis gRPC) port; null on a single node", nullable = true,
                    example = "9081") Integer raftPort,
            @Schema(description = "its Kafka listener's port, as named to Kafka clients (given in "
                    + "ingest.cluster.peers, or when the node was added); absent when it has none there, and on a "
                    + "single node", nullable = true, example = "9092")
            @JsonInclude(JsonInclude.Include.NON_NULL) Integer kafkaPort,
            @Schema(description = "true for the node that answered") boolean self,
            @Schema(description = "false when it did not answer in time") boolean reachable,
            Status status,
            @Schema(description = "partitions of user topics it leads") Partitions leaderOf,
            @Schema(description = "partitions of user topics it holds a replica of without leading it")
            Partitions followerOf,
            @Schema(description = "partitions of service-owned topics (__consumer_offsets: it coordinates their "
                    + "groups) it leads") Partitions internalLeaderOf,
            @Schema(description = "partitions of service-owned topics it follows") Partitions internalFollowerOf,
            @Schema(description = "partitions whose replica on this node failed in storage (it left their Raft "
                    + "group; a restart rebuilds it); absent when the node did not answer", nullable = true)
            @JsonInclude(JsonInclude.Include.NON_NULL) List<String> failedReplicas,
            @Schema(description = "per topic, the records produced through and fetched from this node since it "
                    + "started (counters: two readings give rates; a restart starts them again from 0); absent when "
                    + "the node did not answer", nullable = true)
            @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, NodeTraffic.Traffic> traffic) {
    }

    @Schema(description = "A set of partitions, named topic-partition, in topic and partition order")
    public record Partitions(@Schema(example = "2") int count,
                             @Schema(example = "[\"orders-0\", \"orders-3\"]") List<String> partitions) {

        static Partitions of(List<String> partitions) {
            return new Partitions(partitions.size(), List.copyOf(partitions));
        }
    }

    /** A member as the answering node found it, before its partitions are counted. */
    record Member(int id, String host, int httpPort, Integer raftPort, Integer kafkaPort, boolean self,
                  Status status, List<String> failedReplicas, Map<String, NodeTraffic.Traffic> traffic) {
    }

    /** A partition's leader (-1 unknown) and replicas as the answering node knows them. */
    record Placement(TopicPartition partition, boolean internal, int leader, List<Integer> replicas) {
    }

    /** The view of {@code members}, counting for each the given partitions (in the order given) it leads and follows. */
    static ClusterView assemble(int nodeId, boolean replicated, Integer metadataLeader, List<Member> members,
                                List<Placement> placements) {
        List<Node> nodes = new ArrayList<>(members.size());
        for (Member m : members) {
            List<String> leads = new ArrayList<>();
            List<String> follows = new ArrayList<>();
            List<String> internalLeads = new ArrayList<>();
            List<String> internalFollows = new ArrayList<>();
            for (Placement p : placements) {
                if (p.leader() == m.id()) {
                    (p.internal() ? internalLeads : leads).add(name(p.partition()));
                } else if (p.replicas().contains(m.id())) {
                    (p.internal() ? internalFollows : follows).add(name(p.partition()));
                }
            }
            nodes.add(new Node(m.id(), m.host(), m.httpPort(), m.raftPort(), m.kafkaPort(), m.self(),
                    m.status() != Status.UNREACHABLE, m.status(), Partitions.of(leads), Partitions.of(follows),
                    Partitions.of(internalLeads), Partitions.of(internalFollows), m.failedReplicas(), m.traffic()));
        }
        List<String> leaderless = placements.stream().filter(p -> p.leader() < 0).map(p -> name(p.partition()))
                .toList();
        return new ClusterView(nodeId, replicated, metadataLeader, List.copyOf(nodes), Partitions.of(leaderless));
    }

    /** The topics in name order. */
    static List<TopicRegistry.Topic> byName(TopicRegistry topics) {
        return topics.list().stream().sorted(Comparator.comparing(TopicRegistry.Topic::name)).toList();
    }

    static String name(TopicPartition tp) {
        return tp.topic() + "-" + tp.partition();
    }
}
