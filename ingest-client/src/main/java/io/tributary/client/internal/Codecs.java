package io.tributary.client.internal;

import java.util.ArrayList;
import java.util.List;

import io.tributary.client.ConsumedRecord;
import io.tributary.client.PartitionDetails;
import io.tributary.client.TopicDescription;
import io.tributary.client.TopicPartition;
import tools.jackson.databind.JsonNode;

/** Reads the response shapes that more than one client type shares. */
public final class Codecs {

    private Codecs() {
    }

    public static TopicDescription topicDescription(JsonNode node) {
        List<PartitionDetails> details = new ArrayList<>();
        for (JsonNode p : node.path("partitionDetails")) {
            details.add(new PartitionDetails(
                    Json.intOr(p, "partition", -1),
                    Json.textOrNull(p, "leader"),
                    texts(p.path("replicas")),
                    texts(p.path("inSyncReplicas")),
                    Json.longOr(p, "logStartOffset", -1),
                    Json.longOr(p, "highWatermark", -1),
                    Json.longOr(p, "logEndOffset", -1)));
        }
        return new TopicDescription(
                Json.textOrNull(node, "name"),
                Json.textOrNull(node, "topicId"),
                Json.intOr(node, "partitions", details.size()),
                Json.intOr(node, "replicationFactor", -1),
                Json.stringMap(node.path("configs")),
                details);
    }

    /** A record from a fetch or poll answer; fetch answers omit the topic, so pass it in. */
    public static ConsumedRecord consumedRecord(JsonNode node, String fallbackTopic) {
        String topic = Json.textOrNull(node, "topic");
        return new ConsumedRecord(
                topic == null ? fallbackTopic : topic,
                Json.intOr(node, "partition", -1),
                Json.longOr(node, "offset", -1),
                Json.longOr(node, "timestamp", -1),
                Json.textOrNull(node, "key"),
                node.path("value").isMissingNode() ? Json.MAPPER.nullNode() : node.path("value"),
                Json.stringMap(node.path("headers")));
    }

    public static List<TopicPartition> topicPartitions(JsonNode array) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (JsonNode a : array) {
            partitions.add(new TopicPartition(Json.textOrNull(a, "topic"), Json.intOr(a, "partition", 0)));
        }
        return partitions;
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        for (JsonNode v : array) {
            values.add(v.asString());
        }
        return values;
    }
}
