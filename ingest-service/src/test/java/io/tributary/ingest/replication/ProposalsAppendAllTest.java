package io.tributary.ingest.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.tributary.ingest.log.AppendResult;
import io.tributary.ingest.log.PreparedBatch;
import io.tributary.ingest.problem.ProblemException;
import io.tributary.problem.ProblemType;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * The batches of one produce request on a cluster (Proposals.appendAll) against fake sends: all on
 * their way before any is waited for, every one waited for, the first failure in partition order.
 */
class ProposalsAppendAllTest {

    private final Proposals proposals = new Proposals(null, null, new Binder(new MapConfigurationPropertySource(
            Map.of("ingest.replication.request-timeout", "1s"))).bindOrCreate("ingest.replication",
            ReplicationProperties.class), null);

    private static PreparedBatch batch() {
        return new PreparedBatch(null, new long[1]);
    }

    private static ByteBuffer ok(long base) {
        return ByteBuffer.wrap(ApplyReply.ok(new AppendResult(base, new long[1], false)));
    }

    @Test
    void everyPartitionIsSentBeforeAnyIsWaitedFor() {
        List<Integer> sent = new ArrayList<>();
        List<CompletableFuture<ByteBuffer>> replies = new ArrayList<>();
        PreparedBatch[] batches = {batch(), null, batch(), batch()};

        // Partition 0's commit completes only once partition 3 has been sent: waiting for it before
        // sending the others would time out (503) instead.
        AppendResult[] results = proposals.appendAll("t", batches, p -> {
            sent.add(p);
            CompletableFuture<ByteBuffer> reply = new CompletableFuture<>();
            replies.add(reply);
            if (p == 3) {
                replies.forEach(r -> r.complete(ok(100 * replies.indexOf(r))));
            }
            return reply;
        });

        assertThat(sent).containsExactly(0, 2, 3);
        assertThat(results[0].baseOffset()).isEqualTo(0);
        assertThat(results[1]).as("no batch for partition 1").isNull();
        assertThat(results[2].baseOffset()).isEqualTo(100);
        assertThat(results[3].baseOffset()).isEqualTo(200);
    }

    @Test
    void theFirstFailureInPartitionOrderIsAnsweredOnceEveryBatchHasEnded() {
        List<CompletableFuture<ByteBuffer>> replies = new ArrayList<>();
        PreparedBatch[] batches = {batch(), batch(), batch()};

        assertThatThrownBy(() -> proposals.appendAll("t", batches, p -> {
            CompletableFuture<ByteBuffer> reply = new CompletableFuture<>();
            replies.add(reply);
            switch (p) {
                // partition 2 fails first in time, partition 1 later: partition 1's failure is answered
                case 0 -> reply.complete(ok(7));
                case 1 -> CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS)
                        .execute(() -> reply.completeExceptionally(new IllegalStateException("window closed")));
                default -> reply.completeExceptionally(new TimeoutException());
            }
            return reply;
        }))
                .isInstanceOfSatisfying(ProblemException.class, e -> {
                    assertThat(e.type()).isEqualTo(ProblemType.NOT_ENOUGH_REPLICAS);
                    assertThat(e.getMessage()).contains("t-1").contains("IllegalStateException");
                });
        assertThat(replies).hasSize(3).allMatch(CompletableFuture::isDone);
    }
}
