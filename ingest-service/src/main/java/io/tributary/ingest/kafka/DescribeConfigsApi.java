package io.tributary.ingest.kafka;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import io.tributary.ingest.acl.Operation;
import io.tributary.ingest.log.LogConfig;
import io.tributary.ingest.topic.TopicRegistry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;

/**
 * DescribeConfigs: a topic's effective configs (the defaults and its overrides, each with its
 * source), the same set {@code GET /api/v1/topics/{name}} shows. A broker has no configs to show
 * over Kafka (an empty list); other resource types are refused.
 */
final class DescribeConfigsApi implements KafkaApis.Handler {

    private final KafkaTopics topics;

    DescribeConfigsApi(KafkaTopics topics) {
        this.topics = topics;
    }

    @Override
    public CompletableFuture<DescribeConfigsResponse> handle(KafkaRequest request) {
        DescribeConfigsRequestData req = ((DescribeConfigsRequest) request.body()).data();
        DescribeConfigsResponseData data = new DescribeConfigsResponseData();
        for (DescribeConfigsRequestData.DescribeConfigsResource r : req.resources()) {
            DescribeConfigsResult out = new DescribeConfigsResult().setResourceType(r.resourceType())
                    .setResourceName(r.resourceName());
            ConfigResource.Type type = ConfigResource.Type.forId(r.resourceType());
            if (type == ConfigResource.Type.BROKER) {
                data.results().add(out);
            } else if (type != ConfigResource.Type.TOPIC) {
                data.results().add(out.setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage("only topic and broker configs are described"));
            } else {
                data.results().add(describeTopic(r, out));
            }
        }
        return CompletableFuture.completedFuture(new DescribeConfigsResponse(data));
    }

    private DescribeConfigsResult describeTopic(DescribeConfigsRequestData.DescribeConfigsResource r,
                                                DescribeConfigsResult out) {
        TopicRegistry.Topic topic = topics.byName(r.resourceName());
        if (topic == null) {
            return out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        if (!topics.may(topic.name(), Operation.DESCRIBE)) {
            return out.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        }
        Map<String, String> overrides = topic.metadata().configs();
        Map<String, String> effective = new TreeMap<>(LogConfig.DEFAULTS);
        effective.putAll(overrides);
        effective.forEach((name, value) -> {
            if (r.configurationKeys() == null || r.configurationKeys().contains(name)) {
                out.configs().add(new DescribeConfigsResourceResult().setName(name).setValue(value)
                        .setReadOnly(false)
                        .setConfigSource((overrides.containsKey(name) ? DescribeConfigsResponse.ConfigSource.TOPIC_CONFIG
                                : DescribeConfigsResponse.ConfigSource.DEFAULT_CONFIG).id())
                        .setIsSensitive(false));
            }
        });
        return out;
    }
}
