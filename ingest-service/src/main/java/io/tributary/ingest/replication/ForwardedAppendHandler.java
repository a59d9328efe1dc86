package io.tributary.ingest.replication;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

import io.tributary.ingest.kafka.ForwardedAppends;
import io.tributary.ingest.problem.InvalidRequestException;
import io.tributary.ingest.topic.TopicRegistry;
import org.springframework.context.annotation.Conditional;
import org.springframework.stereotype.Component;

/**
 * A produced batch another node forwarded to this one (it leads the partition, or holds its only replica),
 * over this node's replication listener or its internal HTTP endpoint ({@link ReplicaAppendController}):
 * appended directly, or as a Raft entry when the partition is not written directly (yet).
 */
@Component
@Conditional(ReplicationEnabledCondition.class)
class ForwardedAppendHandler implements ForwardedAppends {

    private final Proposals proposals;
    private final TopicRegistry topics;

    ForwardedAppendHandler(Proposals proposals, TopicRegistry topics) {
        this.proposals = proposals;
        this.topics = topics;
    }

    @Override
    public CompletableFuture<ByteBuffer> append(String topic, int partition, byte[] part) {
        TopicRegistry.Topic t = topics.checkPartition(topic, partition);
        if (part.length == 0) {
            throw new InvalidRequestException("no batch to append");
        }
        return proposals.submitForwarded(t, partition, part);
    }
}
