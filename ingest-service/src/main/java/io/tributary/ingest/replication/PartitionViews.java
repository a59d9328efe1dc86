package io.tributary.ingest.replication;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.tributary.ingest.topic.TopicRegistry;
import jakarta.annotation.PreDestroy;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Conditional;
import org.springframework.stereotype.Component;

/**
 * What this node knows about a partition's replicas: who leads it, which replicas are in sync,
 * whether this node serves reads of it, and its local state machine. Asks the replicas over
 * Raft's admin RPC when this node is not the leader or hosts no replica.
 */
@Component
@Conditional(ReplicationEnabledCondition.class)
public class PartitionViews {

    private static final Logger log = LoggerFactory.getLogger(PartitionViews.class);

    /**
     * What describe shows for a partition: leader (-1 unknown), replicas, in-sync replicas; and, as the leader sees
     * them, how many committed entries each replica's commit index is behind the leader's ({@code entriesBehind}: the
     * leader 0, a replica it has no commit information of absent).
     */
    public record PartitionView(int leader, List<Integer> replicas, List<Integer> inSyncReplicas,
                                Map<Integer, Long> entriesBehind) {

        /** Entries {@code node} is behind the leader's commit index, or -1 when unknown. */
        public long behind(int node) {
            return entriesBehind.getOrDefault(node, -1L);
        }
    }

    private final RaftNode node;
    private final PartitionGroups groups;
    private final TopicRegistry topics;
    private final FailedReplicas failed;
    private final ReplicationProperties settings;
    /** Asks other nodes about their groups; no retries, a node that does not answer is skipped. */
    /** Per node: a client for its group-information calls (nodes added later are not in any start-time group). */
    private final java.util.Map<Integer, RaftClient> infoClients = new java.util.concurrent.ConcurrentHashMap<>();

    public PartitionViews(RaftNode node, PartitionGroups groups, TopicRegistry topics, FailedReplicas failed,
                          ReplicationProperties settings) {
        this.node = node;
        this.groups = groups;
        this.topics = topics;
        this.failed = failed;
        this.settings = settings;
    }

    /**
     * True when this node holds a working replica of the partition: placed here and not failed
     * (see {@link FailedReplicas}). Reads of a partition this node does not serve go to a replica
     * that does.
     */
    public boolean servesLocally(TopicRegistry.Topic topic, int partition) {
        // topic.hosts: the placement decided when the log was opened (asked on every fetch: no list built here)
        return topic.hosts(partition) && !failed.hasFailed(topic.name(), partition);
    }

    /** True when this node's replica of the partition failed while applying ({@link FailedReplicas}). */
    boolean replicaFailed(String topic, int partition) {
        return failed.hasFailed(topic, partition);
    }

    /** The nodes to read the partition from, in placement order, without this node when it does not serve it. */
    public List<Integer> readableReplicas(TopicRegistry.Topic topic, int partition) {
        List<Integer> all = groups.replicas(topic, partition);
        return servesLocally(topic, partition) ? all : all.stream().filter(n -> n != groups.nodeId()).toList();
    }

    /** This node's state machine of a partition group, or null when it hosts no replica of it. */
    PartitionStateMachine localStateMachine(String topic, int partition) {
        RaftServer.Division d = node.division(PartitionGroups.groupId(topics.get(topic), partition));
        return d != null && d.getStateMachine() instanceof PartitionStateMachine p ? p : null;
    }

    /** First index still in this node's Raft log of a partition group (tests: was it purged?), or -1. */
    long raftLogStartIndex(String topic, int partition) {
        RaftServer.Division d = node.division(PartitionGroups.groupId(topics.get(topic), partition));
        return d == null ? -1 : d.getRaftLog().getStartIndex();
    }

    /** The partition leader as this node knows it, or -1. */
    public int leaderOf(TopicRegistry.Topic topic, int partition) {
        DivisionInfo info = node.localInfo(PartitionGroups.groupId(topic, partition));
        RaftPeerId leader = info == null ? null : info.getLeaderId();
        return leader == null ? -1 : Integer.parseInt(leader.toString());
    }

    /**
     * The Raft term of a partition group while this node's member of it is the leader (ready or
     * not), else -1: what this node claims to lead, for the cluster view.
     */
    public long leadership(TopicRegistry.Topic topic, int partition) {
        DivisionInfo info = node.localInfo(PartitionGroups.groupId(topic, partition));
        return info != null && info.isLeader() ? info.getCurrentTerm() : -1;
    }

    /** The metadata group's leader as this node knows it, or -1 (an election is going on). */
    public int metadataLeader() {
        DivisionInfo info = node.localInfo(PartitionGroups.METADATA_GROUP);
        RaftPeerId leader = info == null ? null : info.getLeaderId();
        return leader == null ? -1 : Integer.parseInt(leader.toString());
    }

    /**
     * The Raft term of a partition group while this node leads it and has applied every entry
     * committed before its term (Ratis's "leader ready"); -1 otherwise.
     */
    public long leaderTerm(TopicRegistry.Topic topic, int partition) {
        DivisionInfo info = node.localInfo(PartitionGroups.groupId(topic, partition));
        return info != null && info.isLeader() && info.isLeaderReady() ? info.getCurrentTerm() : -1;
    }

    /**
     * Leader, replicas and in-sync replicas of a partition. In sync = the leader itself plus the
     * followers it heard from within {@code ingest.replication.in-sync-lag} (for a partition written
     * the Kafka way: the in-sync set its group recorded, as this node applied it); this is the leader's
     * view, asked of the leader when this node is not it (a node hosting no replica asks the
     * replicas which of them leads). Unknown leader: -1 and an empty in-sync list.
     */
    public PartitionView view(TopicRegistry.Topic topic, int partition) {
        RaftGroupId gid = PartitionGroups.groupId(topic, partition);
        List<Integer> replicas = groups.replicas(topic, partition);
        DivisionInfo info = node.localInfo(gid); // null too for a member closed by a failed apply
        int leader = -1;
        RoleInfoProto role = null;
        Collection<CommitInfoProto> commits = List.of();
        if (info != null) {
            leader = leaderOf(topic, partition);
            RaftServer.Division local = node.division(gid);
            if (info.isLeader() && local != null) {
                role = info.getRoleInfoProto();
                commits = local.getCommitInfos();
            } else if (leader >= 0) {
                GroupInfoReply reply = remoteInfo(leader, gid);
                role = reply == null ? null : reply.getRoleInfoProto();
                commits = reply == null ? List.of() : reply.getCommitInfos();
            }
        } else {
            for (int r : replicas) {
                GroupInfoReply candidate = remoteInfo(r, gid);
                if (candidate != null && candidate.getRoleInfoProto().hasLeaderInfo()) {
                    leader = r;
                    role = candidate.getRoleInfoProto();
                    commits = candidate.getCommitInfos();
                    break;
                }
            }
        }
        List<Integer> isr = new ArrayList<>();
        Map<Integer, Long> behind = new HashMap<>();
        if (role != null && role.hasLeaderInfo()) {
            int self = Integer.parseInt(role.getSelf().getId().toStringUtf8());
            isr.add(self);
            for (ServerRpcProto f : role.getLeaderInfo().getFollowerInfoList()) {
                if (f.getLastRpcElapsedTimeMs() <= settings.inSyncLag().toMillis()) {
                    isr.add(Integer.parseInt(f.getId().getId().toStringUtf8()));
                }
            }
            isr.sort(Integer::compare);
            // Written the Kafka way: in sync means in the set the partition's group recorded (InSyncEntry),
            // which its leader keeps from the followers' fetches.
            RaftServer.Division local = node.division(gid);
            if (local != null && local.getStateMachine() instanceof PartitionStateMachine sm && sm.fetched()) {
                isr.clear();
                replicas.stream().filter(sm::inSync).sorted().forEach(isr::add);
            }
            // The leader's commit infos hold its own commit index and, for each follower, the commit index that
            // follower reported in its last answer to an append.
            Map<Integer, Long> commitIndex = new HashMap<>();
            for (CommitInfoProto c : commits) {
                commitIndex.put(Integer.parseInt(c.getServer().getId().toStringUtf8()), c.getCommitIndex());
            }
            Long leaderCommit = commitIndex.get(self);
            if (leaderCommit != null) {
                commitIndex.forEach((n, c) -> behind.put(n, Math.max(0, leaderCommit - c)));
            }
        }
        return new PartitionView(leader, replicas, isr, Map.copyOf(behind));
    }

    /** True when {@code node} answers that it runs a member of the group (asked over Raft's admin RPC). */
    boolean runsMember(int node, RaftGroupId gid) {
        return remoteInfo(node, gid) != null;
    }

    /** What {@code node} says of its member of a group (role, commit infos), asked over Raft's admin RPC; null when it cannot answer. */
    private GroupInfoReply remoteInfo(int node, RaftGroupId gid) {
        try {
            RaftClient client = infoClients.computeIfAbsent(node, n -> this.node.clientOf(groups.address(n)));
            GroupInfoReply reply = client.getGroupManagementApi(PartitionGroups.peerId(node)).info(gid);
            return reply.isSuccess() ? reply : null;
        } catch (IOException | RuntimeException e) {
            log.debug("cannot ask node {} about {}: {}", node, gid, e.toString());
            return null;
        }
    }

    /** Before the server closes (this bean depends on {@link RaftNode}, so Spring closes it first). */
    @PreDestroy
    void close() {
        infoClients.values().forEach(RaftNode::closeQuietly);
    }
}
