package io.tributary.ingest.api;

import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** Request and response bodies of the topic endpoints. */
final class TopicDtos {

    private TopicDtos() {
    }

    @Schema(description = "A topic to create")
    record CreateTopicRequest(
            @Schema(description = "1-249 characters of [a-zA-Z0-9._-]", example = "raw.orders")
            @NotNull String name,
            @Schema(description = "number of partitions; defaults to ingest.default-partitions", example = "3")
            @Min(1) @Max(10_000) Integer partitions,
            @Schema(description = "copies of each partition; defaults to ingest.default-replication-factor", example = "1")
            @Min(1) Integer replicationFactor,
            @Schema(description = "topic config overrides, Kafka names (retention.ms, cleanup.policy, segment.bytes, ...)",
                    example = "{\"retention.ms\":\"86400000\"}")
            Map<String, String> configs) {
    }

    @Schema(description = "Config changes; a null value removes the override")
    record UpdateConfigsRequest(
            @Schema(example = "{\"retention.ms\":\"3600000\",\"flush.messages\":null}")
            @NotNull Map<String, String> configs) {
    }

    @Schema(description = "A topic and the state of its partitions")
    record TopicDescription(
            @Schema(example = "raw.orders") String name,
            @Schema(description = "the topic's stable unique id (22 characters of URL-safe base64, as Kafka's): "
                    + "a deleted topic and a later one of the same name have different ids; it never changes "
                    + "while the topic exists", example = "Xh2xEn1iQ3i2cB4Rh5xw2A") String topicId,
            @Schema(example = "3") int partitions,
            @Schema(example = "1") int replicationFactor,
            @Schema(description = "true for topics the service owns, such as __consumer_offsets") boolean internal,
            @Schema(description = "config overrides of this topic") Map<String, String> configs,
            @Schema(description = "every config in force, defaults included") Map<String, String> effectiveConfigs,
            List<PartitionDescription> partitionDetails) {
    }

    @Schema(description = "One partition: where it lives and its offsets")
    record PartitionDescription(
            @Schema(example = "0") int partition,
            @Schema(description = "node id of the leader", example = "1") int leader,
            List<Integer> replicas,
            List<Integer> inSyncReplicas,
            @Schema(description = "first offset still stored", example = "0") long logStartOffset,
            @Schema(description = "offsets below it are readable", example = "1200") long highWatermark,
            @Schema(description = "offset the next record will get", example = "1200") long logEndOffset,
            @Schema(description = "bytes on disk", example = "123456") long sizeBytes,
            @Schema(example = "1") int segments) {
    }

    record TopicList(List<TopicDescription> topics) {
    }

    @Schema(description = "An offset looked up by position or time")
    record OffsetAnswer(
            @Schema(example = "0") int partition,
            @Schema(example = "1200") long offset,
            @Schema(description = "the timestamp asked for, or -1 for earliest/latest", example = "-1") long timestamp) {
    }
}
