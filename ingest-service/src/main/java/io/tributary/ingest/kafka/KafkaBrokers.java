package io.tributary.ingest.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.tributary.ingest.cluster.ClusterOps;
import io.tributary.ingest.topic.TopicRegistry;

/**
 * The brokers the listener names to Kafka clients, and which of them leads a partition.
 *
 * <p>On a cluster whose members have Kafka ports ({@code ingest.cluster.peers}, or given when a
 * node was added), every such member is a broker and a partition's leader is its Raft leader: a
 * produce, fetch or offset lookup sent to another node is answered {@code NOT_LEADER_OR_FOLLOWER},
 * so the client refreshes its metadata and goes to the leader (one hop, no forwarding). Otherwise
 * (a single node, or a cluster without Kafka ports) this node answers alone: it names itself the
 * only broker and the leader of every partition, which is correct since it accepts any partition's
 * produce and fetch, as the REST API does.
 */
final class KafkaBrokers {

    private final ClusterOps cluster;
    private final KafkaEndpoint self;

    KafkaBrokers(ClusterOps cluster, KafkaEndpoint self) {
        this.cluster = cluster;
        this.self = self;
    }

    KafkaEndpoint self() {
        return self;
    }

    /** True when the members' Kafka endpoints are known and partitions are led by their Raft leaders. */
    boolean clustered() {
        return !cluster.kafkaEndpoints().isEmpty();
    }

    List<KafkaEndpoint> all() {
        Map<Integer, String> endpoints = cluster.kafkaEndpoints();
        if (endpoints.isEmpty()) {
            return List.of(self);
        }
        List<KafkaEndpoint> out = new ArrayList<>(endpoints.size() + 1);
        boolean selfListed = false;
        for (Map.Entry<Integer, String> e : endpoints.entrySet()) {
            if (e.getKey() == self.nodeId()) {
                out.add(self);
                selfListed = true;
            } else {
                int colon = e.getValue().lastIndexOf(':');
                out.add(new KafkaEndpoint(e.getKey(), e.getValue().substring(0, colon),
                        Integer.parseInt(e.getValue().substring(colon + 1))));
            }
        }
        if (!selfListed) {
            out.add(self);
        }
        return out;
    }

    /** A broker by node id, or null when it is not one. */
    KafkaEndpoint endpoint(int nodeId) {
        for (KafkaEndpoint e : all()) {
            if (e.nodeId() == nodeId) {
                return e;
            }
        }
        return null;
    }

    /** The partition's leader as named to clients: -1 while unknown (an election is going on). */
    int leader(TopicRegistry.Topic topic, int partition) {
        return clustered() ? cluster.leaderOf(topic, partition) : self.nodeId();
    }

    /** Whether this node answers produces, fetches and offset lookups of the partition. */
    boolean leads(TopicRegistry.Topic topic, int partition) {
        return leader(topic, partition) == self.nodeId();
    }

    List<Integer> replicas(TopicRegistry.Topic topic, int partition) {
        return clustered() ? cluster.replicas(topic, partition) : List.of(self.nodeId());
    }

}
