package io.tributary.ingest.kafka;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.tributary.ingest.acl.Operation;
import io.tributary.ingest.cluster.ClusterOps;
import io.tributary.ingest.log.LogConfig;
import io.tributary.ingest.topic.TopicRegistry;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsResponse;

/**
 * IncrementalAlterConfigs: a topic's configs changed through the path of {@code PATCH /api/v1/topics/{name}/configs}
 * (TOPIC ALTER), so Kafka's {@code Admin.incrementalAlterConfigs} changes them. SET sets a key, DELETE resets it to
 * its default (a key that is not a topic config here has nothing to reset: accepted), APPEND and SUBTRACT add to and
 * take from a comma-separated list value ({@code cleanup.policy}). {@code validate_only} checks without changing.
 * Brokers have no dynamic configs here: a DELETE of one is accepted (there is nothing to reset; Kafka's
 * reassignment tool clears its throttles that way), a SET refused.
 */
final class IncrementalAlterConfigsApi implements KafkaApis.Handler {

    private final KafkaTopics topics;
    private final ClusterOps cluster;

    IncrementalAlterConfigsApi(KafkaTopics topics, ClusterOps cluster) {
        this.topics = topics;
        this.cluster = cluster;
    }

    @Override
    public CompletableFuture<IncrementalAlterConfigsResponse> handle(KafkaRequest request) {
        IncrementalAlterConfigsRequestData req = ((IncrementalAlterConfigsRequest) request.body()).data();
        IncrementalAlterConfigsResponseData data = new IncrementalAlterConfigsResponseData();
        for (IncrementalAlterConfigsRequestData.AlterConfigsResource r : req.resources()) {
            AlterConfigsResourceResponse out = new AlterConfigsResourceResponse().setResourceType(r.resourceType())
                    .setResourceName(r.resourceName()).setErrorCode(Errors.NONE.code());
            ConfigResource.Type type = ConfigResource.Type.forId(r.resourceType());
            if (type == ConfigResource.Type.TOPIC) {
                alterTopic(r, req.validateOnly(), out);
            } else if (type == ConfigResource.Type.BROKER) {
                for (IncrementalAlterConfigsRequestData.AlterableConfig c : r.configs()) {
                    if (AlterConfigOp.OpType.forId(c.configOperation()) != AlterConfigOp.OpType.DELETE) {
                        out.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("brokers have no dynamic "
                                + "configs here: set the node's ingest.* properties and restart it");
                    }
                }
            } else {
                out.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("only topic configs are altered");
            }
            data.responses().add(out);
        }
        return CompletableFuture.completedFuture(new IncrementalAlterConfigsResponse(data));
    }

    private void alterTopic(IncrementalAlterConfigsRequestData.AlterConfigsResource r, boolean validateOnly,
                            AlterConfigsResourceResponse out) {
        TopicRegistry.Topic topic = topics.byName(r.resourceName());
        if (topic == null) {
            out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            return;
        }
        if (!topics.may(topic.name(), Operation.ALTER)) {
            out.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
            return;
        }
        try {
            Map<String, String> changes = changes(topic, r.configs());
            if (validateOnly) {
                TopicRegistry.checkConfigChange(topic, changes);
            } else if (!changes.isEmpty()) {
                cluster.updateConfigs(topic.name(), changes);
            }
        } catch (RuntimeException e) {
            Errors error = KafkaErrors.of(e);
            if (error == Errors.UNKNOWN_SERVER_ERROR) {
                throw e;
            }
            out.setErrorCode(error.code()).setErrorMessage(e.getMessage());
        }
    }

    /** The changes as {@code PATCH .../configs} takes them (a null value resets a key). */
    private static Map<String, String> changes(TopicRegistry.Topic topic,
                                               IncrementalAlterConfigsRequestData.AlterableConfigCollection configs) {
        Map<String, String> changes = new LinkedHashMap<>();
        for (IncrementalAlterConfigsRequestData.AlterableConfig c : configs) {
            AlterConfigOp.OpType op = AlterConfigOp.OpType.forId(c.configOperation());
            if (op == null) {
                throw new LogConfig.InvalidConfigException(c.name(), "has an unknown operation " + c.configOperation());
            }
            switch (op) {
                case SET -> changes.put(c.name(), c.value());
                case DELETE -> {
                    if (LogConfig.KEYS.contains(c.name())) {
                        changes.put(c.name(), null);
                    }
                }
                case APPEND, SUBTRACT -> {
                    String current = changes.containsKey(c.name()) ? changes.get(c.name())
                            : topic.metadata().configs().getOrDefault(c.name(), LogConfig.DEFAULTS.get(c.name()));
                    List<String> items = new ArrayList<>(current == null || current.isBlank() ? List.of()
                            : Arrays.stream(current.split(",")).map(String::trim).toList());
                    for (String item : c.value() == null ? new String[0] : c.value().split(",")) {
                        if (op == AlterConfigOp.OpType.APPEND && !items.contains(item.trim())) {
                            items.add(item.trim());
                        } else if (op == AlterConfigOp.OpType.SUBTRACT) {
                            items.remove(item.trim());
                        }
                    }
                    changes.put(c.name(), String.join(",", items));
                }
            }
        }
        return changes;
    }
}
