package io.tributary.ingest.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.tributary.ingest.topic.TopicNames;
import io.tributary.ingest.topic.TopicRegistry;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;

/**
 * Metadata: the brokers and each topic's partitions with their leader, as {@link KafkaBrokers}
 * decides (the Raft leaders on a cluster with Kafka ports, else this node alone). A partition
 * whose leader is unknown (an election) answers LEADER_NOT_AVAILABLE, so the client asks again.
 * The in-sync replicas are given as the replicas (the measured set is in the REST describe; no
 * Kafka client acts on it). Topics are never created by a Metadata request (no auto-creation).
 */
final class MetadataApi implements KafkaApis.Handler {

    static final String CLUSTER_ID = "tributary";

    private final KafkaTopics topics;
    private final KafkaBrokers brokers;

    MetadataApi(KafkaTopics topics, KafkaBrokers brokers) {
        this.topics = topics;
        this.brokers = brokers;
    }

    @Override
    public CompletableFuture<MetadataResponse> handle(KafkaRequest request) {
        MetadataRequestData req = ((MetadataRequest) request.body()).data();
        MetadataResponseData data = new MetadataResponseData()
                .setClusterId(CLUSTER_ID)
                .setControllerId(brokers.self().nodeId());
        for (KafkaEndpoint b : brokers.all()) {
            data.brokers().add(new MetadataResponseBroker().setNodeId(b.nodeId()).setHost(b.host()).setPort(b.port()));
        }
        if (req.topics() == null) {
            for (TopicRegistry.Topic t : topics.registry().list()) {
                if (topics.mayDescribe(t.name())) {
                    data.topics().add(describe(t));
                }
            }
        } else {
            for (MetadataRequestData.MetadataRequestTopic wanted : req.topics()) {
                TopicRegistry.Topic t = topics.resolve(wanted.name(), wanted.topicId());
                String name = t != null ? t.name() : wanted.name();
                if (t != null && !topics.mayDescribe(name)) {
                    data.topics().add(new MetadataResponseTopic().setName(name)
                            .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
                } else if (t == null) {
                    data.topics().add(new MetadataResponseTopic().setName(name).setTopicId(wanted.topicId())
                            .setErrorCode(wanted.name() == null ? Errors.UNKNOWN_TOPIC_ID.code()
                                    : Errors.UNKNOWN_TOPIC_OR_PARTITION.code()));
                } else {
                    data.topics().add(describe(t));
                }
            }
        }
        return CompletableFuture.completedFuture(new MetadataResponse(data, request.version()));
    }

    private MetadataResponseTopic describe(TopicRegistry.Topic t) {
        MetadataResponseTopic out = new MetadataResponseTopic()
                .setName(t.name())
                .setTopicId(topics.idOf(t))
                .setIsInternal(TopicNames.isInternal(t.name()));
        List<MetadataResponsePartition> partitions = new ArrayList<>(t.partitions().size());
        for (int p = 0; p < t.partitions().size(); p++) {
            int leader = brokers.leader(t, p);
            List<Integer> replicas = brokers.replicas(t, p);
            MetadataResponsePartition mp = new MetadataResponsePartition()
                    .setPartitionIndex(p)
                    .setLeaderId(leader)
                    .setLeaderEpoch(-1)
                    .setReplicaNodes(replicas)
                    .setIsrNodes(replicas);
            if (leader < 0 || brokers.endpoint(leader) == null) {
                mp.setLeaderId(-1).setErrorCode(Errors.LEADER_NOT_AVAILABLE.code());
            }
            partitions.add(mp);
        }
        out.setPartitions(partitions);
        return out;
    }
}
