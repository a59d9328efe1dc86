package io.tributary.ingest.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.tributary.ingest.acl.AclBinding;
import io.tributary.ingest.acl.AclCommand;
import io.tributary.ingest.acl.AclStore;
import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.log.AppendResult;
import io.tributary.ingest.log.FetchResult;
import io.tributary.ingest.log.PreparedBatch;
import io.tributary.ingest.produce.ProducerIds;
import io.tributary.ingest.topic.TopicPartition;
import io.tributary.ingest.problem.ProblemException;
import io.tributary.problem.ProblemType;
import io.tributary.ingest.topic.TopicRegistry;
import io.tributary.ingest.problem.InvalidRequestException;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * A node without replication ({@code ingest.cluster.peers} empty): it hosts and leads every
 * partition under epoch 0, and every change goes straight to the local registry, log, producer
 * ids or ACL store.
 */
@Component
@Conditional(SingleNodeCondition.class)
public class SingleNodeOps implements ClusterOps {

    private final TopicRegistry topics;
    private final ProducerIds producerIds;
    private final AclStore acls;
    private final int nodeId;
    private final List<Integer> self;

    /** Readiness and address of this node, for the cluster view; null when built by hand. */
    private final ApplicationAvailability availability;
    private final Environment env;
    /** Null when built by hand for a test: the cluster view then shows no traffic. */
    private final NodeTraffic traffic;

    @Autowired
    SingleNodeOps(TopicRegistry topics, ProducerIds producerIds, AclStore acls, IngestProperties props,
                  ApplicationAvailability availability, Environment env, NodeTraffic traffic) {
        this.traffic = traffic;
        this.topics = topics;
        this.producerIds = producerIds;
        this.acls = acls;
        this.nodeId = props.nodeId();
        this.self = List.of(nodeId);
        this.availability = availability;
        this.env = env;
    }

    /** For tests that build the service by hand (its cluster view shows no address and is always UP). */
    public SingleNodeOps(TopicRegistry topics, ProducerIds producerIds, AclStore acls, int nodeId) {
        this.topics = topics;
        this.producerIds = producerIds;
        this.acls = acls;
        this.nodeId = nodeId;
        this.self = List.of(nodeId);
        this.availability = null;
        this.env = null;
        this.traffic = null;
    }

    @Override
    public boolean replicated() {
        return false;
    }

    @Override
    public int nodeId() {
        return nodeId;
    }

    @Override
    public int clusterSize() {
        return 1;
    }

    @Override
    public ClusterView clusterView() {
        boolean ready = availability == null || availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC;
        // The port the server listens on (server.port may be 0: a random one).
        int port = env == null ? 0 : env.getProperty("local.server.port", Integer.class,
                env.getProperty("server.port", Integer.class, 0));
        String host = env == null ? null : env.getProperty("server.address", "localhost");
        ClusterView.Member me = new ClusterView.Member(nodeId, host, port, null, null, true,
                ready ? ClusterView.Status.UP : ClusterView.Status.DOWN, List.of(),
                traffic == null ? null : traffic.current());
        List<ClusterView.Placement> placements = new ArrayList<>();
        for (TopicRegistry.Topic t : ClusterView.byName(topics)) {
            for (int p = 0; p < t.partitions().size(); p++) {
                placements.add(new ClusterView.Placement(new TopicPartition(t.name(), p), t.metadata().internal(),
                        nodeId, self));
            }
        }
        return ClusterView.assemble(nodeId, false, null, List.of(me), placements);
    }

    @Override
    public List<Integer> replicas(TopicRegistry.Topic topic, int partition) {
        return self;
    }

    @Override
    public PartitionView view(TopicRegistry.Topic topic, int partition) {
        return new PartitionView(nodeId, self, self);
    }

    @Override
    public int leaderOf(TopicRegistry.Topic topic, int partition) {
        return nodeId;
    }

    @Override
    public long leaderTerm(TopicRegistry.Topic topic, int partition) {
        return 0;
    }

    @Override
    public AppendResult append(TopicRegistry.Topic topic, int partition, PreparedBatch batch) {
        return topic.partitions().get(partition).append(batch, 0);
    }

    @Override
    public AppendResult appendAsLeader(TopicRegistry.Topic topic, int partition, PreparedBatch batch) {
        return append(topic, partition, batch);
    }

    @Override
    public FetchResult readFromReplica(String topic, int partition, long offset, int maxBytes) {
        throw new IllegalStateException("a single node hosts every partition; " + topic + "-" + partition
                + " is read from its own log");
    }

    @Override
    public TopicRegistry.Topic createTopic(String name, int partitions, int replicationFactor,
                                           Map<String, String> configs) {
        return topics.create(name, partitions, replicationFactor, configs);
    }

    @Override
    public TopicRegistry.Topic updateConfigs(String name, Map<String, String> changes) {
        return topics.updateConfigs(name, changes);
    }

    @Override
    public void deleteTopic(String name) {
        topics.delete(name);
    }

    @Override
    public void hostInternalTopic(TopicRegistry.Topic topic) {
        // Created locally, hosted here: nothing to join.
    }

    @Override
    public ProducerIds.Identity initProducer(String name) {
        return producerIds.initWithinLimit(name);
    }

    @Override
    public List<AclBinding> changeAcls(AclCommand command) {
        return acls.apply(command);
    }

    @Override
    public List<Reassignments.Running> reassign(List<Reassignments.Move> moves) {
        throw new InvalidRequestException("this node runs alone (ingest.cluster.peers is not "
                + "set): it holds every partition and there is no other node to move replicas to");
    }

    @Override
    public List<Reassignments.Running> reassignments() {
        return List.of();
    }

    @Override
    public java.util.OptionalInt peersOffsetsTopicPartitions() {
        return java.util.OptionalInt.empty();
    }

    @Override
    public Reassignments.Plan planReassignment(List<Integer> nodes, List<String> topics) {
        throw new InvalidRequestException("this node runs alone (ingest.cluster.peers is not "
                + "set): it holds every partition and there is no other node to spread replicas over");
    }

    @Override
    public Reassignments.Running cancelReassignment(String topic, int partition) {
        topics.checkPartition(topic, partition); // 404 for an unknown topic or partition, as on a cluster
        throw new ProblemException(ProblemType.NO_REASSIGNMENT_IN_PROGRESS, topic + "-" + partition
                + " is not moving (a single node moves nothing)", Map.of("topic", topic, "partition", partition));
    }

    @Override
    public Reassignments.LeaderChange electPreferredLeader(String topic, int partition) {
        topics.checkPartition(topic, partition); // 404 for an unknown topic or partition, as on a cluster
        return new Reassignments.LeaderChange(topic, partition, nodeId, nodeId, "already-leader");
    }

    @Override
    public List<Reassignments.LeaderChange> electPreferredLeaders(String topic) {
        if (topic != null) {
            topics.get(topic); // 404 for an unknown topic, as on a cluster
        }
        return List.of();
    }

    @Override
    public NodeAddress addNode(NodeAddress node) {
        throw alone();
    }

    @Override
    public List<Reassignments.Running> replaceNode(int oldNode, int newNode) {
        throw alone();
    }

    @Override
    public void removeNode(int node) {
        throw alone();
    }

    private static ProblemException alone() {
        return new InvalidRequestException("this node runs alone (ingest.cluster.peers is not "
                + "set); nodes are added to and removed from a cluster");
    }
}
