package io.tributary.ingest.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.tributary.ingest.acl.AclBinding;
import io.tributary.ingest.acl.AclCommand;
import io.tributary.ingest.log.AppendResult;
import io.tributary.ingest.log.FetchResult;
import io.tributary.ingest.log.PreparedBatch;
import io.tributary.ingest.produce.IdempotencyKey;
import io.tributary.ingest.produce.ProducerIds;
import io.tributary.ingest.replication.ClusterPeers;
import io.tributary.ingest.replication.MetadataAdmin;
import io.tributary.ingest.replication.PartitionGroups;
import io.tributary.ingest.replication.PartitionMoves;
import io.tributary.ingest.replication.ClusterNodes;
import io.tributary.ingest.replication.PartitionViews;
import io.tributary.ingest.replication.Proposals;
import io.tributary.ingest.replication.ReplicaReads;
import io.tributary.ingest.replication.ReplicationEnabledCondition;
import io.tributary.ingest.topic.TopicPartition;
import io.tributary.ingest.topic.TopicRegistry;
import io.tributary.ingest.problem.InvalidRequestException;
import org.springframework.context.annotation.Conditional;
import org.springframework.stereotype.Component;

/**
 * A member of a Raft cluster ({@code ingest.cluster.peers} set): writes go through the
 * partition's Raft group, topic, producer-id and ACL changes through the metadata group, and
 * partitions hosted elsewhere are read from their replicas; see docs/replication.md.
 */
@Component
@Conditional(ReplicationEnabledCondition.class)
public class RaftClusterOps implements ClusterOps {

    private final PartitionGroups groups;
    private final PartitionViews views;
    private final Proposals proposals;
    private final MetadataAdmin metadata;
    private final ReplicaReads replicaReads;
    private final ProducerIds producerIds;
    private final TopicRegistry topics;
    private final NodeReports reports;
    private final PartitionMoves moves;
    private final ClusterNodes nodes;
    private final RemoteLeaders remoteLeaders;

    RaftClusterOps(PartitionGroups groups, PartitionViews views, Proposals proposals, MetadataAdmin metadata,
                   ReplicaReads replicaReads, ProducerIds producerIds, TopicRegistry topics, NodeReports reports,
                   PartitionMoves moves, ClusterNodes nodes, RemoteLeaders remoteLeaders) {
        this.remoteLeaders = remoteLeaders;
        this.moves = moves;
        this.nodes = nodes;
        this.groups = groups;
        this.views = views;
        this.proposals = proposals;
        this.metadata = metadata;
        this.replicaReads = replicaReads;
        this.producerIds = producerIds;
        this.topics = topics;
        this.reports = reports;
    }

    @Override
    public boolean replicated() {
        return true;
    }

    @Override
    public int nodeId() {
        return groups.nodeId();
    }

    @Override
    public int clusterSize() {
        return groups.clusterSize();
    }

    @Override
    public Map<Integer, String> kafkaEndpoints() {
        Map<Integer, String> out = new java.util.TreeMap<>();
        for (ClusterPeers.Peer p : groups.peers().peers()) {
            if (p.hasKafkaPort()) {
                out.put(p.id(), p.kafkaAddress());
            }
        }
        return out;
    }

    @Override
    public String ownKafkaEndpoint() {
        ClusterPeers.Peer self = groups.self();
        return self.hasKafkaPort() ? self.kafkaAddress() : null;
    }

    /**
     * Members from the peer list, their status from their answers; a partition's leader from this
     * node's own Raft member of it, or, when it holds none or does not know the leader (an
     * election, a failed replica), from the member that answered that it leads it (the highest
     * term wins, should a deposed leader not know yet).
     */
    @Override
    public ClusterView clusterView() {
        Map<Integer, ReportProbe.Answer> answers = reports.askPeers();
        Map<TopicPartition, Integer> claimed = RemoteLeaders.latestClaims(answers);
        List<ClusterView.Member> members = new ArrayList<>();
        for (ClusterPeers.Peer p : groups.peers().peers()) {
            boolean self = p.id() == groups.nodeId();
            ReportProbe.Answer answer = self ? null : answers.get(p.id());
            ClusterView.Status status = !self ? answer.status()
                    : reports.ready() ? ClusterView.Status.UP : ClusterView.Status.DOWN;
            List<String> failed = self ? reports.failedReplicas()
                    : answer.report() == null ? null : answer.report().failedReplicas();
            Map<String, NodeTraffic.Traffic> traffic = self ? reports.traffic()
                    : answer.report() == null ? null : answer.report().traffic();
            members.add(new ClusterView.Member(p.id(), p.host(), p.httpPort(), p.raftPort(), p.kafkaPort(), self,
                    status, failed, traffic));
        }
        List<ClusterView.Placement> placements = new ArrayList<>();
        for (TopicRegistry.Topic t : ClusterView.byName(topics)) {
            for (int p = 0; p < t.partitions().size(); p++) {
                TopicPartition tp = new TopicPartition(t.name(), p);
                int leader = views.leaderOf(t, p);
                if (leader < 0 && claimed.containsKey(tp)) {
                    leader = claimed.get(tp);
                }
                placements.add(new ClusterView.Placement(tp, t.metadata().internal(), leader, groups.replicas(t, p)));
            }
        }
        int metadataLeader = views.metadataLeader();
        return ClusterView.assemble(groups.nodeId(), true, metadataLeader < 0 ? null : metadataLeader, members,
                placements);
    }

    @Override
    public List<Integer> replicas(TopicRegistry.Topic topic, int partition) {
        return groups.replicas(topic, partition);
    }

    @Override
    public PartitionView view(TopicRegistry.Topic topic, int partition) {
        PartitionViews.PartitionView v = views.view(topic, partition);
        return new PartitionView(v.leader(), v.replicas(), v.inSyncReplicas());
    }

    @Override
    public boolean servesReads(TopicRegistry.Topic topic, int partition) {
        return views.servesLocally(topic, partition);
    }

    @Override
    public void awaitCommitted(TopicRegistry.Topic topic, int partition) {
        proposals.awaitCommitted(topic, partition);
    }

    @Override
    public CompletableFuture<Void> catchUp(TopicRegistry.Topic topic, int partition) {
        return proposals.catchUp(topic, partition);
    }

    @Override
    public int leaderOf(TopicRegistry.Topic topic, int partition) {
        int leader = views.leaderOf(topic, partition);
        // A partition hosted elsewhere has no member here to ask: its replicas' reports tell.
        return leader >= 0 || topic.hosts(partition) ? leader
                : remoteLeaders.leaderOf(topic, partition, replicas(topic, partition));
    }

    @Override
    public long leaderTerm(TopicRegistry.Topic topic, int partition) {
        return views.leaderTerm(topic, partition);
    }

    @Override
    public AppendResult append(TopicRegistry.Topic topic, int partition, PreparedBatch batch) {
        return proposals.append(topic, partition, batch);
    }

    @Override
    public AppendResult append(TopicRegistry.Topic topic, int partition, PreparedBatch batch, IdempotencyKey key) {
        return proposals.append(topic, partition, batch, key);
    }

    @Override
    public AppendResult[] appendAll(TopicRegistry.Topic topic, PreparedBatch[] batches, IdempotencyKey key) {
        return proposals.appendAll(topic, batches, key);
    }

    @Override
    public CompletableFuture<AppendResult> appendAsync(TopicRegistry.Topic topic, int partition,
                                                       PreparedBatch batch) {
        return proposals.appendAsync(topic, partition, batch);
    }

    @Override
    public AppendResult appendAsLeader(TopicRegistry.Topic topic, int partition, PreparedBatch batch) {
        return proposals.appendAsLeader(topic, partition, batch);
    }

    @Override
    public FetchResult readFromReplica(String topic, int partition, long offset, int maxBytes) {
        return replicaReads.read(topic, partition, offset, maxBytes);
    }

    @Override
    public TopicRegistry.Topic createTopic(String name, int partitions, int replicationFactor,
                                           Map<String, String> configs) {
        return metadata.createTopic(name, partitions, replicationFactor, configs);
    }

    @Override
    public TopicRegistry.Topic updateConfigs(String name, Map<String, String> changes) {
        return metadata.updateConfigs(name, changes);
    }

    @Override
    public void deleteTopic(String name) {
        metadata.deleteTopic(name);
    }

    @Override
    public void hostInternalTopic(TopicRegistry.Topic topic) {
        groups.hostInternalTopic(topic);
    }

    @Override
    public ProducerIds.Identity initProducer(String name) {
        producerIds.checkNameLimit(name); // every node holds the same names: refuse before proposing
        return metadata.initProducer(name);
    }

    @Override
    public List<AclBinding> changeAcls(AclCommand command) {
        return metadata.changeAcls(command);
    }

    @Override
    public List<Reassignments.Running> reassign(List<Reassignments.Move> moves) {
        return this.moves.start(moves);
    }

    @Override
    public List<Reassignments.Running> reassignments() {
        return moves.running();
    }

    @Override
    public java.util.OptionalInt peersOffsetsTopicPartitions() {
        return reports.peersOffsetsTopicPartitions().values().stream().mapToInt(Integer::intValue).findFirst();
    }

    @Override
    public Reassignments.Plan planReassignment(List<Integer> nodes, List<String> topics) {
        return moves.plan(nodes, topics);
    }

    @Override
    public Reassignments.Running cancelReassignment(String topic, int partition) {
        return moves.cancel(topic, partition);
    }

    @Override
    public List<Reassignments.LeaderChange> electPreferredLeaders(String topic) {
        return moves.electPreferredLeaders(topic);
    }

    @Override
    public Reassignments.LeaderChange electPreferredLeader(String topic, int partition) {
        return moves.electPreferredLeader(topics.checkPartition(topic, partition), partition);
    }

    @Override
    public NodeAddress addNode(NodeAddress node) {
        if (node == null || node.id() == null || node.host() == null || node.httpPort() == null
                || node.raftPort() == null) {
            throw new InvalidRequestException("a node needs id, host, httpPort and raftPort");
        }
        ClusterPeers.Peer added = nodes.add(new ClusterPeers.Peer(node.id(), node.host().trim(), node.httpPort(),
                node.raftPort(), node.kafkaPort(), node.replicaPort()));
        return new NodeAddress(added.id(), added.host(), added.httpPort(), added.raftPort(), added.kafkaPort(),
                added.replicaPort());
    }

    @Override
    public List<Reassignments.Running> replaceNode(int oldNode, int newNode) {
        return nodes.replace(oldNode, newNode);
    }

    @Override
    public void removeNode(int node) {
        nodes.remove(node);
    }
}
