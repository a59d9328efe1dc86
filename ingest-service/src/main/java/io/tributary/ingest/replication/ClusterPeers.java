package io.tributary.ingest.replication;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.tributary.ingest.topic.PartitionAssignment;
import io.tributary.ingest.topic.TopicMetadata;

/**
 * The static cluster membership from {@code ingest.cluster.peers}: every member including this
 * one, {@code id=host:httpPort:raftPort[:kafkaPort[:replicaPort]],...}, sorted by id. The Kafka port
 * is where the member's Kafka listener is reached (docs/kafka-protocol.md); without it (or 0) the
 * member is not named to Kafka clients. The replica port is its replication listener's, where
 * followers fetch ({@code ingest.replication.fetch-writes}); without it the Raft port plus one.
 */
public record ClusterPeers(List<Peer> peers) {

    /**
     * One member: its node id, host, HTTP port (the REST API), Raft port (Ratis gRPC), Kafka port and
     * replica port (null: not given; then left out of the JSON the metadata log and
     * {@code cluster-members.json} keep, which earlier versions wrote without them).
     */
    public record Peer(int id, String host, int httpPort, int raftPort,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Integer kafkaPort,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Integer replicaPort) {

        public Peer(int id, String host, int httpPort, int raftPort) {
            this(id, host, httpPort, raftPort, null, null);
        }

        public Peer(int id, String host, int httpPort, int raftPort, Integer kafkaPort) {
            this(id, host, httpPort, raftPort, kafkaPort, null);
        }

        /** Where this member's replication listener is: its replica port, else its Raft port plus one. */
        public java.net.InetSocketAddress replicaAddress() {
            return java.net.InetSocketAddress.createUnresolved(host, replicaPortOrDefault());
        }

        /** The replica port given, else the Raft port plus one. */
        public int replicaPortOrDefault() {
            return replicaPort != null && replicaPort > 0 ? replicaPort : raftPort + 1;
        }

        /** Whether Kafka clients can be told where this member's Kafka listener is. */
        public boolean hasKafkaPort() {
            return kafkaPort != null && kafkaPort > 0;
        }

        /** {@code host:httpPort:raftPort[:kafkaPort[:replicaPort]]}, as a peer entry or self-address names it. */
        public String address() {
            String base = host + ":" + httpPort + ":" + raftPort;
            if (replicaPort != null) {
                return base + ":" + (kafkaPort == null ? 0 : kafkaPort) + ":" + replicaPort;
            }
            return kafkaPort == null ? base : base + ":" + kafkaPort;
        }

        public String raftAddress() {
            return host + ":" + raftPort;
        }

        /** {@code host:kafkaPort}; only for a member that {@link #hasKafkaPort has one}. */
        public String kafkaAddress() {
            return host + ":" + kafkaPort;
        }

        public String httpBase() {
            return "http://" + host + ":" + httpPort;
        }
    }

    public ClusterPeers {
        peers = peers.stream().sorted(Comparator.comparingInt(Peer::id)).toList();
    }

    /**
     * Parses the peer list; blank means a single node without replication.
     *
     * @throws IllegalArgumentException on a malformed entry or a repeated id
     */
    public static ClusterPeers parse(String raw) {
        List<Peer> out = new ArrayList<>();
        if (raw == null || raw.isBlank()) {
            return new ClusterPeers(out);
        }
        Set<Integer> ids = new HashSet<>();
        for (String entry : raw.split(",")) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.indexOf('=');
            String[] addr = eq < 0 ? new String[0] : e.substring(eq + 1).split(":");
            if (eq < 1 || addr.length < 3 || addr.length > 5) {
                throw new IllegalArgumentException("ingest.cluster.peers: expected "
                        + "id=host:httpPort:raftPort[:kafkaPort[:replicaPort]], got '" + e + "'");
            }
            try {
                Integer kafka = addr.length >= 4 ? Integer.valueOf(addr[3].trim()) : null;
                Peer p = new Peer(Integer.parseInt(e.substring(0, eq).trim()), addr[0].trim(),
                        Integer.parseInt(addr[1].trim()), Integer.parseInt(addr[2].trim()),
                        kafka,
                        addr.length == 5 ? Integer.valueOf(addr[4].trim()) : null);
                if (!ids.add(p.id())) {
                    throw new IllegalArgumentException("ingest.cluster.peers: node id " + p.id() + " appears twice");
                }
                out.add(p);
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("ingest.cluster.peers: bad number in '" + e + "'", ex);
            }
        }
        return new ClusterPeers(out);
    }

    public boolean isEmpty() {
        return peers.isEmpty();
    }

    public int size() {
        return peers.size();
    }

    public Optional<Peer> find(int id) {
        return peers.stream().filter(p -> p.id() == id).findFirst();
    }

    /**
     * Replica placement of a partition: {@code replicationFactor} consecutive members (in id
     * order) starting at {@code partition mod n}. Deterministic, so every node computes the same
     * placement from the static peer list without storing it.
     */
    public List<Integer> replicas(int partition, int replicationFactor) {
        int n = peers.size();
        List<Integer> out = new ArrayList<>(replicationFactor);
        for (int i = 0; i < Math.min(replicationFactor, n); i++) {
            out.add(peers.get(Math.floorMod(partition + i, n)).id());
        }
        return out;
    }

    /**
     * The nodes that hold a replica of a partition, the one placement rule of the cluster: the
     * partition's stored assignment once an operator moved it (during a move, the old and the new
     * nodes together); else {@link #replicas computed} from the peer list, over every member for a
     * service-owned topic ({@code __consumer_offsets}, which each node creates locally at start).
     */
    public List<Integer> placement(TopicMetadata topic, int partition) {
        PartitionAssignment stored = topic.assignment(partition);
        if (stored != null) {
            return stored.replicas();
        }
        return replicas(partition, topic.internal() ? peers.size() : topic.replicationFactor());
    }
}
