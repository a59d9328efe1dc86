package io.tributary.ingest.replication;

import java.util.List;
import java.util.Map;

import io.tributary.ingest.acl.AclBinding;
import io.tributary.ingest.acl.AclCommand;
import io.tributary.ingest.log.LogConfig;
import io.tributary.ingest.produce.ProducerIds;
import io.tributary.ingest.topic.InvalidTopicException;
import io.tributary.ingest.topic.TopicExistsException;
import io.tributary.ingest.topic.TopicNames;
import io.tributary.ingest.topic.TopicRegistry;
import io.tributary.ingest.topic.UnknownTopicException;
import org.apache.ratis.protocol.RaftClientReply;
import org.springframework.context.annotation.Conditional;
import org.springframework.stereotype.Component;

/**
 * Cluster-wide changes through the metadata group: topics (create, configs, delete), idempotent
 * producer identities and ACLs. Each is a {@link MetadataCommand} proposed with the metadata
 * group's client; the apply's {@link MetadataReply} becomes the answer (or the exception the API
 * maps), once this node has applied it too.
 */
@Component
@Conditional(ReplicationEnabledCondition.class)
public class MetadataAdmin {

    private final TopicRegistry topics;
    private final RaftNode node;
    private final PartitionGroups groups;
    private final Proposals proposals;
    private final PartitionViews views;
    private final ReplicationProperties settings;
    private final AnonymousProducerIds anonymousIds =
            new AnonymousProducerIds(() -> propose(new MetadataCommand.AllocateProducerIds(), "allocate producer ids"));

    public MetadataAdmin(TopicRegistry topics, RaftNode node, PartitionGroups groups, Proposals proposals,
                         PartitionViews views, ReplicationProperties settings) {
        this.topics = topics;
        this.node = node;
        this.groups = groups;
        this.proposals = proposals;
        this.views = views;
        this.settings = settings;
    }

    /**
     * Creates a topic on every node through the metadata group and waits until this node has
     * it and knows a leader for each of its partitions it hosts (bounded by the request timeout).
     */
    public TopicRegistry.Topic createTopic(String name, int partitions, int replicationFactor,
                                           Map<String, String> configs) {
        TopicNames.validate(name);
        if (TopicNames.isInternal(name)) {
            throw new InvalidTopicException("topic names starting with '" + TopicNames.INTERNAL_PREFIX
                    + "' are reserved for the service");
        }
        if (partitions < 1 || partitions > TopicRegistry.MAX_PARTITIONS) {
            throw new InvalidTopicException("partitions must be between 1 and " + TopicRegistry.MAX_PARTITIONS
                    + ", was " + partitions);
        }
        if (replicationFactor < 1 || replicationFactor > groups.clusterSize()) {
            throw new InvalidTopicException("replicationFactor must be between 1 and the number of nodes ("
                    + groups.clusterSize() + "), was " + replicationFactor);
        }
        LogConfig.from(configs);
        if (topics.exists(name)) {
            throw new TopicExistsException(name);
        }
        // Before proposing: the replicated apply must never refuse. (Two concurrent creates may
        // both pass and overshoot by one topic; the cap is about resource exhaustion, not exactness.)
        topics.checkPartitionLimits(partitions);
        RaftClientReply reply = proposals.send(node::metadataClient, MetadataCodec.encode(
                MetadataCommand.CreateTopic.withNewId(name, partitions, replicationFactor, configs,
                        placement(partitions, replicationFactor))),
                "create topic " + name);
        MetadataReply answer = MetadataCodec.decodeReply(reply.getMessage());
        if (answer instanceof MetadataReply.Exists) {
            throw new TopicExistsException(name);
        } else if (answer instanceof MetadataReply.Invalid invalid) {
            throw new InvalidTopicException(invalid.detail());
        }
        long deadline = System.nanoTime() + settings.requestTimeout().toNanos();
        while (!topics.exists(name) && System.nanoTime() < deadline) {
            sleep(20);
        }
        TopicRegistry.Topic topic = topics.get(name);
        for (int p = 0; p < partitions; p++) {
            while (views.leaderOf(topic, p) < 0 && groups.replicas(topic, p).contains(groups.nodeId())
                    && System.nanoTime() < deadline) {
                sleep(50);
            }
        }
        return topic;
    }

    /**
     * Where a new topic's partitions go: over the members now (founders plus nodes added, minus
     * nodes removed), {@code replicationFactor} consecutive members in id order from
     * {@code partition mod members}, as the computed placement does over the founders.
     */
    private List<List<Integer>> placement(int partitions, int replicationFactor) {
        java.util.ArrayList<List<Integer>> out = new java.util.ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            out.add(groups.peers().replicas(p, replicationFactor));
        }
        return out;
    }

    /**
     * Changes a topic's config overrides on every node through the metadata group (a null value
     * resets a key) and returns once this node applied the change.
     */
    public TopicRegistry.Topic updateConfigs(String name, Map<String, String> changes) {
        TopicRegistry.Topic topic = topics.get(name); // 404 before anything is replicated
        // 400 for a bad key, value or change, checked here with the exception the API maps
        TopicRegistry.checkConfigChange(topic, changes);
        metadataCommand(MetadataCommand.UpdateConfigs.of(name, changes), "change configs of " + name);
        return topics.get(name);
    }

    /** Deletes a topic on every node through the metadata group; returns once it is gone here. */
    public void deleteTopic(String name) {
        TopicRegistry.Topic topic = topics.get(name); // 404 before anything is replicated
        if (topic.metadata().internal()) {
            throw new InvalidTopicException("internal topic " + name + " cannot be deleted");
        }
        metadataCommand(new MetadataCommand.DeleteTopic(name), "delete topic " + name);
    }

    /**
     * Hands out an idempotent producer identity through the metadata group, so no two nodes ever
     * hand out the same id, and a name's epochs increase whichever node is asked. An anonymous
     * producer gets the next id of this node's block ({@link AnonymousProducerIds}).
     */
    public ProducerIds.Identity initProducer(String name) {
        if (name == null || name.isBlank()) {
            long id = anonymousIds.next();
            if (id >= 0) {
                return new ProducerIds.Identity(id, (short) 0);
            }
        }
        MetadataReply answer = metadataCommand(
                new MetadataCommand.InitProducer(name == null || name.isBlank() ? null : name), "init producer");
        if (!(answer instanceof MetadataReply.ProducerIdentity identity)) {
            throw new IllegalStateException("unexpected answer to init-producer: " + answer);
        }
        return new ProducerIds.Identity(identity.producerId(), identity.producerEpoch());
    }

    /** Changes the ACLs on every node through the metadata group; answers what the change added or removed. */
    public List<AclBinding> changeAcls(AclCommand change) {
        MetadataReply answer = metadataCommand(new MetadataCommand.ChangeAcls(change), "change ACLs");
        if (!(answer instanceof MetadataReply.Acls changed)) {
            throw new IllegalStateException("unexpected answer to an ACL change: " + answer);
        }
        return changed.bindings();
    }

    /**
     * Sends a metadata command, maps the apply's verdict to an exception, waits for the local
     * apply and returns the verdict.
     */
    private MetadataReply metadataCommand(MetadataCommand cmd, String what) {
        MetadataReply answer = propose(cmd, what);
        if (answer instanceof MetadataReply.Unknown unknown) {
            throw new UnknownTopicException(unknown.detail());
        } else if (answer instanceof MetadataReply.Invalid invalid) {
            throw new InvalidTopicException(invalid.detail());
        }
        return answer;
    }

    /**
     * Sends a metadata command and answers the apply's verdict once this node has applied it too
     * (each node applies committed entries at its own pace; what the caller does next here must
     * see the change). Callers map the verdict to their own errors.
     */
    MetadataReply propose(MetadataCommand cmd, String what) {
        RaftClientReply reply = proposals.send(node::metadataClient, MetadataCodec.encode(cmd), what);
        groups.awaitMetadataApplied(reply.getLogIndex(), settings.requestTimeout().toMillis());
        return MetadataCodec.decodeReply(reply.getMessage());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
