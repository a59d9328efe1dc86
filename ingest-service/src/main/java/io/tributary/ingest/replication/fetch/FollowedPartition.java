package io.tributary.ingest.replication.fetch;

import java.io.IOException;
import java.util.Objects;
import java.util.function.Consumer;

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
 * @param beside      takes what the leader sent beside the batches of an answer, before they are
 *                    appended ({@link io.tributary.ingest.kafka.ReplicaSource.Replica#besideBatches})
 * @param storageFailed told when a change of {@code log} failed (its storage, not the leader's answer): the
 *                      replica steps aside and is no longer followed
 */
public record FollowedPartition(Uuid topicId, String topic, int partition, PartitionLog log, int leaderEpoch,
                                BesideBatches beside, Consumer<Throwable> storageFailed) {

    /** Takes the bytes a leader sent beside the batches this replica is about to append. */
    @FunctionalInterface
    public interface BesideBatches {
        BesideBatches NONE = bytes -> { };

        void received(byte[] bytes) throws IOException;
    }

    /** The same partition under the same epoch, whoever takes what comes beside its batches. */
    @Override
    public boolean equals(Object o) {
        return o instanceof FollowedPartition f && topicId.equals(f.topicId) && topic.equals(f.topic)
                && partition == f.partition && log == f.log && leaderEpoch == f.leaderEpoch;
    }

    @Override
    public int hashCode() {
        return Objects.hash(topicId, topic, partition, System.identityHashCode(log), leaderEpoch);
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + leaderEpoch;
    }
}
