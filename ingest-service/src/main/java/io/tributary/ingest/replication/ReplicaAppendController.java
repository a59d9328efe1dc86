package io.tributary.ingest.replication;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

import io.tributary.problem.ProblemType;
import io.tributary.support.problem.ProblemResponses;
import org.springframework.context.annotation.Conditional;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Node-to-node endpoint of {@link DirectWrites}: another node forwards a produced batch to the node
 * that leads its partition (or holds its only replica) when the cluster does not write the Kafka way
 * (else it goes over the replication listener, {@link io.tributary.ingest.kafka.ForwardedAppend}).
 * Not part of the public API; only on a cluster, peer nodes only (like every {@code /internal/**} endpoint).
 *
 * <p>{@code POST .../append}, body {@code application/octet-stream}: one part of a partition
 * entry ({@link KeyedBatch}: the encoded record batch, framed with its {@code Idempotency-Key}
 * when the request had one). Answer 200 {@code application/octet-stream}: the batch's
 * {@link ApplyReply} (its offsets, or the producer-state or record verdict that refused it);
 * a problem (503) when it could not be written in time.
 */
@ProblemResponses({ProblemType.UNAUTHORIZED, ProblemType.FORBIDDEN, ProblemType.UNKNOWN_TOPIC,
        ProblemType.INVALID_REQUEST, ProblemType.NOT_ENOUGH_REPLICAS, ProblemType.STORAGE_ERROR})
@RestController
@Conditional(ReplicationEnabledCondition.class)
@RequestMapping("/internal/replication/topics/{topic}/partitions/{partition}")
class ReplicaAppendController {

    private final ForwardedAppendHandler appends;

    ReplicaAppendController(ForwardedAppendHandler appends) {
        this.appends = appends;
    }

    @PostMapping(value = "/append", consumes = MediaType.APPLICATION_OCTET_STREAM_VALUE,
            produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    CompletableFuture<byte[]> append(@PathVariable String topic, @PathVariable int partition, @RequestBody byte[] part) {
        return appends.append(topic, partition, part).thenApply(ReplicaAppendController::bytes);
    }

    private static byte[] bytes(ByteBuffer reply) {
        ByteBuffer b = reply.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
