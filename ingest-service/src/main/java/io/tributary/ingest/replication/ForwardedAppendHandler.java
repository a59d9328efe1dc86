package io.tributary.ingest.replication;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
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
    /** A forwarded batch here, from its arrival to its answer: the leader's share of a forward. */
    private final Timer appends;

    ForwardedAppendHandler(Proposals proposals, TopicRegistry topics, MeterRegistry meters) {
        this.proposals = proposals;
        this.topics = topics;
        this.appends = Timer.builder("ingest.replication.forwarded")
                .description("a produced batch another node forwarded here, from its arrival to the answer, which "
                        + "waits for the acks (the other end of ingest.replication.forward)")
                .publishPercentileHistogram().register(meters);
    }

    @Override
    public CompletableFuture<ByteBuffer> append(String topic, int partition, byte[] part) {
        TopicRegistry.Topic t = topics.checkPartition(topic, partition);
        if (part.length == 0) {
            throw new InvalidRequestException("no batch to append");
        }
        long arrived = System.nanoTime();
        return proposals.submitForwarded(t, partition, part)
                .whenComplete((reply, error) -> appends.record(System.nanoTime() - arrived, TimeUnit.NANOSECONDS));
    }
}
