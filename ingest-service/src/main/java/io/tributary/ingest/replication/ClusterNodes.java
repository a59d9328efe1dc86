package io.tributary.ingest.replication;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.tributary.ingest.cluster.Reassignments;
import io.tributary.ingest.problem.ProblemException;
import io.tributary.problem.ProblemType;
import io.tributary.ingest.topic.TopicRegistry;
import io.tributary.ingest.problem.InvalidRequestException;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.exceptions.AlreadyExistsException;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Conditional;
import org.springframework.stereotype.Component;

/**
 * Adds nodes to the cluster, replaces them and removes them, through the metadata group and Ratis
 * membership changes (never by restarting a node under an old id with an empty disk).
 *
 * <ul>
 *   <li><b>Add</b>: the new node runs already (started with {@code ingest.cluster.self-address} and
 *       the founding peer list, it has no Raft group yet). An {@code add-node} metadata entry makes
 *       it a member on every node; this node then creates the new node's member of the metadata
 *       group over Ratis's group-management call, and the metadata group's configuration grows by
 *       it (Ratis sends it the whole metadata log first). It holds no partition until some are
 *       moved to it or a topic is created after it joined.</li>
 *   <li><b>Replace</b>: every partition with a replica on the old node moves to the same list with
 *       the new node in its place (see {@link PartitionMoves}); the old node may be dead.</li>
 *   <li><b>Remove</b>: only a node that holds no replica (move or replace first); the metadata
 *       group shrinks by it, then a {@code remove-node} entry takes it out of the members.</li>
 * </ul>
 * Each step can be sent again after a failure: a node already a member is not added twice, a
 * group already created is left as it is.
 */
@Component
@Conditional(ReplicationEnabledCondition.class)
public class ClusterNodes {

    private static final Logger log = LoggerFactory.getLogger(ClusterNodes.class);

    private final TopicRegistry topics;
    private final RaftNode node;
    private final PartitionGroups groups;
    private final PartitionMoves moves;
    private final MetadataAdmin metadata;

    public ClusterNodes(TopicRegistry topics, RaftNode node, PartitionGroups groups, PartitionMoves moves,
                        MetadataAdmin metadata) {
        this.topics = topics;
        this.node = node;
        this.groups = groups;
        this.moves = moves;
        this.metadata = metadata;
    }

    /**
     * Adds a running node to the cluster; returns once it is a voting member of the metadata group.
     *
     * @throws ProblemException 400 for a bad address, 409 node-exists for an id or address already
     *         taken, 503 node-unreachable when the node does not answer on its Raft port
     */
    public ClusterPeers.Peer add(ClusterPeers.Peer peer) {
        if (peer.id() < 0 || peer.host() == null || peer.host().isBlank() || !port(peer.httpPort())
                || !port(peer.raftPort()) || peer.kafkaPort() != null && !port(peer.kafkaPort())
                || peer.replicaPort() != null && !port(peer.replicaPort())) {
            throw new InvalidRequestException("a node needs an id >= 0, a host, and an httpPort and raftPort "
                    + "between 1 and 65535 (and a kafkaPort and replicaPort, when given, between 1 and 65535)");
        }
        ClusterPeers members = groups.peers();
        ClusterPeers.Peer known = members.find(peer.id()).orElse(null);
        boolean voting = metadataVoters().contains(peer.id());
        if (known != null && (!known.equals(peer) || voting)) {
            throw new ProblemException(ProblemType.NODE_EXISTS, "node " + peer.id() + " is a member already ("
                    + known.host() + ":" + known.httpPort() + ":" + known.raftPort() + ")", Map.of("node", peer.id()));
        }
        for (ClusterPeers.Peer m : members.peers()) {
            if (m.id() != peer.id() && m.raftAddress().equals(peer.raftAddress())) {
                throw new ProblemException(ProblemType.NODE_EXISTS, "node " + m.id() + " has the Raft address "
                        + peer.raftAddress() + " already", Map.of("node", m.id()));
            }
        }
        try (RaftClient client = node.clientOf(peer)) {
            client.getGroupManagementApi(PartitionGroups.peerId(peer.id())).list();
        } catch (IOException | RuntimeException e) {
            throw new ProblemException(ProblemType.NODE_UNREACHABLE, "node " + peer.id() + " does not answer on "
                    + peer.raftAddress() + "; start it first, with ingest.node-id=" + peer.id()
                    + " and ingest.cluster.self-address=" + peer.address() + " (" + e.getMessage() + ")",
                    Map.of("node", peer.id()));
        }
        if (known == null) {
            propose(new MetadataCommand.AddNode(peer), "add node " + peer.id());
        }
        // Built here, not from this node's member list: the add-node entry is committed, but this node
        // may not have applied it yet (then the list lacks the new node, and the configuration change
        // below changed nothing: seen in a nemesis rehearsal, the new node never got an entry).
        List<RaftPeer> otherPeers = groups.raftPeers(groups.peers().peers().stream().map(ClusterPeers.Peer::id)
                .filter(id -> id != peer.id()).toList());
        List<RaftPeer> all = new ArrayList<>(otherPeers);
        all.add(RaftPeer.newBuilder().setId(PartitionGroups.peerId(peer.id())).setAddress(peer.raftAddress()).build());
        // Its first configuration leaves it out: it waits for the leader instead of starting elections
        // the others would refuse (Ratis shuts a refused candidate down); see PartitionGroups.joiningGroup.
        RaftGroup others = RaftGroup.valueOf(PartitionGroups.METADATA_GROUP, otherPeers);
        try (RaftClient client = node.clientOf(peer)) {
            client.getGroupManagementApi(PartitionGroups.peerId(peer.id())).add(others);
        } catch (AlreadyExistsException e) {
            log.info("node {} has its metadata group member already", peer.id());
        } catch (IOException e) {
            if (!(e.getCause() instanceof AlreadyExistsException) && !String.valueOf(e.getMessage()).contains("already")) {
                throw new ProblemException(ProblemType.NODE_UNREACHABLE, "node " + peer.id()
                        + " could not create its member of the metadata group: " + e.getMessage()
                        + "; send the request again", Map.of("node", peer.id()));
            }
        }
        changeMetadataGroup(all, "add node " + peer.id());
        log.info("node {} joined the cluster", peer.id());
        return peer;
    }

    /**
     * Moves every replica the old node holds to the new one (same position in each partition's
     * list, so a preferred leader stays preferred); returns the moves started.
     *
     * @throws ProblemException 400 when either is not a member or they are the same node
     */
    public List<Reassignments.Running> replace(int oldNode, int newNode) {
        if (oldNode == newNode) {
            throw new InvalidRequestException("a node cannot replace itself");
        }
        if (groups.peers().find(newNode).isEmpty()) {
            throw new InvalidRequestException("node " + newNode
                    + " is not a member of the cluster; add it first (POST /api/v1/cluster/nodes)");
        }
        if (groups.peers().find(oldNode).isEmpty()) {
            throw new ProblemException(ProblemType.NOT_FOUND, "node " + oldNode + " is not a member of the cluster");
        }
        List<Reassignments.Move> wanted = new ArrayList<>();
        for (TopicRegistry.Topic t : topics.list()) {
            for (int p = 0; p < t.partitions().size(); p++) {
                List<Integer> replicas = groups.replicas(t, p);
                if (!replicas.contains(oldNode)) {
                    continue;
                }
                List<Integer> target = new ArrayList<>();
                for (int r : replicas) {
                    int n = r == oldNode ? newNode : r;
                    if (!target.contains(n)) {
                        target.add(n);
                    }
                }
                wanted.add(new Reassignments.Move(t.name(), p, target));
            }
        }
        return wanted.isEmpty() ? List.of() : moves.start(wanted);
    }

    /**
     * Takes a node that holds no replica out of the cluster.
     *
     * @throws ProblemException 404 for a node that is not a member, 400 for this node itself,
     *         409 node-not-empty while it holds replicas
     */
    public void remove(int id) {
        if (groups.peers().find(id).isEmpty()) {
            throw new ProblemException(ProblemType.NOT_FOUND, "node " + id + " is not a member of the cluster");
        }
        if (id == groups.nodeId()) {
            throw new InvalidRequestException("node " + id + " answers this request; ask another node to remove it");
        }
        List<String> held = new ArrayList<>();
        for (TopicRegistry.Topic t : topics.list()) {
            for (int p = 0; p < t.partitions().size(); p++) {
                if (groups.replicas(t, p).contains(id)) {
                    held.add(t.name() + "-" + p);
                }
            }
        }
        if (!held.isEmpty()) {
            throw new ProblemException(ProblemType.NODE_NOT_EMPTY, "node " + id + " still holds " + held.size()
                    + " replicas (" + String.join(", ", held.subList(0, Math.min(10, held.size())))
                    + (held.size() > 10 ? ", ..." : "") + "); move them first (POST /api/v1/cluster/reassignments, or "
                    + "POST /api/v1/cluster/nodes/" + id + "/replace)", Map.of("node", id, "replicas", held.size()));
        }
        List<RaftPeer> rest = new ArrayList<>();
        for (ClusterPeers.Peer m : groups.peers().peers()) {
            if (m.id() != id) {
                rest.addAll(groups.raftPeers(List.of(m.id())));
            }
        }
        leadMetadataGroupUnless(id, "remove node " + id);
        changeMetadataGroup(rest, "remove node " + id);
        propose(new MetadataCommand.RemoveNode(id), "remove node " + id);
        log.info("node {} left the cluster", id);
    }

    /** The voting members of the metadata group as this node knows them. */
    private Set<Integer> metadataVoters() {
        Set<Integer> out = new HashSet<>();
        RaftServer.Division d = node.division(PartitionGroups.METADATA_GROUP);
        if (d != null) {
            RaftConfiguration conf = d.getRaftConf();
            conf.getCurrentPeers().forEach(p -> out.add(Integer.parseInt(p.getId().toString())));
        }
        return out;
    }

    /**
     * When node {@code leaving} leads the metadata group, this node takes the leadership first: a
     * Raft leader must not commit its own removal (Ratis then closes it under a lock that writes in
     * flight wait for, and it never stops; see PartitionMoves#handOver).
     */
    private void leadMetadataGroupUnless(int leaving, String what) {
        DivisionInfo info = node.localInfo(PartitionGroups.METADATA_GROUP);
        if (info == null || info.getLeaderId() == null
                || !info.getLeaderId().equals(PartitionGroups.peerId(leaving))) {
            return;
        }
        String failure = node.transferLeadership(groups.metadataGroup(), groups.nodeId());
        if (failure != null) {
            throw notChanged(what, failure);
        }
        log.info("{}: node {} handed the metadata group's leadership to this node", what, leaving);
    }

    private static ProblemException notChanged(String what, String why) {
        return new ProblemException(ProblemType.NOT_ENOUGH_REPLICAS, what + ": the metadata group did not change ("
                + why + "); send the request again");
    }

    private void changeMetadataGroup(List<RaftPeer> peers, String what) {
        try (RaftClient admin = node.adminClient(groups.metadataGroup())) {
            RaftClientReply reply = admin.admin().setConfiguration(peers);
            if (!reply.isSuccess()) {
                throw notChanged(what, String.valueOf(reply.getException()));
            }
        } catch (IOException e) {
            throw notChanged(what, e.getMessage());
        }
    }

    /** Proposes a metadata entry and waits until this node applied it. */
    private void propose(MetadataCommand cmd, String what) {
        if (metadata.propose(cmd, what) instanceof MetadataReply.Invalid i) {
            throw new InvalidRequestException(i.detail());
        }
    }

    private static boolean port(int p) {
        return p >= 1 && p <= 65535;
    }
}
