package io.tributary.ingest.group;

import java.util.List;

import io.tributary.ingest.topic.TopicPartition;

/** Request and response bodies of the consumer group API. */
final class GroupDtos {

    private GroupDtos() {
    }

    /** Join: the topics to consume, and optionally the session timeout and where to start without commits. */
    record JoinRequest(List<String> topics, Long sessionTimeoutMs, String autoOffsetReset) {
    }

    /** Commit: next offsets to consume, under the member's generation. */
    record CommitRequest(String memberId, Integer generation, List<OffsetCommit> offsets) {
    }

    record OffsetCommit(String topic, Integer partition, Long offset) {
    }

    record PartitionRef(String topic, int partition) {

        static PartitionRef of(TopicPartition tp) {
            return new PartitionRef(tp.topic(), tp.partition());
        }

        static List<PartitionRef> of(List<TopicPartition> partitions) {
            return partitions.stream().map(PartitionRef::of).toList();
        }
    }

    /** Answer to join and heartbeat: the member's current generation and partitions. */
    record MembershipAnswer(String memberId, int generation, List<PartitionRef> assignments) {
    }

    record GroupList(List<GroupSummary> groups) {
    }

    record GroupSummary(String group, int generation, int members, String state) {
    }

    record GroupDescription(String group, int generation, String state, List<MemberDescription> members,
                            List<OffsetDescription> offsets) {
    }

    /** @param lastSeenMs epoch millis of the member's last heartbeat, poll or commit */
    record MemberDescription(String memberId, List<String> topics, List<PartitionRef> assignments,
                             long sessionTimeoutMs, long lastSeenMs) {
    }

    /** @param lag high watermark minus committed offset (never negative) */
    record OffsetDescription(String topic, int partition, long committedOffset, long logEndOffset, long lag) {
    }
}
