package io.tributary.ingest.group;

import java.util.List;

import io.tributary.ingest.topic.TopicPartition;

/** A member of a consumer group as the coordinator sees it; guarded by its group's lock. */
final class GroupMember {
    final String id;
    final List<String> topics;
    final long sessionTimeoutMs;
    final OffsetReset reset;
    long lastSeenMs;
    int pollsInFlight;
    List<TopicPartition> assignment = List.of();
    final MemberPositions positions;

    GroupMember(String id, List<String> topics, long sessionTimeoutMs, OffsetReset reset, long now,
                int maxUnacknowledgedPolls) {
        this.positions = new MemberPositions(maxUnacknowledgedPolls);
        this.id = id;
        this.topics = topics;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.reset = reset;
        this.lastSeenMs = now;
    }
}
