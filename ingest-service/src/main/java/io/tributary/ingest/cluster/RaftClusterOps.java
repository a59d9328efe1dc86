package io.tributary.ingest.cluster;

import java.util.List;
import java.util.Map;

import io.tributary.ingest.acl.AclBinding;
import io.tributary.ingest.acl.AclCommand;
import io.tributary.ingest.log.AppendResult;
import io.tributary.ingest.log.FetchResult;
import io.tributary.ingest.log.PreparedBatch;
import io.tributary.ingest.produce.ProducerIds;
import io.tributary.ingest.replication.ReplicaReads;
import io.tributary.ingest.replication.ReplicationEnabledCondition;
import io.tributary.ingest.replication.ReplicationService;
import io.tributary.ingest.topic.TopicRegistry;
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

    private final ReplicationService replication;
    private final ReplicaReads replicaReads;
    private final ProducerIds producerIds;

    RaftClusterOps(ReplicationService replication, ReplicaReads replicaReads, ProducerIds producerIds) {
        this.replication = replication;
        this.replicaReads = replicaReads;
        this.producerIds = producerIds;
    }

    @Override
    public boolean replicated() {
        return true;
    }

    @Override
    public int nodeId() {
        return replication.nodeId();
    }

    @Override
    public int clusterSize() {
        return replication.clusterSize();
    }

    @Override
    public List<Integer> replicas(TopicRegistry.Topic topic, int partition) {
        return replication.replicas(topic, partition);
    }

    @Override
    public PartitionView view(TopicRegistry.Topic topic, int partition) {
        ReplicationService.PartitionView v = replication.view(topic, partition);
        return new PartitionView(v.leader(), v.replicas(), v.inSyncReplicas());
    }

    @Override
    public boolean servesReads(TopicRegistry.Topic topic, int partition) {
        return replication.servesLocally(topic, partition);
    }

    @Override
    public void awaitCommitted(TopicRegistry.Topic topic, int partition) {
        replication.awaitCommitted(topic, partition);
    }

    @Override
    public java.util.concurrent.CompletableFuture<Void> catchUp(TopicRegistry.Topic topic, int partition) {
        return replication.catchUp(topic, partition);
    }

    @Override
    public int leaderOf(TopicRegistry.Topic topic, int partition) {
        return replication.leaderOf(topic, partition);
    }

    @Override
    public long leaderTerm(TopicRegistry.Topic topic, int partition) {
        return replication.leaderTerm(topic, partition);
    }

    @Override
    public AppendResult append(TopicRegistry.Topic topic, int partition, PreparedBatch batch) {
        return replication.append(topic, partition, batch);
    }

    @Override
    public AppendResult appendAsLeader(TopicRegistry.Topic topic, int partition, PreparedBatch batch) {
        return replication.appendAsLeader(topic, partition, batch);
    }

    @Override
    public FetchResult readFromReplica(String topic, int partition, long offset, int maxBytes) {
        return replicaReads.read(topic, partition, offset, maxBytes);
    }

    @Override
    public TopicRegistry.Topic createTopic(String name, int partitions, int replicationFactor,
                                           Map<String, String> configs) {
        return replication.createTopic(name, partitions, replicationFactor, configs);
    }

    @Override
    public TopicRegistry.Topic updateConfigs(String name, Map<String, String> changes) {
        return replication.updateConfigs(name, changes);
    }

    @Override
    public void deleteTopic(String name) {
        replication.deleteTopic(name);
    }

    @Override
    public void hostInternalTopic(TopicRegistry.Topic topic) {
        replication.hostInternalTopic(topic);
    }

    @Override
    public ProducerIds.Identity initProducer(String name) {
        producerIds.checkNameLimit(name); // every node holds the same names: refuse before proposing
        return replication.initProducer(name);
    }

    @Override
    public List<AclBinding> changeAcls(AclCommand command) {
        return replication.changeAcls(command);
    }
}
