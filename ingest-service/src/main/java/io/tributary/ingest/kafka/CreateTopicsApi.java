package io.tributary.ingest.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.tributary.ingest.cluster.ClusterOps;
import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.log.LogConfig;
import io.tributary.ingest.topic.TopicRegistry;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;

/**
 * CreateTopics, through the same path as {@code POST /api/v1/topics}: a partition count or
 * replication factor of -1 takes the service's defaults ({@code ingest.default-partitions},
 * {@code ingest.default-replication-factor}); configs are the topic configs the REST API takes,
 * and {@code value.format} is {@code binary} unless they say {@code json} (a Kafka client writes
 * any bytes; a REST-created topic is {@code json} by default).
 * Manual replica assignments are refused (placement is the cluster's).
 */
final class CreateTopicsApi implements KafkaApis.Handler {

    private final KafkaTopics topics;
    private final ClusterOps cluster;
    private final IngestProperties props;

    CreateTopicsApi(KafkaTopics topics, ClusterOps cluster, IngestProperties props) {
        this.topics = topics;
        this.cluster = cluster;
        this.props = props;
    }

    @Override
    public CompletableFuture<CreateTopicsResponse> handle(KafkaRequest request) {
        CreateTopicsRequestData req = ((CreateTopicsRequest) request.body()).data();
        CreateTopicsResponseData data = new CreateTopicsResponseData();
        for (CreatableTopic t : req.topics()) {
            data.topics().add(create(t, req.validateOnly()));
        }
        return CompletableFuture.completedFuture(new CreateTopicsResponse(data));
    }

    private CreatableTopicResult create(CreatableTopic t, boolean validateOnly) {
        CreatableTopicResult result = new CreatableTopicResult().setName(t.name());
        int partitions = t.numPartitions() == -1 ? props.defaultPartitions() : t.numPartitions();
        int rf = t.replicationFactor() == -1 ? props.defaultReplicationFactor() : t.replicationFactor();
        if (!topics.mayCreate(t.name())) {
            return result.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        }
        if (!t.assignments().isEmpty()) {
            return result.setErrorCode(Errors.INVALID_REQUEST.code())
                    .setErrorMessage("manual replica assignments are not supported; placement is the cluster's");
        }
        Map<String, String> configs = new HashMap<>();
        t.configs().forEach(c -> configs.put(c.name(), c.value()));
        // Kafka clients write any bytes: their topics hold binary values unless they ask for json.
        configs.putIfAbsent(LogConfig.VALUE_FORMAT, "binary");
        if (validateOnly) {
            return topics.byName(t.name()) != null ? result.setErrorCode(Errors.TOPIC_ALREADY_EXISTS.code())
                    .setErrorMessage("topic " + t.name() + " already exists")
                    : result.setNumPartitions(partitions).setReplicationFactor((short) rf);
        }
        try {
            TopicRegistry.Topic created = cluster.createTopic(t.name(), partitions, rf, configs);
            return result.setTopicId(topics.idOf(created))
                    .setNumPartitions(created.partitions().size())
                    .setReplicationFactor((short) created.metadata().replicationFactor());
        } catch (RuntimeException e) {
            Errors error = KafkaErrors.of(e);
            if (error == Errors.UNKNOWN_SERVER_ERROR) {
                throw e;
            }
            return result.setErrorCode(error.code()).setErrorMessage(e.getMessage());
        }
    }
}
