package io.tributary.ingest.kafka;

import java.util.concurrent.CompletableFuture;

import io.tributary.ingest.acl.Operation;
import io.tributary.ingest.cluster.ClusterOps;
import io.tributary.ingest.topic.TopicRegistry;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DeleteTopicsResponse;

/**
 * DeleteTopics, by name (all versions) or by topic id (v6 on), through the same path as
 * {@code DELETE /api/v1/topics/{name}}; internal topics are refused.
 */
final class DeleteTopicsApi implements KafkaApis.Handler {

    private final KafkaTopics topics;
    private final ClusterOps cluster;

    DeleteTopicsApi(KafkaTopics topics, ClusterOps cluster) {
        this.topics = topics;
        this.cluster = cluster;
    }

    @Override
    public CompletableFuture<DeleteTopicsResponse> handle(KafkaRequest request) {
        DeleteTopicsRequestData req = ((DeleteTopicsRequest) request.body()).data();
        DeleteTopicsResponseData data = new DeleteTopicsResponseData();
        for (String name : req.topicNames()) {
            data.responses().add(delete(name, null));
        }
        for (DeleteTopicsRequestData.DeleteTopicState t : req.topics()) {
            data.responses().add(delete(t.name(), t.topicId()));
        }
        return CompletableFuture.completedFuture(new DeleteTopicsResponse(data));
    }

    private DeletableTopicResult delete(String name, Uuid id) {
        TopicRegistry.Topic topic = topics.resolve(name, id);
        DeletableTopicResult result = new DeletableTopicResult().setName(topic != null ? topic.name() : name)
                .setTopicId(id == null ? Uuid.ZERO_UUID : id);
        if (topic == null) {
            return result.setErrorCode((name == null ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code());
        }
        if (!topics.may(topic.name(), Operation.DELETE)) {
            return result.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        }
        try {
            cluster.deleteTopic(topic.name());
            return result.setTopicId(topics.idOf(topic));
        } catch (RuntimeException e) {
            Errors error = KafkaErrors.of(e);
            if (error == Errors.UNKNOWN_SERVER_ERROR) {
                throw e;
            }
            return result.setErrorCode(error.code()).setErrorMessage(e.getMessage());
        }
    }
}
