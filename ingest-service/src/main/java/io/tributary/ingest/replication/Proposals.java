package io.tributary.ingest.replication;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import java.util.function.Supplier;

import io.tributary.ingest.log.AppendResult;
import io.tributary.ingest.log.PreparedBatch;
import io.tributary.ingest.problem.ProblemException;
import io.tributary.ingest.produce.IdempotencyKey;
import io.tributary.problem.ProblemType;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.topic.TopicRegistry;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Conditional;
import org.springframework.stereotype.Component;

/**
 * The propose path: a batch becomes a Raft entry of its partition's group and is answered once
 * a majority committed it and it was applied. Any node accepts a produce: the Ratis client of
 * the partition's group sends it to the group's leader (following not-leader redirects and
 * retrying after a leader dies) and answers with the offsets the apply assigned. Also the read
 * barrier behind read-your-writes, and the one way metadata commands are sent ({@link #send}).
 */
@Component
@Conditional(ReplicationEnabledCondition.class)
public class Proposals {

    private static final Logger log = LoggerFactory.getLogger(Proposals.class);

    private final RaftNode node;
    private final PartitionGroups groups;
    private final ReplicationProperties settings;
    private final DirectWrites directWrites;

    public Proposals(RaftNode node, PartitionGroups groups, ReplicationProperties settings, DirectWrites directWrites) {
        this.node = node;
        this.directWrites = directWrites;
        this.groups = groups;
        this.settings = settings;
    }

    /**
     * The read barrier behind read-your-writes: a linearizable read-only request to this node's own
     * replica of the partition, which Ratis answers (through {@link PartitionStateMachine#query})
     * only once the replica has applied the leader's commit index of that moment.
     *
     * @throws ProblemException 503 not-enough-replicas (retriable) when that cannot be confirmed in time
     */
    public void awaitCommitted(TopicRegistry.Topic topic, int partition) {
        PartitionLog fetched = fetchedFollower(topic, partition);
        if (fetched != null) {
            awaitLeadersHighWatermark(topic, partition, fetched);
            return;
        }
        try {
            RaftClientReply reply = node.client(topic, partition).io()
                    .sendReadOnly(Message.EMPTY, PartitionGroups.peerId(groups.nodeId()));
            if (!reply.isSuccess()) {
                throw notEnoughReplicas("cannot confirm that this node's replica of " + topic.name() + "-" + partition
                        + " is as new as its leader: " + reply.getException());
            }
        } catch (IOException e) {
            throw notEnoughReplicas("cannot confirm that this node's replica of " + topic.name() + "-" + partition
                    + " is as new as its leader (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * {@link #awaitCommitted} without blocking and without the retries: completes once this replica
     * has applied the leader's commit index of the moment, exceptionally when that cannot be
     * confirmed. For describe, which waits for all its partitions at once and only for a moment.
     */
    public CompletableFuture<Void> catchUp(TopicRegistry.Topic topic, int partition) {
        PartitionLog fetched = fetchedFollower(topic, partition);
        if (fetched != null) {
            return leadersHighWatermark(topic, partition, fetched);
        }
        return node.client(topic, partition).async()
                .sendReadOnlyUnordered(Message.EMPTY, PartitionGroups.peerId(groups.nodeId()))
                .thenAccept(reply -> {
                    if (!reply.isSuccess()) {
                        throw new CompletionException(reply.getException());
                    }
                });
    }

    /**
     * This node's replica of a partition written by its leader and fetched (FETCH) that this node
     * follows; null when it leads it or the partition is written otherwise. Its log holds what the
     * fetcher copied, which Raft's read barrier knows nothing of.
     */
    private PartitionLog fetchedFollower(TopicRegistry.Topic topic, int partition) {
        RaftServer.Division d = node.division(PartitionGroups.groupId(topic, partition));
        if (d == null || !(d.getStateMachine() instanceof PartitionStateMachine sm) || !sm.fetched()
                || d.getInfo().isLeader()) {
            return null;
        }
        return sm.partitionLog();
    }

    /**
     * {@link #leadersHighWatermark}, blocking and tried again until the request timeout: a leader
     * just elected (or not yet known to this node's client) refuses the read-only request at first.
     */
    private void awaitLeadersHighWatermark(TopicRegistry.Topic topic, int partition, PartitionLog log) {
        long timeoutMs = settings.requestTimeout().toMillis();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        Throwable last = null;
        while (true) {
            try {
                leadersHighWatermark(topic, partition, log).get(Math.max(1, deadline - System.nanoTime()),
                        TimeUnit.NANOSECONDS);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                last = e;
                break;
            } catch (ExecutionException e) {
                last = e.getCause();
            } catch (TimeoutException e) {
                last = e;
            }
            if (System.nanoTime() - deadline >= 0) {
                break;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw notEnoughReplicas("cannot confirm that this node's replica of " + topic.name() + "-" + partition
                + " is as new as its leader within " + timeoutMs + " ms (" + last + ")");
    }

    /**
     * The read barrier of a fetched follower: asks the leader for its high watermark (a read-only
     * request answered by the leader's state machine, {@link PartitionStateMachine#query}) and
     * completes once this replica's high watermark has reached it.
     */
    private CompletableFuture<Void> leadersHighWatermark(TopicRegistry.Topic topic, int partition, PartitionLog log) {
        RaftServer.Division d = node.division(PartitionGroups.groupId(topic, partition));
        RaftPeerId leader = d == null ? null : d.getInfo().getLeaderId();
        if (leader == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no leader known"));
        }
        // To the leader this node knows, by id: the client's own idea of the leader may be older. Unordered:
        // an ordered request's window to that server closes for good after a failed request (a nemesis run:
        // every later read barrier of the node failed at once, and a group consumer reading through it stalled);
        // each of these asks is independent, so nothing needs their order.
        return node.client(topic, partition).async().sendReadOnlyUnordered(Message.EMPTY, leader).thenCompose(reply -> {
            if (!reply.isSuccess()) {
                throw new CompletionException(reply.getException());
            }
            ByteBuffer answer = reply.getMessage().getContent().asReadOnlyByteBuffer();
            long leaders = answer.getLong();
            if (!answer.hasRemaining() || answer.get() != 1) {
                // Served by a replica that does not lead (any more): its high watermark proves nothing.
                throw new CompletionException(new IllegalStateException("node " + leader + " does not lead"));
            }
            return leaders <= 0 ? CompletableFuture.<Void>completedFuture(null) : log.awaitData(leaders - 1);
        });
    }


    /**
     * Appends a prepared batch through the partition's Raft group and waits until a majority
     * committed it and the local Ratis client got the apply's answer.
     *
     * @throws ProblemException 503 (retriable) when no majority committed it in time; the batch
     *         may still be committed later, so a retry should carry a producer id to be deduplicated
     */
    public AppendResult append(TopicRegistry.Topic topic, int partition, PreparedBatch prepared) {
        return append(topic, partition, prepared, null);
    }

    /**
     * {@link #append} of a batch sent with an {@code Idempotency-Key} (null: none), which goes into
     * the entry with it ({@link KeyedBatch}); a replica that already holds the key answers the
     * original offsets instead of appending.
     *
     * @throws ProblemException 422 idempotency-key-reused when the partition holds the key for another body
     */
    public AppendResult append(TopicRegistry.Topic topic, int partition, PreparedBatch prepared,
                               IdempotencyKey key) {
        return ApplyReply.decode(await(submit(topic, partition, prepared, key), topic.name() + "-" + partition),
                prepared.timestamps());
    }

    /**
     * {@link #append} without waiting: the batch is queued for its partition's next entry before this
     * returns (so batches handed over one after the other are appended in that order), and the
     * future completes with its offsets, or exceptionally with the {@link ProblemException} that
     * {@link #append} would throw. For the Kafka listener, which keeps several produce requests of a
     * connection in flight so that their batches can share an entry.
     */
    public CompletableFuture<AppendResult> appendAsync(TopicRegistry.Topic topic, int partition,
                                                       PreparedBatch prepared) {
        return submit(topic, partition, prepared, null)
                .orTimeout(settings.requestTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS)
                .handle((reply, error) -> {
                    if (error != null) {
                        throw failed(topic.name() + "-" + partition, error instanceof CompletionException
                                && error.getCause() != null ? error.getCause() : error);
                    }
                    return ApplyReply.decode(reply, prepared.timestamps());
                });
    }

    /**
     * The batches of one request, {@code prepared[p]} to partition {@code p} (null: none), all on
     * their way before any is waited for, so that a request over three partitions waits for one
     * commit round trip rather than three in a row. Every batch is waited for (each times out by
     * itself); then the first failure in partition order is thrown, else the results by partition.
     */
    public AppendResult[] appendAll(TopicRegistry.Topic topic, PreparedBatch[] prepared, IdempotencyKey key) {
        return appendAll(topic.name(), prepared, p -> submit(topic, p, prepared[p], key));
    }

    /** {@link #appendAll} with the sending of partition {@code p}'s batch given (tests send to fakes). */
    AppendResult[] appendAll(String topic, PreparedBatch[] prepared, IntFunction<CompletableFuture<ByteBuffer>> submit) {
        List<CompletableFuture<ByteBuffer>> replies = new ArrayList<>(prepared.length);
        for (int p = 0; p < prepared.length; p++) {
            replies.add(prepared[p] == null ? null : submit.apply(p));
        }
        AppendResult[] results = new AppendResult[prepared.length];
        RuntimeException first = null;
        for (int p = 0; p < prepared.length; p++) {
            if (replies.get(p) == null) {
                continue;
            }
            try {
                results[p] = ApplyReply.decode(await(replies.get(p), topic + "-" + p), prepared[p].timestamps());
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
        return results;
    }

    private CompletableFuture<ByteBuffer> submit(TopicRegistry.Topic topic, int partition, PreparedBatch prepared,
                                                 IdempotencyKey key) {
        byte[] bytes = prepared.batch().copyBytes();
        byte[] part = key == null ? bytes : KeyedBatch.encode(key, bytes);
        CompletableFuture<ByteBuffer> direct = directWrites.route(topic, partition, part);
        return directWrites.unlessRefused(direct != null ? direct : node.groupCommit(topic, partition).submit(part),
                topic, partition, () -> directWrites.routeAfterRefusal(topic, partition, part),
                () -> node.groupCommit(topic, partition).submit(part));
    }

    /**
     * One part ({@link KeyedBatch}) forwarded by another node to this one, its partition's replica
     * ({@link DirectWrites}): appended directly, or as a Raft entry when the partition is not
     * written directly here; never forwarded again. Completes with its {@link ApplyReply} bytes.
     */
    CompletableFuture<ByteBuffer> submitForwarded(TopicRegistry.Topic topic, int partition, byte[] part) {
        CompletableFuture<ByteBuffer> direct = directWrites.appendForwarded(topic, partition, part);
        return direct != null ? direct
                : directWrites.unlessRefused(node.groupCommit(topic, partition).submit(part), topic, partition,
                                () -> directWrites.appendForwarded(topic, partition, part),
                                () -> node.groupCommit(topic, partition).submit(part))
                        .orTimeout(settings.requestTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS)
                        .handle((reply, error) -> {
                            if (error != null) {
                                throw failed(topic.name() + "-" + partition, error instanceof CompletionException
                                        && error.getCause() != null ? error.getCause() : error);
                            }
                            return reply;
                        });
    }

    private ProblemException notCommittedInTime(String what) {
        return notEnoughReplicas(what + ": not committed by a majority of replicas within "
                + settings.requestTimeout().toMillis() + " ms; it may still be committed later");
    }

    /**
     * Appends a prepared batch only if this node leads the partition's group: the request goes
     * straight to the local Raft server, which refuses it when it is not the (ready) leader
     * instead of redirecting it. Group coordinators write this way, so a node that lost the
     * leadership of a group's offsets partition can no longer write for that group.
     *
     * @throws ProblemException COORDINATOR_NOT_AVAILABLE (retriable) when this node does not lead
     *         the group; NOT_ENOUGH_REPLICAS (retriable) when no majority committed it in time
     */
    public AppendResult appendAsLeader(TopicRegistry.Topic topic, int partition, PreparedBatch prepared) {
        String what = topic.name() + "-" + partition;
        long timeoutMs = settings.requestTimeout().toMillis();
        byte[] bytes = prepared.batch().copyBytes();
        // Leading a partition written directly is leading its group of one: appended here.
        byte[] direct = directWrites.appendHere(topic, partition, bytes);
        if (direct != null) {
            return ApplyReply.decode(ByteBuffer.wrap(direct), prepared.timestamps());
        }
        RaftClientReply reply;
        try {
            reply = node.submitAsLeader(PartitionGroups.groupId(topic, partition), bytes, timeoutMs)
                    .get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            throw notLeader(what, e);
        } catch (TimeoutException e) {
            throw notEnoughReplicas(what + ": not committed by a majority of replicas within " + timeoutMs
                    + " ms; it may still be committed later");
        } catch (ExecutionException e) {
            throw notLeader(what, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw notEnoughReplicas(what + ": interrupted while waiting for commit");
        }
        if (!reply.isSuccess()) {
            throw notLeader(what, reply.getException());
        }
        return ApplyReply.decode(reply.getMessage().getContent().asReadOnlyByteBuffer(), prepared.timestamps());
    }

    /**
     * Sends an entry with a client ({@link RaftNode#send}, which replaces a client whose request
     * window closed) and waits, up to the request timeout, for its commit and apply.
     *
     * @throws ProblemException 503 not-enough-replicas (retriable) when no majority committed it in time
     */
    RaftClientReply send(Supplier<RaftClient> clients, byte[] bytes, String what) {
        return await(node.send(clients, bytes).orTimeout(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS),
                what);
    }

    /**
     * Waits for a write's answer, which times out by itself after the request timeout (the margin
     * here only guards against a lost callback); any failure is a retriable 503, since the entry
     * may still be committed later.
     */
    private <T> T await(CompletableFuture<T> answer, String what) {
        try {
            return answer.get(settings.requestTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw notCommittedInTime(what);
        } catch (ExecutionException e) {
            throw failed(what, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw notEnoughReplicas(what + ": interrupted while waiting for commit");
        }
    }

    /** What a write whose answer failed is answered with: a retriable 503, since it may still be committed (or the problem decided before anything was sent). */
    private ProblemException failed(String what, Throwable cause) {
        if (cause instanceof ProblemException problem) {
            return problem; // decided before any entry was sent (a partition written directly whose replica failed)
        }
        if (cause instanceof TimeoutException) {
            return notCommittedInTime(what);
        }
        log.debug("{} not committed", what, cause);
        return notEnoughReplicas(what + ": not committed by a majority of replicas ("
                + cause.getClass().getSimpleName() + "); it may still be committed later");
    }

    private static ProblemException notEnoughReplicas(String detail) {
        return new ProblemException(ProblemType.NOT_ENOUGH_REPLICAS, detail);
    }

    private static ProblemException notLeader(String what, Throwable cause) {
        return new ProblemException(ProblemType.COORDINATOR_NOT_AVAILABLE, "node is no longer the leader of " + what
                + " (" + (cause == null ? "unknown" : cause.getClass().getSimpleName()) + "); retry");
    }
}
