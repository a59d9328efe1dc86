package io.tributary.ingest.replication.fetch;

import io.tributary.ingest.log.PartitionLog;
import org.apache.kafka.common.Uuid;

/**
 * A partition this node follows, as its fetcher asks for it.
 *
 * @param topicId     the topic's id (what the replication listener finds it by)
 * @param topic       the topic's name, for logs
 * @param partition   the partition's index
 * @param log         this node's replica
 * @param leaderEpoch the epoch of the leader this node follows; the leader refuses a fetch made
 *                    under another one
 */
public record FollowedPartition(Uuid topicId, String topic, int partition, PartitionLog log, int leaderEpoch) {

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + leaderEpoch;
    }
}
