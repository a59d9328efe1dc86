package io.tributary.ingest.replication;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.ingest.topic.TopicRegistry;
import jakarta.annotation.PreDestroy;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Conditional;
import org.springframework.stereotype.Component;

/**
 * This node's Ratis endpoints: one {@link RaftServer} (one Raft port) hosting the groups that
 * {@link PartitionGroups} places here, and the Ratis clients this node sends requests with, one
 * per group and created on first use. Built and started when the bean is created, after
 * {@link PartitionGroups} registered the partitions on disk. On close, the clients first, then the
 * server; the beans that hold clients of their own ({@code PartitionViews}) depend on this one, so
 * Spring closes them before.
 */
@Component
@Conditional(ReplicationEnabledCondition.class)
class RaftNode implements PartitionGroups.Membership {

    private static final Logger log = LoggerFactory.getLogger(RaftNode.class);
    /** How long stopping waits for the Raft server to close. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    private final PartitionGroups groups;
    private final ReplicationProperties settings;
    private final RaftServer server;
    private final RaftProperties clientProperties;
    private final Map<RaftGroupId, RaftClient> clients = new ConcurrentHashMap<>();
    private final Map<RaftGroupId, GroupCommit> commits = new ConcurrentHashMap<>();
    /** Replaced when its request window closes (see {@link #replaceIfClosed}). */
    private volatile RaftClient metadataClient;
    private final ExecutorService groupAdmin = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("raft-group-admin").daemon().factory());
    /** Completes group-commit entries (GroupCommit): off the Ratis threads, which may hold client locks. */
    private final ExecutorService commitCompletions = Executors.newFixedThreadPool(2,
            Thread.ofPlatform().name("raft-group-commit").daemon().factory());
    private final DistributionSummary entryBatches;
    private final ClientId adminClientId = ClientId.randomId();
    private final AtomicLong adminCallId = new AtomicLong();
    /** Running while a fresh data folder waits for the peers' word (StorageGuard); else null. */
    private volatile StorageCheck storageCheck;
    private final StorageGuard guard;
    /** The state machine last made for each group, which knows its member ({@link #leftoverMember}). */
    private final Map<RaftGroupId, MemberStateMachine> machines = new ConcurrentHashMap<>();
    private final GroupJoins joins;
    /** Groups asked to join before StorageGuard let this node in, in order; guarded by itself. */
    private final List<RaftGroup> deferredJoins = new java.util.ArrayList<>();

    RaftNode(PartitionGroups groups, ReplicationProperties settings, TopicRegistry topics, MeterRegistry meters,
             NodeStorage storage, StorageGuard guard) throws IOException {
        this.entryBatches = DistributionSummary.builder("ingest.replication.entry.batches")
                .description("record batches per Raft entry sent by this node (group commit)").register(meters);
        this.groups = groups;
        this.settings = settings;
        this.guard = guard;
        this.joins = new GroupJoins(new GroupJoins.Server() {
            @Override
            public CompletableFuture<?> add(RaftGroup group) {
                return addToServer(group);
            }

            @Override
            public Closeable leftover(RaftGroupId gid) {
                return leftoverMember(gid);
            }
        }, groups::placedHere, groups::describe, groupAdmin, GroupJoins.FIRST_PAUSE);
        ClusterPeers.Peer self = groups.self();
        RaftProperties rp = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(rp, List.of(topics.dataDir().resolve("raft").toFile()));
        GrpcConfigKeys.Server.setPort(rp, self.raftPort());
        GrpcConfigKeys.Server.setHost(rp, settings.raftBindHost().isBlank() ? self.host() : settings.raftBindHost());
        long electionMs = settings.electionTimeout().toMillis();
        // A Ratis follower sleeps a random time in [min, max] and, on waking, stands for election only
        // if it heard nothing for at least that long; so the loss of a leader is noticed after the rest
        // of the sleep under way plus one whole sleep: between min and 2 × max later, not min and max.
        // The followers' sleeps are not in step, which already spreads their candidacies apart, so max
        // is 1.25 × min rather than Ratis's usual 2 ×: measured median failover 1.6-1.7 s instead of
        // 1.9-2.1 s (bench/README.md), and min, which decides how long a silence counts as a lost
        // leader, unchanged.
        RaftServerConfigKeys.Rpc.setTimeoutMin(rp, TimeDuration.valueOf(electionMs, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(rp, TimeDuration.valueOf(electionMs + electionMs / 4,
                TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setRequestTimeout(rp, TimeDuration.valueOf(Math.max(3000, 3 * electionMs),
                TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(rp, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(rp, settings.snapshotThreshold());
        RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(rp, settings.snapshotOnStop());
        // A snapshot here is a pointer into the local partition log, not a copy of the data, so
        // Ratis must never ship it to a follower; it purges only what every peer has committed.
        RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(rp, false);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(rp, false);
        RaftServerConfigKeys.Log.setSegmentSizeMax(rp, SizeInBytes.valueOf(settings.raftSegmentSize().toBytes()));
        // Ratis caches every entry of a Raft log in the heap until the segment holding it is closed and
        // evicted; bounded per partition here, since a node hosts many (each entry is in the partition
        // log as well, which serves every fetch).
        RaftServerConfigKeys.Log.setSegmentCacheNumMax(rp, 1);
        RaftServerConfigKeys.Log.setSegmentCacheSizeMax(rp, SizeInBytes.valueOf(settings.raftLogCacheSize().toBytes()));
        RaftServerConfigKeys.Log.setPurgeGap(rp, settings.purgeGap());
        // Read-only requests (the read barrier of Proposals.awaitCommitted) use the Raft read index:
        // a follower asks the leader for its commit index and waits to have applied it. No leader
        // lease: without one the leader confirms its leadership with a heartbeat round, and those
        // heartbeats carry the commit index to the followers at once; with a lease the waiting
        // follower would learn it only at the next periodic heartbeat (measured: follower reads
        // about twice as slow).
        RaftServerConfigKeys.Read.setOption(rp, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Read.setLeaderLeaseEnabled(rp, false);
        // A replica added by a reassignment catches up before the configuration change commits.
        RaftServerConfigKeys.setStagingTimeout(rp, TimeDuration.valueOf(settings.moveTimeout().toMillis(),
                TimeUnit.MILLISECONDS));
        // No commit-index entries (raft.server.log.log-metadata.enabled, on by default in Ratis):
        // one per commit doubles the entries every replica writes, fsyncs and replicates. The
        // leader's appenders tell the followers each new commit index at once instead
        // (CommitPushRpcType), so a follower applies, and can serve, an entry as soon as it is
        // committed.
        RaftServerConfigKeys.Log.setLogMetadataEnabled(rp, false);
        RaftConfigKeys.Rpc.setType(rp, new CommitPushRpcType());
        settings.ratis().forEach(rp::set);
        // A fresh data folder joins no group before StorageGuard let it in; until then the server
        // refuses to create any (a peer's group-management call included).
        // (A cluster of one has nobody to ask, and its folder is the only copy of its data anyway.)
        List<ClusterPeers.Peer> others = groups.members().current().peers().stream()
                .filter(p -> p.id() != self.id()).toList();
        boolean guarded = storage.fresh() && !settings.allowWipedRejoin() && !others.isEmpty();
        RaftServer.Builder builder = RaftServer.newBuilder()
                .setServerId(PartitionGroups.peerId(self.id()))
                .setProperties(rp)
                .setOption(RaftStorage.StartupOption.RECOVER)
                .setStateMachineRegistry(gid -> {
                    if (!guard.hasPassed()) {
                        throw new IllegalStateException("node " + self.id() + " may not join Raft group " + gid
                                + ": its empty data folder is not (yet) accepted by the cluster (see /actuator/health)");
                    }
                    StateMachine machine = groups.stateMachineFor(gid);
                    if (machine instanceof MemberStateMachine m) {
                        machines.put(gid, m);
                    }
                    return machine;
                });
        // Before the server is built: building it opens the groups already on disk.
        if (guarded) {
            guard.checking("asking " + others.stream().map(p -> "node " + p.id()).toList()
                    + " whether they know this node with another storage");
        } else {
            storage.persist();
            guard.admit("data folder known");
            guard.joined();
        }
        boolean founder = groups.members().founder();
        if (founder && !guarded) {
            builder.setGroup(groups.metadataGroup());
        }
        // A node added later starts with the groups on its disk only (none at its first start): the
        // node that adds it creates its member of the metadata group (ClusterNodes).
        this.server = builder.build();
        groups.attach(this);
        this.clientProperties = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(clientProperties, TimeDuration.valueOf(Math.max(3000,
                3 * electionMs), TimeUnit.MILLISECONDS));
        server.start();
        for (RaftGroupId stray : groups.strays()) {
            groupAdmin.execute(() -> removeGroup(stray));
        }
        if (guarded) {
            storageCheck = new StorageCheck(self.id(), storage.id(), others, this::clientOf, guard, () -> {
                storage.persist();
                joinAfterStorageCheck(founder);
            }, this::closeRefused);
            Thread checker = new Thread(storageCheck, "raft-storage-check");
            checker.setDaemon(true);
            checker.start();
        }
        this.metadataClient = newClient(groups.metadataGroup(), retryUntilTimeout());
        log.info("node {} started Raft on port {} with peers {}{}", self.id(), self.raftPort(), groups.peers().peers(),
                guarded ? "; its data folder is empty: it joins once a peer confirms the folder is new" : "");
    }

    /**
     * Once StorageGuard let a fresh node in: the metadata group (a founder's) first, waited for, since
     * the node reports itself ready when this returns and its metadata client sends to it too; then the
     * groups asked for meanwhile.
     */
    private void joinAfterStorageCheck(boolean founder) {
        if (founder) {
            try {
                groupAdmin.submit(() -> joins.join(groups.metadataGroup())).get(60, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
                log.warn("joining the metadata group after the storage check failed", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<RaftGroup> waiting;
        synchronized (deferredJoins) {
            waiting = List.copyOf(deferredJoins);
            deferredJoins.clear();
        }
        waiting.forEach(this::join);
    }

    /**
     * A refused node stops its Raft server: a Raft port that answers "no such group" is worse than a
     * closed one, since Ratis clients take that answer as final instead of trying the next peer.
     */
    private void closeRefused() {
        try {
            server.close();
            log.info("node {} closed its Raft server: refused to rejoin", groups.nodeId());
        } catch (IOException e) {
            log.warn("closing the Raft server of a refused node failed", e);
        }
    }

    /** Identity of this node's leader-only writes ({@link #submitAsLeader}), for Ratis's retry cache. */
    private final ClientId leaderWriteClientId = ClientId.randomId();
    private final AtomicLong leaderWriteCallId = new AtomicLong();

    RaftPeerId serverId() {
        return server.getId();
    }

    /**
     * This node's view of a group it is a member of; null when it is not (yet) one, or when its
     * member closed (a failed apply closes it: Ratis keeps it registered with the role it had, so a
     * closed leader would go on claiming the lead).
     */
    DivisionInfo localInfo(RaftGroupId gid) {
        try {
            DivisionInfo info = server.getDivision(gid).getInfo();
            return info.isAlive() ? info : null;
        } catch (IOException e) {
            return null; // not (yet) a member here
        }
    }

    /** This node's member of a group, or null when it is not one. */
    RaftServer.Division division(RaftGroupId gid) {
        try {
            return server.getDivision(gid);
        } catch (IOException e) {
            return null;
        }
    }

    /** A client for the group-management calls of one other node (adding a group there). */
    RaftClient clientOf(ClusterPeers.Peer peer) {
        return RaftClient.newBuilder().setProperties(clientProperties)
                .setRaftGroup(RaftGroup.valueOf(PartitionGroups.METADATA_GROUP, org.apache.ratis.protocol.RaftPeer.newBuilder()
                        .setId(PartitionGroups.peerId(peer.id())).setAddress(peer.raftAddress()).build()))
                .setRetryPolicy(RetryPolicies.noRetry()).build();
    }

    /**
     * Hands a write straight to this node's server, which refuses it unless it is the group's ready
     * leader instead of redirecting it (no retries): for writes that only the leader may make.
     */
    CompletableFuture<RaftClientReply> submitAsLeader(RaftGroupId gid, byte[] bytes, long timeoutMs)
            throws IOException {
        RaftClientRequest request = RaftClientRequest.newBuilder()
                .setClientId(leaderWriteClientId)
                .setServerId(server.getId())
                .setGroupId(gid)
                .setCallId(leaderWriteCallId.incrementAndGet())
                .setMessage(Message.valueOf(UnsafeByteOperations.unsafeWrap(bytes)))
                .setType(RaftClientRequest.writeRequestType())
                .setTimeoutMs(timeoutMs)
                .build();
        return server.submitClientRequestAsync(request);
    }

    /**
     * Writes a control entry (a mode or in-sync entry) through this node's own server, which refuses
     * it unless it is the group's ready leader, and waits for it to be applied here up to the request
     * timeout; null when written, else why not.
     */
    String proposeAsLeader(RaftGroupId gid, byte[] entry) {
        long timeoutMs = settings.requestTimeout().toMillis();
        try {
            RaftClientReply reply = submitAsLeader(gid, entry, timeoutMs).get(timeoutMs, TimeUnit.MILLISECONDS);
            return reply.isSuccess() ? null : String.valueOf(reply.getException());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (Exception e) {
            return e.toString();
        }
    }

    /** Joins a group in the background (group admin runs one change at a time, in order). */
    @Override
    public void join(RaftGroup group) {
        synchronized (deferredJoins) {
            if (!guard.hasPassed()) {
                // Before StorageGuard let this node in (the internal topics' groups, at start): later.
                // A join after the admission goes ahead; one queued before it is taken by
                // joinAfterStorageCheck, which runs after the admission.
                deferredJoins.add(group);
                return;
            }
        }
        try {
            groupAdmin.execute(() -> joins.join(group));
        } catch (RejectedExecutionException e) {
            log.info("not joining Raft group {}: this node is stopping", group.getGroupId());
        }
    }

    /**
     * Leaves groups, deleting their Raft storage, after any pending join; blocks until done
     * (at most a minute).
     */
    @Override
    public void leave(List<RaftGroupId> gids, String topic) {
        try {
            groupAdmin.submit(() -> gids.forEach(this::removeGroup)).get(60, TimeUnit.SECONDS);
        } catch (RejectedExecutionException e) {
            // Stopping: an exception out of an apply would wedge Ratis's state-machine updater (it
            // loops in its EXCEPTION state and the server never closes). The groups' files stay;
            // the next start removes groups of partitions no longer placed here.
            log.info("not leaving the Raft groups {} of {}: this node is stopping", gids, topic);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("leaving the Raft groups of deleted topic {} failed", topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs a task on the group admin thread, after the joins and leaves queued before it. */
    void inBackground(Runnable task) {
        try {
            groupAdmin.execute(task);
        } catch (RejectedExecutionException e) {
            log.info("a background group task was dropped: this node is stopping");
        }
    }

    private void removeGroup(RaftGroupId gid) {
        GroupManagementRequest remove = GroupManagementRequest.newRemove(adminClientId, server.getId(),
                adminCallId.incrementAndGet(), gid, true, false);
        try {
            RaftClientReply reply = server.groupManagementAsync(remove).get(30, TimeUnit.SECONDS);
            log.info("left Raft group {} of {}: {}", gid, groups.partitionOf(gid), reply.isSuccess());
            machines.remove(gid);
        } catch (ExecutionException e) {
            log.info("Raft group {} not removed (not a member?): {}", gid, e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            log.warn("leaving Raft group {} timed out", gid);
        }
    }

    /** Ratis's group add on this server, for {@link GroupJoins}. */
    private CompletableFuture<RaftClientReply> addToServer(RaftGroup group) {
        return server.groupManagementAsync(GroupManagementRequest.newAdd(adminClientId, server.getId(),
                adminCallId.incrementAndGet(), group, false));
    }

    /** The member of a group whose start failed: created (its state machine knows it) but not registered. */
    private Closeable leftoverMember(RaftGroupId gid) {
        MemberStateMachine machine = machines.get(gid);
        if (machine == null || machine.member() == null || division(gid) != null) {
            return null;
        }
        return machine.member();
    }

    /** A new client of a group; the caller closes it. */
    RaftClient newClient(RaftGroup group, RetryPolicy retry) {
        return RaftClient.newBuilder().setProperties(clientProperties).setRaftGroup(group).setRetryPolicy(retry)
                .build();
    }

    /**
     * A client for one configuration change or leadership transfer of a group: few retries (the
     * caller tries again later) and a request timeout of {@code ingest.replication.move-timeout},
     * as a change waits for new replicas to catch up.
     */
    RaftClient adminClient(RaftGroup group) {
        // Sent to this node first; a few retries follow a redirect to the leader elsewhere (the
        // metadata group's, for node changes).
        return adminClient(group, RetryPolicies.retryUpToMaximumCountWithFixedSleep(5,
                TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)));
    }

    /**
     * Like {@link #adminClient(RaftGroup)}, but the request goes to this node only and fails when it
     * does not lead the group: for a change computed from this leader's view of its group, which
     * must not be applied by another leader (one that the change would remove, say).
     */
    RaftClient localAdminClient(RaftGroup group) {
        return adminClient(group, RetryPolicies.noRetry());
    }

    /**
     * Has this node's member of {@code group} take a snapshot now (Ratis's snapshot request, forced;
     * any member can, a follower too); null when taken (or nothing was applied since the latest
     * one), else why not.
     */
    String snapshotHere(RaftGroup group) {
        // Asked of the local server itself, not through a client: a client opened for one call built a gRPC
        // channel each time (about 100 ms of CPU, most of a follower's scheduling thread under load).
        long timeoutMs = settings.requestTimeout().toMillis();
        SnapshotManagementRequest request = SnapshotManagementRequest.newCreate(adminClientId, serverId(),
                group.getGroupId(), adminCallId.incrementAndGet(), timeoutMs, 1); // a gap of 1: any entry since the last
        try {
            RaftClientReply reply = server.snapshotManagementAsync(request).get(timeoutMs + 1000, TimeUnit.MILLISECONDS);
            return reply.isSuccess() ? null : String.valueOf(reply.getException());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e.toString();
        } catch (ExecutionException e) {
            return e.getCause().toString();
        } catch (TimeoutException | RuntimeException e) {
            return e.toString();
        }
    }

    /**
     * Asks the leader of {@code group} to hand its leadership to node {@code to} (Ratis
     * {@code transferLeadership}, waiting up to the request timeout); null when done, else why not.
     */
    String transferLeadership(RaftGroup group, int to) {
        return transferLeadership(group, to, settings.requestTimeout());
    }

    /** {@link #transferLeadership(RaftGroup, int)}, given up after {@code timeout}. */
    String transferLeadership(RaftGroup group, int to, Duration timeout) {
        try (RaftClient admin = adminClient(group)) {
            RaftClientReply reply = admin.admin().transferLeadership(PartitionGroups.peerId(to), timeout.toMillis());
            return reply.isSuccess() ? null : String.valueOf(reply.getException());
        } catch (IOException | RuntimeException e) {
            return e.toString();
        }
    }

    private RaftClient adminClient(RaftGroup group, RetryPolicy retry) {
        RaftProperties p = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(settings.moveTimeout().toMillis(),
                TimeUnit.MILLISECONDS));
        RaftClient.Builder b = RaftClient.newBuilder().setProperties(p).setRaftGroup(group).setRetryPolicy(retry);
        if (group.getPeer(server.getId()) != null) {
            b.setLeaderId(server.getId());
        }
        return b.build();
    }

    /** Retries (leader changes, lost peers) for about as long as a request may wait for commit. */
    private RetryPolicy retryUntilTimeout() {
        long sleepMs = 100;
        int attempts = (int) Math.max(1, settings.requestTimeout().toMillis() / sleepMs);
        return RetryPolicies.retryUpToMaximumCountWithFixedSleep(attempts,
                TimeDuration.valueOf(sleepMs, TimeUnit.MILLISECONDS));
    }

    /** The client of the metadata group. */
    RaftClient metadataClient() {
        return metadataClient;
    }

    /** The client of a partition's group, made on first use. */
    RaftClient client(TopicRegistry.Topic topic, int partition) {
        return clients.computeIfAbsent(PartitionGroups.groupId(topic, partition),
                gid -> newClient(groups.partitionGroup(topic, partition), retryUntilTimeout()));
    }

    /** The group commit of a partition's appends through this node, made on first use. */
    GroupCommit groupCommit(TopicRegistry.Topic topic, int partition) {
        return commits.computeIfAbsent(PartitionGroups.groupId(topic, partition), gid -> new GroupCommit(
                entry -> send(() -> client(topic, partition), entry), settings.maxInFlightPerPartition(),
                (int) Math.min(Integer.MAX_VALUE, settings.maxEntrySize().toBytes()),
                settings.requestTimeout().toMillis(), commitCompletions, entryBatches::record));
    }

    /** Closes the client of a group (if any); a later request makes a new one. */
    @Override
    public void dropClient(RaftGroupId gid) {
        commits.remove(gid);
        RaftClient c = clients.remove(gid);
        if (c != null) {
            closeQuietly(c);
        }
    }

    /**
     * A Ratis client whose ordered request failed for good (its retries ran out, e.g. while a
     * majority was still starting) closes its request window: every later request fails at once
     * with "SlidingWindow ... is closed". Seen on a node started well before its peers: its start
     * no-op failed and the node could not create a topic until restarted. Such a client is
     * dropped and a new one made; a request the closed window refused unsent is sent again through
     * the new client ({@link #send}), so callers do not see the failure at all.
     */
    boolean replaceIfClosed(RaftClient client, Throwable failure) {
        boolean closed = false;
        for (Throwable t = failure; t != null && !closed; t = t.getCause()) {
            closed = t instanceof AlreadyClosedException;
        }
        if (!closed) {
            return false;
        }
        synchronized (this) {
            if (client == metadataClient) {
                metadataClient = newClient(groups.metadataGroup(), retryUntilTimeout());
            } else {
                clients.values().remove(client); // client(...) makes a new one on the next request
            }
        }
        log.info("a Raft client's request window closed after a failure; replaced it");
        closeQuietly(client);
        return true;
    }

    /**
     * Sends a write through the current client of a group. Completes with a successful reply, or
     * exceptionally with the failure (an unsuccessful reply's exception included). A client whose
     * request window closed is replaced ({@link #replaceIfClosed}); a request that window refused
     * unsent goes once more through the new client: it never reached a server, so it cannot be
     * written twice.
     */
    CompletableFuture<RaftClientReply> send(Supplier<RaftClient> clients, byte[] bytes) {
        RaftClient client = clients.get();
        return sendOnce(client, bytes).exceptionallyCompose(error -> {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            return replaceIfClosed(client, cause) && refusedUnsent(cause) ? sendOnce(clients.get(), bytes)
                    : CompletableFuture.failedFuture(cause);
        });
    }

    private static CompletableFuture<RaftClientReply> sendOnce(RaftClient client, byte[] bytes) {
        return client.async().send(Message.valueOf(UnsafeByteOperations.unsafeWrap(bytes))).thenCompose(reply ->
                reply.isSuccess() ? CompletableFuture.completedFuture(reply) : CompletableFuture.failedFuture(
                        reply.getException() != null ? reply.getException()
                                : new IllegalStateException("unsuccessful Raft reply without an exception")));
    }

    /**
     * True when {@code failure} is a request refused by a closed request window: it was never sent,
     * so sending it again (through a new client) cannot write it twice.
     */
    static boolean refusedUnsent(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof AlreadyClosedException && String.valueOf(t.getMessage()).contains("SlidingWindow")) {
                return true;
            }
        }
        return false;
    }

    @PreDestroy
    public void close() {
        if (storageCheck != null) {
            storageCheck.stop();
        }
        groupAdmin.shutdownNow();
        commitCompletions.shutdown();
        for (RaftClient c : clients.values()) {
            closeQuietly(c);
        }
        closeQuietly(metadataClient);
        // Bounded: a Ratis division that deadlocks while closing must not keep this node from stopping.
        Thread closer = new Thread(() -> {
            try {
                server.close();
            } catch (IOException e) {
                log.warn("closing the Raft server failed", e);
            }
        }, "raft-close");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(CLOSE_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            log.error("node {}: the Raft server did not close within {}; stopping without it", groups.nodeId(),
                    CLOSE_WAIT);
        } else {
            log.info("node {} stopped Raft", groups.nodeId());
        }
    }

    static void closeQuietly(RaftClient c) {
        try {
            c.close();
        } catch (IOException e) {
            log.debug("closing a Raft client failed", e);
        }
    }
}
