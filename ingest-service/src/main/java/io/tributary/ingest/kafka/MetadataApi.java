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
 * Metadata: the brokers, and each topic's partitions with their leader. This node names itself
 * as the only broker and the leader of every partition: it accepts a produce or a fetch of any
 * partition (on a cluster it routes the write through the partition's Raft group and reads its
 * writes from a replica, as the REST API does), so a client that talks to it alone is served
 * correctly. Topics are never created by a Metadata request (no auto-creation).
 */
final class MetadataApi implements KafkaApis.Handler {

    static final String CLUSTER_ID = "tributary";

    private final KafkaTopics topics;
    private final KafkaEndpoint self;

    MetadataApi(KafkaTopics topics, KafkaEndpoint self) {
        this.topics = topics;
        this.self = self;
    }

    @Override
    public CompletableFuture<MetadataResponse> handle(KafkaRequest request) {
        MetadataRequestData req = ((MetadataRequest) request.body()).data();
        MetadataResponseData data = new MetadataResponseData()
                .setClusterId(CLUSTER_ID)
                .setControllerId(self.nodeId());
        data.brokers().add(new MetadataResponseBroker().setNodeId(self.nodeId()).setHost(self.host())
                .setPort(self.port()));
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
        List<Integer> me = List.of(self.nodeId());
        List<MetadataResponsePartition> partitions = new ArrayList<>(t.partitions().size());
        for (int p = 0; p < t.partitions().size(); p++) {
            partitions.add(new MetadataResponsePartition()
                    .setPartitionIndex(p)
                    .setLeaderId(self.nodeId())
                    .setLeaderEpoch(-1)
                    .setReplicaNodes(me)
                    .setIsrNodes(me));
        }
        out.setPartitions(partitions);
        return out;
    }
}
