package io.tributary.client.consumer;

import java.util.Collection;

import io.tributary.client.TopicPartition;

/**
 * Hears about assignment changes. Both methods run on the thread that calls
 * {@link GroupConsumer#poll}, {@link GroupConsumer#commitSync} or {@link GroupConsumer#close}.
 *
 * <p>Changes are incremental: {@code onPartitionsRevoked} gets only the partitions this member
 * lost, {@code onPartitionsAssigned} only those it gained. When the member's session expired
 * and it rejoins, every previously owned partition is revoked and the whole new assignment is
 * assigned. By the time a rebalance is noticed the group has usually moved to a new
 * generation, so a commit from {@code onPartitionsRevoked} is expected to fail; the exception
 * is {@link GroupConsumer#close()}, where the member still owns its partitions.
 */
public interface RebalanceListener {

    /** A listener that does nothing. */
    RebalanceListener NONE = new RebalanceListener() {
    };

    default void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    }

    default void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    }
}
