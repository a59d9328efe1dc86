package io.tributary.ingest.replication;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tributary.ingest.kafka.ForwardedAppend;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.problem.ProblemException;
import io.tributary.ingest.replication.forward.AppendForwarder;
import io.tributary.ingest.security.NodeCredentials;
import io.tributary.ingest.topic.PartitionAssignment;
import io.tributary.ingest.topic.TopicRegistry;
import io.tributary.problem.ProblemType;
import jakarta.annotation.PreDestroy;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Conditional;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Partitions with one replica, written without a Raft entry per batch (docs/replication.md,
 * "Partitions with one replica"). A Raft group of one member buys no safety for its cost (a
 * client round trip, a Raft log write and flush, an apply): its only replica appends produced
 * batches to its partition log itself, as a single node does, and the batch is as durable as the
 * topic's flush policy makes it. The group stays, for what it still decides: who serves the
 * partition, its leader epoch, and its replicas when they change.
 *
 * <p>The switches are Raft entries of the partition ({@link ModeEntry}), so every replica and
 * every replay sees them at the same place among the batches: the leader of a group whose only
 * member it is, whose assignment names only it and which is not moving, proposes {@code DIRECT}
 * ({@link #maintain}); before a change of the group's members it stops appending directly and
 * proposes {@code REPLICATED} with its log end, then takes a snapshot, so a new member copies the
 * leader's log up to there instead of following entries that never held those batches
 * ({@link #readyToGrow}).
 *
 * <p>A produce reaches the partition's node one of two ways: a batch taken by that node is
 * appended at once; one taken by another node is forwarded over HTTP to the internal endpoint
 * {@code POST /internal/replication/topics/{t}/partitions/{p}/append} of the replica's node
 * ({@link ReplicaAppendController}), which appends it directly or, if the partition is not written
 * directly (yet), as a Raft entry. A batch that comes as a Raft entry while the partition is
 * written directly is refused, nothing written, with a retriable error.
 */
@Component
@Conditional(ReplicationEnabledCondition.class)
class DirectWrites {

    private static final Logger log = LoggerFactory.getLogger(DirectWrites.class);
    /** The shortest time between two snapshots of a replica written without Raft entries ({@link #snapshotIfDue}). */
    static final Duration SNAPSHOT_WITHOUT_ENTRIES_INTERVAL = Duration.ofSeconds(10);

    private final RaftNode node;
    private final PartitionGroups groups;
    private final ReplicationProperties settings;
    private final NodeCredentials credentials;
    private final FailedReplicas failed;
    private final InSyncReplicas inSync;
    private final PartitionViews views;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Forwards over the peers' replication listeners; null when the cluster does not write the Kafka way. */
    private final AppendForwarder forwarder;
    /** A part's forward to the replica's node, from sending it to its answer: the hop a produce adds. */
    private final Timer forwards;
    /**
     * Partitions written by their leader that this node holds no replica of (or no longer: a failed one): the
     * leader a produce is forwarded to, learnt when a Raft entry of this node was refused as written directly,
     * forgotten when a forward there fails or is refused.
     */
    private final Map<String, Integer> remoteLeaders = new ConcurrentHashMap<>();
    /**
     * Where a refused entry is routed again ({@link #afterSwitch}): it may ask other nodes who leads (a blocking
     * call), which must not hold the Raft client's thread that delivered the refusal.
     */
    private final ExecutorService rerouting = Executors.newVirtualThreadPerTaskExecutor();

    DirectWrites(RaftNode node, PartitionGroups groups, ReplicationProperties settings, NodeCredentials credentials,
                 FailedReplicas failed, InSyncReplicas inSync, PartitionViews views, MeterRegistry meters) {
        this.forwards = Timer.builder("ingest.replication.forward")
                .description("a produced batch forwarded to its partition's leader (or only replica) on another "
                        + "node: from sending it to the answer, which waits for the leader's acks")
                .publishPercentileHistogram().register(meters);
        this.views = views;
        this.failed = failed;
        this.inSync = inSync;
        this.node = node;
        this.groups = groups;
        this.settings = settings;
        this.credentials = credentials;
        this.forwarder = settings.fetchWrites() ? new AppendForwarder(groups.nodeId(), Duration.ofSeconds(2)) : null;
    }

    @PreDestroy
    void stop() {
        if (forwarder != null) {
            forwarder.close();
        }
    }

    /**
     * The answer ({@link ApplyReply} bytes) to one part ({@link KeyedBatch}) when its partition is
     * written directly: appended here when this node is its replica, forwarded to the replica's
     * node otherwise; null when the part must go as a Raft entry.
     */
    CompletableFuture<ByteBuffer> route(TopicRegistry.Topic topic, int partition, byte[] part) {
        PartitionAssignment a = topic.metadata().assignment(partition);
        boolean moving = a != null && a.moving();
        List<Integer> replicas = groups.replicas(topic, partition);
        if (moving && settings.fetchWrites() && fetchedHere(topic, partition)) {
            // A move starts by switching back to Raft entries (readyToGrow); until then the leader appends.
            CompletableFuture<ByteBuffer> fetched = fetchRoute(topic, partition, part, true);
            if (fetched != null) {
                return fetched;
            }
        }
        if (replicas.size() != 1 && !moving) {
            // The common case of a replicated partition: a Raft entry, unless it is written the Kafka way.
            if (!settings.fetchWrites()) {
                return null;
            }
            CompletableFuture<ByteBuffer> routed = fetchRoute(topic, partition, part, true);
            Integer leader = routed == null ? remoteLeaders.get(topic.name() + "-" + partition) : null;
            return leader == null ? routed : forwardRemote(leader, topic, partition, part);
        }
        try {
            // Also while moving: a group of one goes on writing directly until its leader stops it.
            byte[] here = appendHere(topic, partition, part);
            if (here != null) {
                return CompletableFuture.completedFuture(ByteBuffer.wrap(here));
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (!settings.directWrites() || moving || replicas.get(0) == groups.nodeId()) {
            return null;
        }
        return forward(replicas.get(0), topic, partition, part);
    }

    /**
     * {@link #route} after a Raft entry was refused as written directly: on a node without a replica of the
     * partition (none placed here, or its replica failed) the leader is asked of the replicas and remembered.
     */
    CompletableFuture<ByteBuffer> routeAfterRefusal(TopicRegistry.Topic topic, int partition, byte[] part) {
        CompletableFuture<ByteBuffer> routed = route(topic, partition, part);
        if (routed != null || node.division(PartitionGroups.groupId(topic, partition)) != null
                && !failed.hasFailed(topic.name(), partition)) {
            return routed;
        }
        int leader = views.view(topic, partition).leader();
        if (leader < 0 || leader == groups.nodeId()) {
            return null;
        }
        remoteLeaders.put(topic.name() + "-" + partition, leader);
        return forwardRemote(leader, topic, partition, part);
    }

    /** A forward to the leader this node holds no replica under; the leader is forgotten when it fails or refuses. */
    private CompletableFuture<ByteBuffer> forwardRemote(int leader, TopicRegistry.Topic topic, int partition,
                                                        byte[] part) {
        String tp = topic.name() + "-" + partition;
        CompletableFuture<ByteBuffer> sent = forward(leader, topic, partition, part);
        if (sent == null) {
            remoteLeaders.remove(tp, leader);
            return null;
        }
        return sent.whenComplete((reply, error) -> {
            if (error != null || ApplyReply.writtenDirectly(reply)) {
                remoteLeaders.remove(tp, leader);
            }
        });
    }

    /**
     * A part of a partition written by its leader and fetched by its followers (FETCH): appended here
     * when this node leads it, answered once the high watermark passed it (every in-sync replica holds
     * it: {@code acks=all}) and the in-sync set still has {@code min-insync-replicas}; forwarded to the leader
     * when this node follows and {@code forward}; after the election when the group has no ready leader; null
     * (a Raft entry, which the replicas refuse as written directly: a retriable answer) otherwise. In the first two
     * election timeouts of this node's lead, an in-sync set that refuses the write is waited on ({@link #settling}).
     */
    private CompletableFuture<ByteBuffer> fetchRoute(TopicRegistry.Topic topic, int partition, byte[] part,
                                                     boolean forward) {
        RaftServer.Division d = node.division(PartitionGroups.groupId(topic, partition));
        if (d == null || !(d.getStateMachine() instanceof PartitionStateMachine sm) || !sm.fetched()
                || failed.hasFailed(topic.name(), partition)) {
            return null; // a failed replica's member is closed: routed as on a node without a replica
        }
        if (electing(d)) {
            // No leader known, or this node was just elected and is not ready: wait for the election here. As a
            // Raft entry the batch would wait in the Raft client's retries and then be refused as written directly.
            long deadline = System.nanoTime() + settings.requestTimeout().toNanos();
            return until(() -> !electing(d), deadline).thenCompose(v -> {
                CompletableFuture<ByteBuffer> routed = electing(d) ? null : fetchRoute(topic, partition, part, forward);
                return routed != null ? routed : CompletableFuture.failedFuture(new ProblemException(
                        ProblemType.UNAVAILABLE, topic.name() + "-" + partition + ": no leader was ready within "
                        + settings.requestTimeout().toMillis() + " ms (an election, or the partition changed its write "
                        + "path); nothing was written"));
            });
        }
        if (!d.getInfo().isLeader()) {
            RaftPeerId leader = d.getInfo().getLeaderId();
            CompletableFuture<ByteBuffer> sent = forward && leader != null
                    ? forward(Integer.parseInt(leader.toString()), topic, partition, part) : null;
            if (sent == null) {
                return null;
            }
            // A leader that refuses the connection is down (nothing was sent), one whose log failed leaves the group
            // (nothing was written): wait until the group has another leader (this node's election timeout, then
            // the election) and route again, instead of a fast 503 that the client would retry into the same leader
            // until this node notices.
            long deadline = System.nanoTime() + settings.requestTimeout().toNanos();
            BooleanSupplier anotherLeader = () -> !electing(d) && !leader.equals(d.getInfo().getLeaderId());
            return sent.exceptionallyCompose(e -> !unreachable(e) && !(cause(e) instanceof LeaderStorageFailed)
                    ? CompletableFuture.failedFuture(e)
                    : until(anotherLeader, deadline).thenCompose(v -> {
                        CompletableFuture<ByteBuffer> again = anotherLeader.getAsBoolean()
                                ? fetchRoute(topic, partition, part, true) : null;
                        return again != null ? again : CompletableFuture.failedFuture(e);
                    }));
        }
        if (!d.getInfo().isLeaderReady()) {
            return null; // lost the lead since the check above: the Raft path finds the new leader
        }
        if (failed.hasFailed(topic.name(), partition)) {
            return CompletableFuture.failedFuture(new ProblemException(ProblemType.STORAGE_ERROR, "the leader of "
                    + topic.name() + "-" + partition + " failed to write to its log; it takes no writes until its "
                    + "node restarts"));
        }
        String tp = topic.name() + "-" + partition;
        List<Integer> replicas = groups.replicas(topic, partition);
        int factor = replicas.size();
        BooleanSupplier writable = () -> sm.inSync(groups.nodeId()) && inSync.shortOfReplicas(sm, factor) == null;
        if (!writable.getAsBoolean()) {
            Supplier<ProblemException> refusal = () -> !sm.inSync(groups.nodeId())
                    ? new ProblemException(ProblemType.UNAVAILABLE, "this node leads " + tp + " but is not in its "
                            + "in-sync set " + sm.inSyncReplicas() + " (it may lack acknowledged records); it hands "
                            + "the lead to an in-sync replica; nothing was written")
                    : new ProblemException(ProblemType.NOT_ENOUGH_REPLICAS, tp + ": "
                            + inSync.shortOfReplicas(sm, factor) + "; nothing was written");
            return settling(sm, writable, () -> fetchRoute(topic, partition, part, forward), refusal);
        }
        long term = d.getInfo().getCurrentTerm();
        byte[] reply;
        try {
            reply = sm.appendDirect(part, term);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(!failed.hasFailed(topic.name(), partition) ? e
                    : new ProblemException(ProblemType.STORAGE_ERROR, "the leader of " + tp + " failed to write to "
                            + "its log and leaves the partition's group; nothing was written; another replica leads "
                            + "within an election timeout"));
        }
        if (reply == null) {
            return null; // stopped for a switch back to Raft entries
        }
        inSync.appended(sm, term, replicas); // the high watermark, if no follower is in sync
        return committed(tp, sm.partitionLog(), reply).thenApply(v -> {
            // The high watermark also moves on a node that lost the lead meanwhile and follows the new
            // leader, whose log may not hold this batch (its follower then truncated it): only a high
            // watermark moved while this node still led in the batch's epoch acknowledges it.
            if (!d.getInfo().isLeader() || d.getInfo().getCurrentTerm() != term) {
                throw new CompletionException(new ProblemException(ProblemType.NOT_ENOUGH_REPLICAS, tp
                        + ": the lead moved while the batch waited for the in-sync replicas; it may or may not be "
                        + "committed (a retry with the same Idempotency-Key or by an idempotent producer is "
                        + "answered with its offsets if it was)"));
            }
            String shrank = inSync.shortOfReplicas(sm, factor);
            if (shrank != null) {
                throw new CompletionException(new ProblemException(ProblemType.NOT_ENOUGH_REPLICAS, tp
                        + ": written, but " + shrank + " by the time it was: it may be on fewer nodes (a retry "
                        + "with the same Idempotency-Key or by an idempotent producer is answered with its offsets)"));
            }
            return ByteBuffer.wrap(reply);
        });
    }

    /**
     * A write the in-sync set refuses, early in this node's lead: the set may be one its predecessor recorded
     * and that was committed only with this term's first entry (the predecessor's view, one round old), which
     * this leader corrects within a round ({@link InSyncReplicas#maintainNewTerm}). So for up to two election
     * timeouts from the lead's start the write waits until the set allows it ({@code writable}) and is routed
     * again; then, or at once later in the term, the refusal stands (nothing was written: retriable).
     */
    private CompletableFuture<ByteBuffer> settling(PartitionStateMachine sm, BooleanSupplier writable,
                                                   Supplier<CompletableFuture<ByteBuffer>> again,
                                                   Supplier<ProblemException> refusal) {
        Duration window = settings.electionTimeout().multipliedBy(2);
        if (!sm.leaderReadyLessThan(window)) {
            return CompletableFuture.failedFuture(refusal.get());
        }
        long deadline = System.nanoTime() + window.toNanos();
        return until(() -> writable.getAsBoolean() || !sm.leaderReadyLessThan(window), deadline)
                .thenCompose(v -> {
                    CompletableFuture<ByteBuffer> routed = writable.getAsBoolean() ? again.get() : null;
                    return routed != null ? routed : CompletableFuture.failedFuture(refusal.get());
                });
    }

    /** Whether the partition's group is between leaders as this node sees it: none known, or this node not ready. */
    private static boolean electing(RaftServer.Division d) {
        return d.getInfo().isLeader() ? !d.getInfo().isLeaderReady() : d.getInfo().getLeaderId() == null;
    }

    /**
     * The answer to a part ({@code sent}: routed, or a Raft entry), sent again when it was refused as written
     * directly (nothing was written): the partition switched while the entry was on its way, and this node may apply
     * the switch a moment after the leader's refusal, or it was switching back to Raft entries (a move's first step),
     * or a forward went to a node that no longer leads. Tried every 20 ms for up to two election timeouts: the
     * answer of {@code route} once it routes, a Raft entry again ({@code raftEntry}) once this node's replica went
     * from direct writes back to Raft entries; else the refusal stands (a retriable answer).
     */
    CompletableFuture<ByteBuffer> unlessRefused(CompletableFuture<ByteBuffer> sent, TopicRegistry.Topic topic,
                                                int partition, Supplier<CompletableFuture<ByteBuffer>> route,
                                                Supplier<CompletableFuture<ByteBuffer>> raftEntry) {
        return sent.thenCompose(reply -> !ApplyReply.writtenDirectly(reply) ? CompletableFuture.completedFuture(reply)
                : afterSwitch(topic, partition, route, raftEntry, false,
                        System.nanoTime() + settings.electionTimeout().multipliedBy(2).toNanos())
                        .thenApply(routed -> routed != null ? routed : reply));
    }

    private CompletableFuture<ByteBuffer> afterSwitch(TopicRegistry.Topic topic, int partition,
                                                      Supplier<CompletableFuture<ByteBuffer>> route,
                                                      Supplier<CompletableFuture<ByteBuffer>> raftEntry,
                                                      boolean sawDirect, long deadlineNanos) {
        return CompletableFuture.supplyAsync(route, rerouting).thenCompose(routed -> {
            if (routed != null) {
                return routed;
            }
            RaftServer.Division d = node.division(PartitionGroups.groupId(topic, partition));
            boolean direct = d != null && d.getStateMachine() instanceof PartitionStateMachine sm && sm.direct();
            if (sawDirect && !direct && d != null && !failed.hasFailed(topic.name(), partition)) {
                return raftEntry.get(); // switched back here since: the leader takes Raft entries again
            }
            if (System.nanoTime() - deadlineNanos >= 0) {
                return CompletableFuture.completedFuture(null);
            }
            return CompletableFuture.runAsync(() -> { },
                            CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS, rerouting))
                    .thenCompose(v -> afterSwitch(topic, partition, route, raftEntry, sawDirect || direct,
                            deadlineNanos));
        });
    }

    /** Whether a forward failed before the leader got anything: its connection refused or not made in time. */
    private static boolean unreachable(Throwable e) {
        Throwable cause = cause(e);
        return cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException;
    }

    private static Throwable cause(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    /** A forward's answer: the leader's log failed, nothing was written, and it leaves the partition's group. */
    static final class LeaderStorageFailed extends IOException {
        LeaderStorageFailed(String message) {
            super(message);
        }
    }

    /** Completes once {@code done} holds, or at the deadline (checked every 20 ms). */
    private static CompletableFuture<Void> until(BooleanSupplier done, long deadlineNanos) {
        if (done.getAsBoolean() || System.nanoTime() - deadlineNanos >= 0) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS))
                .thenCompose(v -> until(done, deadlineNanos));
    }

    /**
     * Completes once the high watermark has passed the batch an {@link ApplyReply} names (at once for
     * a refusal); fails with a retriable NOT_ENOUGH_REPLICAS after the request timeout.
     */
    private CompletableFuture<Void> committed(String what, PartitionLog log, byte[] reply) {
        long end = ApplyReply.endOffset(ByteBuffer.wrap(reply)); // a duplicate waits for its original
        if (end < 0) {
            return CompletableFuture.completedFuture(null);
        }
        long timeoutMs = settings.requestTimeout().toMillis();
        return log.awaitData(end - 1).orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(new ProblemException(
                        ProblemType.NOT_ENOUGH_REPLICAS, what + ": not on every in-sync replica within " + timeoutMs
                        + " ms; it may still be committed later (a retry with the same Idempotency-Key or by an "
                        + "idempotent producer is answered with its offsets)")));
    }

    /**
     * A part forwarded to this node by another ({@link ReplicaAppendController}): appended here when
     * this node leads a partition written by its leader (FETCH) or is the only replica of one written
     * directly; never forwarded again. Null when neither: the caller makes it a Raft entry.
     */
    CompletableFuture<ByteBuffer> appendForwarded(TopicRegistry.Topic topic, int partition, byte[] part) {
        if (settings.fetchWrites()) {
            CompletableFuture<ByteBuffer> fetched = fetchRoute(topic, partition, part, false);
            if (fetched != null) {
                return fetched;
            }
        }
        byte[] here = appendHere(topic, partition, part);
        return here == null ? null : CompletableFuture.completedFuture(ByteBuffer.wrap(here));
    }

    /**
     * Appends one part to this node's replica when the partition is written directly and this node
     * leads its group of one; its {@link ApplyReply}, or null when that is not so.
     *
     * @throws ProblemException STORAGE_ERROR once an append to this replica failed for a reason other
     *         than the batch (its log no longer takes writes; {@link FailedReplicas})
     */
    byte[] appendHere(TopicRegistry.Topic topic, int partition, byte[] part) {
        RaftServer.Division d = node.division(PartitionGroups.groupId(topic, partition));
        if (d == null || !(d.getStateMachine() instanceof PartitionStateMachine sm) || !sm.direct()
                || !alone(d.getRaftConf()) || !d.getInfo().isLeader() || !d.getInfo().isLeaderReady()) {
            return null;
        }
        if (failed.hasFailed(topic.name(), partition)) {
            throw new ProblemException(ProblemType.STORAGE_ERROR, "the only replica of " + topic.name() + "-"
                    + partition + " failed to write to its log; it takes no writes until its node restarts");
        }
        return sm.appendDirect(part, d.getInfo().getCurrentTerm());
    }

    /**
     * The part sent to the replica's node: over its replication listener when the cluster writes the Kafka way
     * (every node then has one), else posted to its internal HTTP endpoint. Its answer, or a failure the caller
     * answers with a retriable 503.
     */
    private CompletableFuture<ByteBuffer> forward(int replica, TopicRegistry.Topic topic, int partition, byte[] part) {
        ClusterPeers.Peer peer = groups.peers().find(replica).orElse(null);
        if (peer == null) {
            return null;
        }
        if (forwarder != null) {
            long sent = System.nanoTime();
            // Unresolved: the name is looked up only when a connection is opened, not for every forward.
            return forwarder.send(replica, peer.replicaAddress(), new ForwardedAppend(topic.name(), partition, part),
                            settings.requestTimeout().plusSeconds(1))
                    .thenApply(answer -> {
                        forwards.record(System.nanoTime() - sent, TimeUnit.NANOSECONDS);
                        if (answer.errorCode() != 0) {
                            throw new CompletionException(refusal(replica, topic.name() + "-" + partition,
                                    answer.data()));
                        }
                        return ByteBuffer.wrap(answer.data());
                    });
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(peer.httpBase() + "/internal/replication/topics/"
                        + URLEncoder.encode(topic.name(), StandardCharsets.UTF_8) + "/partitions/" + partition + "/append"))
                .header(HttpHeaders.AUTHORIZATION, credentials.authorization())
                .header(HttpHeaders.CONTENT_TYPE, "application/octet-stream")
                .timeout(settings.requestTimeout().plusSeconds(1))
                .POST(HttpRequest.BodyPublishers.ofByteArray(part)).build();
        long sent = System.nanoTime();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).thenApply(r -> {
            forwards.record(System.nanoTime() - sent, TimeUnit.NANOSECONDS);
            if (r.statusCode() != 200) {
                throw new CompletionException(refusal(replica, topic.name() + "-" + partition, r.statusCode(),
                        r.body()));
            }
            return ByteBuffer.wrap(r.body());
        });
    }

    /** {@link #refusal(int, String, int, byte[])} of a refusal over the replication listener: a problem document. */
    static Exception refusal(int replica, String tp, byte[] problem) {
        int status;
        try {
            status = JsonMapper.shared().readTree(problem).path("status").asInt(500);
        } catch (JacksonException notJson) {
            status = 500;
        }
        return refusal(replica, tp, status, problem);
    }

    /**
     * What a forward answered other than 200 (or a refusal with its problem's status) is failed with: a retriable
     * problem of the replica's (a 503 with a problem type, such as {@code not-enough-replicas}) is passed on with
     * its type and detail, so the client learns what the leader said; a storage failure of the replica is a
     * {@link LeaderStorageFailed}; anything else an IOException, which the produce answers as not committed
     * (retriable).
     */
    static Exception refusal(int replica, String tp, int status, byte[] answer) {
        String body = new String(answer, StandardCharsets.UTF_8);
        String prefix = "node " + replica + ", the replica of " + tp + " this node forwarded the batch to, answered ";
        ProblemType type = null;
        String detail = null;
        try {
            JsonNode problem = JsonMapper.shared().readTree(body);
            type = ProblemType.of(problem.path("type").asString("")).orElse(null);
            detail = problem.path("detail").asString(null);
        } catch (JacksonException notJson) {
            // not a problem document: passed on whole below
        }
        if (type == ProblemType.STORAGE_ERROR && status == type.status()) {
            return new LeaderStorageFailed(prefix + status + ": " + body);
        }
        if (type != null && detail != null && type.retriable() && type.status() == 503 && status == 503) {
            return new ProblemException(type, prefix + "\"" + detail + "\"");
        }
        return new IOException(prefix + status + ": " + body);
    }

    /**
     * Run by the driver of moves ({@link PartitionMoves}) for a partition this node leads that is
     * not moving: switches it to direct writes when this node is its only replica, and back when
     * it is written directly although it should not be (the group has other members, or direct
     * writes were turned off).
     */
    void maintain(TopicRegistry.Topic topic, int partition) {
        RaftServer.Division d = node.division(PartitionGroups.groupId(topic, partition));
        if (d == null || !(d.getStateMachine() instanceof PartitionStateMachine sm) || !d.getInfo().isLeaderReady()) {
            return;
        }
        List<Integer> replicas = groups.replicas(topic, partition);
        boolean direct = settings.directWrites() && alone(d.getRaftConf()) && replicas.equals(List.of(groups.nodeId()));
        boolean fetch = !direct && settings.fetchWrites() && !topic.metadata().internal() && replicas.size() > 1
                && stable(d.getRaftConf(), replicas);
        if (direct || fetch) {
            if (!sm.direct() || sm.fetched() != fetch || sm.sealing()) {
                long stop = sm.stops();
                propose(topic, partition, fetch ? ModeEntry.toFetch(stop) : ModeEntry.toDirect(stop)); // the apply logs it
            } else if (!sm.snapshotAfterSwitch()) {
                snapshot(topic, partition, "after the switch to " + (fetch ? "fetched" : "direct") + " writes");
            }
        } else if (sm.direct()) {
            seal(topic, partition, sm);
        }
    }

    /** A configuration not being changed whose members are exactly {@code replicas}. */
    private static boolean stable(RaftConfiguration conf, List<Integer> replicas) {
        if (!conf.getPreviousPeers().isEmpty() || conf.getCurrentPeers().size() != replicas.size()) {
            return false;
        }
        for (int id : replicas) {
            if (conf.getCurrentPeers().stream().noneMatch(p -> p.getId().equals(PartitionGroups.peerId(id)))) {
                return false;
            }
        }
        return true;
    }

    /** Whether this node's replica of the partition is written by its leader and fetched (FETCH) now. */
    private boolean fetchedHere(TopicRegistry.Topic topic, int partition) {
        RaftServer.Division d = node.division(PartitionGroups.groupId(topic, partition));
        return d != null && d.getStateMachine() instanceof PartitionStateMachine sm && sm.fetched();
    }

    /** Whether this node's replica of the partition is written directly now (DIRECT or FETCH). */
    boolean writtenDirectly(TopicRegistry.Topic topic, int partition) {
        RaftServer.Division d = node.division(PartitionGroups.groupId(topic, partition));
        return d != null && d.getStateMachine() instanceof PartitionStateMachine sm && sm.direct();
    }

    /**
     * Before the leader changes the members of a group written directly (a group of one, or one
     * whose followers fetch): the partition is written through Raft
     * entries again and a snapshot taken since covers its log end, so the new member copies the
     * leader's log (batches appended directly included) up to a point past the switch rather than
     * following entries. True when done.
     */
    boolean readyToGrow(TopicRegistry.Topic topic, int partition) {
        RaftServer.Division d = node.division(PartitionGroups.groupId(topic, partition));
        if (d == null || !(d.getStateMachine() instanceof PartitionStateMachine sm)) {
            return false;
        }
        if (!seal(topic, partition, sm)) {
            return false;
        }
        PartitionStateMachine.SnapshotPoint point = sm.snapshotPoint();
        return sm.snapshotAfterSwitch() && point != null && point.offset() >= sm.partitionLog().logEndOffset()
                || snapshot(topic, partition, "before adding a replica");
    }

    /**
     * Run by the driver of moves for every partition hosted here, led or followed: a replica written by its leader
     * and fetched, or directly, takes a snapshot when one is due ({@link PartitionStateMachine#snapshotWithoutEntriesDue}:
     * its key memory changed or a fetched replica's high watermark moved {@code snapshot-threshold} offsets, at most
     * every 10 s).
     *
     * <p>Ratis takes a snapshot only at an index past the latest one's, and on these paths no entry may come for
     * hours: when none was applied since, the leader first writes its mode again (an entry that changes nothing,
     * {@link ModeEntry}) for every replica to take the snapshot at; a follower waits for that entry.
     */
    void snapshotIfDue(TopicRegistry.Topic topic, int partition) {
        RaftServer.Division d = node.division(PartitionGroups.groupId(topic, partition));
        if (d == null || !(d.getStateMachine() instanceof PartitionStateMachine sm)
                || !sm.snapshotWithoutEntriesDue(settings.snapshotThreshold(), SNAPSHOT_WITHOUT_ENTRIES_INTERVAL)) {
            return;
        }
        if (!sm.entryAppliedSinceSnapshot()) {
            // On the thread that proposes every switch (PartitionMoves): no seal can come between the check and
            // the entry, and the entry is applied here before the call returns.
            if (!d.getInfo().isLeaderReady() || sm.sealing() || !propose(topic, partition,
                    sm.fetched() ? ModeEntry.toFetch(sm.stops()) : ModeEntry.toDirect(sm.stops()))) {
                return;
            }
        }
        snapshot(topic, partition, sm.fetched() ? "of fetched writes" : "of direct writes");
    }

    /** Has this node's replica take a snapshot now; true when done. */
    private boolean snapshot(TopicRegistry.Topic topic, int partition, String why) {
        String failure = node.snapshotHere(groups.partitionGroup(topic, partition));
        if (failure != null) {
            log.info("{}-{}: snapshot {} not taken yet: {}", topic.name(), partition, why, failure);
        }
        return failure == null;
    }

    /**
     * Stops direct appends and proposes REPLICATED with the log end they reached (also when the
     * partition is not written directly: a DIRECT still on its way is then overtaken). True once
     * applied here.
     */
    private boolean seal(TopicRegistry.Topic topic, int partition, PartitionStateMachine sm) {
        long end = sm.seal();
        if (sm.fetched() && end > sm.partitionLog().highWatermark()) {
            // Followers take the log end the entry names as theirs: first every in-sync one must hold it (one
            // out of the set copies what it lacks when it applies the entry, LaggingReplicaCatchUp).
            try {
                sm.partitionLog().awaitData(end - 1).get(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (Exception e) {
                log.info("{}-{}: not switched back to Raft entries yet: the in-sync followers do not hold offsets up "
                        + "to {} (high watermark {})", topic.name(), partition, end, sm.partitionLog().highWatermark());
                return false;
            }
        }
        return propose(topic, partition, ModeEntry.toReplicated(end)); // the apply logs the switch
    }

    /** Proposes a mode entry through this node's own server, which refuses it unless it leads the group. */
    private boolean propose(TopicRegistry.Topic topic, int partition, ModeEntry mode) {
        String failure = node.proposeAsLeader(PartitionGroups.groupId(topic, partition), mode.encode());
        if (failure != null) {
            log.info("{}-{}: mode entry {} not written: {}", topic.name(), partition, mode, failure);
        }
        return failure == null;
    }

    /** A configuration of one member, not being changed. */
    private static boolean alone(RaftConfiguration conf) {
        return conf.getPreviousPeers().isEmpty() && conf.getCurrentPeers().size() == 1;
    }
}
