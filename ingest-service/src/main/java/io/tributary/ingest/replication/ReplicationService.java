package io.tributary.ingest.replication;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import io.tributary.ingest.problem.ProblemException;
import io.tributary.ingest.problem.ProblemType;
import io.tributary.ingest.acl.AclBinding;
import io.tributary.ingest.acl.AclCommand;
import io.tributary.ingest.acl.AclStore;
import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.security.NodeCredentials;
import io.tributary.ingest.log.AppendResult;
import io.tributary.ingest.log.LogConfig;
import io.tributary.ingest.log.PreparedBatch;
import io.tributary.ingest.produce.ProducerIds;
import io.tributary.ingest.topic.InvalidTopicException;
import io.tributary.ingest.topic.TopicExistsException;
import io.tributary.ingest.topic.TopicNames;
import io.tributary.ingest.topic.TopicPartition;
import io.tributary.ingest.topic.TopicRegistry;
import jakarta.annotation.PreDestroy;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyExistsException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachine;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Conditional;
import org.springframework.stereotype.Service;

/**
 * Replication with Apache Ratis, on when {@code ingest.cluster.peers} is set: one
 * {@link RaftServer} per node (one Raft port) hosting a metadata group over every node and one
 * group per partition over its replicas (multi-raft). Every election, commit and membership
 * decision is Ratis's; this class only wires groups to state machines and turns produce and
 * topic-creation requests into Ratis client calls.
 *
 * <p>Any node accepts a produce: the Ratis client of the partition's group sends it to the
 * group's leader (following not-leader redirects and retrying after a leader dies) and answers
 * once the entry is committed by a majority and applied, with the offsets the apply assigned.
 */
@Service
@Conditional(ReplicationEnabledCondition.class)
public class ReplicationService {

    private static final Logger log = LoggerFactory.getLogger(ReplicationService.class);
    static final RaftGroupId METADATA_GROUP =
            RaftGroupId.valueOf(UUID.nameUUIDFromBytes("tributary/metadata".getBytes(StandardCharsets.UTF_8)));

    /** What describe shows for a partition: leader (-1 unknown), replicas, in-sync replicas. */
    public record PartitionView(int leader, List<Integer> replicas, List<Integer> inSyncReplicas) {
    }

    private final TopicRegistry topics;
    private final NodeCredentials credentials;
    private final ProducerIds producerIds;
    private final AclStore acls;
    private final ClusterPeers peers;
    private final ClusterPeers.Peer self;
    private final ReplicationProperties settings;
    private final RaftProperties clientProperties;
    private final Map<RaftGroupId, TopicPartition> partitionsByGroup = new ConcurrentHashMap<>();
    private final Map<RaftGroupId, RaftClient> clients = new ConcurrentHashMap<>();
    private final ExecutorService groupAdmin = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "raft-group-admin");
        t.setDaemon(true);
        return t;
    });
    private final ClientId adminClientId = ClientId.randomId();
    private final AtomicLong adminCallId = new AtomicLong();
    /** Identity of this node's leader-only writes (see appendAsLeader), for Ratis's retry cache. */
    private final ClientId leaderWriteClientId = ClientId.randomId();
    private final AtomicLong leaderWriteCallId = new AtomicLong();
    private final RaftServer server;
    private final FailedReplicas failed;
    /** Replaced when its request window closes (see {@link #replaceIfClosed}). */
    private volatile RaftClient metadataClient;
    private final RaftClient infoClient;
    private volatile MetadataStateMachine metadataStateMachine;

    public ReplicationService(TopicRegistry topics, ProducerIds producerIds, AclStore acls, IngestProperties props,
                              ReplicationProperties settings, NodeCredentials credentials, FailedReplicas failed)
            throws IOException {
        this.credentials = credentials;
        this.failed = failed;
        this.topics = topics;
        this.acls = acls;
        this.producerIds = producerIds;
        this.settings = settings;
        this.peers = ClusterPeers.parse(props.cluster().peers());
        this.self = peers.find(props.nodeId()).orElseThrow(() -> new IllegalStateException("ingest.node-id "
                + props.nodeId() + " is not among ingest.cluster.peers " + props.cluster().peers()));
        // Groups already on disk are opened by the server before any metadata is replayed, so
        // their state machines must be known from the registry alone.
        for (TopicRegistry.Topic t : topics.list()) {
            registerPartitions(t);
        }

        RaftProperties rp = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(rp, List.of(topics.dataDir().resolve("raft").toFile()));
        GrpcConfigKeys.Server.setPort(rp, self.raftPort());
        GrpcConfigKeys.Server.setHost(rp, settings.raftBindHost().isBlank() ? self.host() : settings.raftBindHost());
        long electionMs = settings.electionTimeout().toMillis();
        RaftServerConfigKeys.Rpc.setTimeoutMin(rp, TimeDuration.valueOf(electionMs, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(rp, TimeDuration.valueOf(2 * electionMs, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setRequestTimeout(rp, TimeDuration.valueOf(Math.max(3000, 3 * electionMs),
                TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(rp, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(rp, settings.snapshotThreshold());
        RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(rp, settings.snapshotOnStop());
        // A snapshot here is a pointer into the local partition log, not a copy of the data, so
        // Ratis must never ship it to a follower; it purges only what every peer has committed.
        RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(rp, false);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(rp, false);
        RaftServerConfigKeys.Log.setSegmentSizeMax(rp, org.apache.ratis.util.SizeInBytes.valueOf(
                settings.raftSegmentSize().toBytes()));
        RaftServerConfigKeys.Log.setPurgeGap(rp, settings.purgeGap());
        // Read-only requests (the read barrier of awaitCommitted) use the Raft read index: a follower
        // asks the leader for its commit index and waits to have applied it. No leader lease: without
        // one the leader confirms its leadership with a heartbeat round, and those heartbeats carry
        // the commit index to the followers at once; with a lease the waiting follower would learn it
        // only at the next periodic heartbeat (measured: follower reads about twice as slow).
        RaftServerConfigKeys.Read.setOption(rp, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Read.setLeaderLeaseEnabled(rp, false);
        this.server = RaftServer.newBuilder()
                .setServerId(peerId(self.id()))
                .setProperties(rp)
                .setGroup(RaftGroup.valueOf(METADATA_GROUP, raftPeers(peers.peers().stream().map(ClusterPeers.Peer::id)
                        .toList())))
                .setOption(RaftStorage.StartupOption.RECOVER)
                .setStateMachineRegistry(this::stateMachineFor)
                .build();
        server.start();

        this.clientProperties = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(clientProperties, TimeDuration.valueOf(Math.max(3000,
                3 * electionMs), TimeUnit.MILLISECONDS));
        this.metadataClient = newClient(RaftGroup.valueOf(METADATA_GROUP,
                raftPeers(peers.peers().stream().map(ClusterPeers.Peer::id).toList())), retryUntilTimeout());
        this.infoClient = newClient(RaftGroup.valueOf(METADATA_GROUP,
                raftPeers(peers.peers().stream().map(ClusterPeers.Peer::id).toList())), RetryPolicies.noRetry());
        log.info("node {} started Raft on port {} with peers {}", self.id(), self.raftPort(), peers.peers());
        // A no-op metadata entry on every start. Observed with Ratis 3.2.0: a follower that comes
        // back with an empty log (wiped disk) under the same id got only heartbeats from an idle
        // metadata leader ("INCONSISTENCY, nextIndex 0" in a loop) and never its entries; a new
        // entry makes the leader's appender send the log from the follower's next index.
        groupAdmin.execute(() -> {
            try {
                send(metadataClient, MetadataCodec.encode(MetadataCommand.Noop.from(self.id())), "metadata no-op");
            } catch (RuntimeException e) {
                log.info("metadata no-op at start not committed: {}", e.getMessage());
            }
        });
    }

    public int clusterSize() {
        return peers.size();
    }

    public int nodeId() {
        return self.id();
    }

    /**
     * True when this node holds a working replica of the partition: placed here and not failed
     * (see {@link FailedReplicas}). Reads of a partition this node does not serve go to a replica
     * that does.
     */
    public boolean servesLocally(TopicRegistry.Topic topic, int partition) {
        return replicas(topic, partition).contains(self.id()) && !failed.hasFailed(topic.name(), partition);
    }

    /** True when this node's replica of the partition failed while applying ({@link FailedReplicas}). */
    boolean replicaFailed(String topic, int partition) {
        return failed.hasFailed(topic, partition);
    }

    /** The nodes to read the partition from, in placement order, without this node when it does not serve it. */
    public List<Integer> readableReplicas(TopicRegistry.Topic topic, int partition) {
        List<Integer> all = replicas(topic, partition);
        return servesLocally(topic, partition) ? all : all.stream().filter(n -> n != self.id()).toList();
    }

    public ClusterPeers peers() {
        return peers;
    }

    /**
     * Placement of a partition. Service-owned topics ({@code __consumer_offsets}) live on every
     * node whatever their stored replication factor: each node creates them locally at start.
     */
    public List<Integer> replicas(TopicRegistry.Topic topic, int partition) {
        int rf = topic.metadata().internal() ? peers.size() : topic.metadata().replicationFactor();
        return peers.replicas(partition, rf);
    }

    /** How long a request waits for commit (or for a leader) before it is answered 503. */
    public Duration requestTimeout() {
        return settings.requestTimeout();
    }

    /**
     * Joins the Raft groups of a service-owned topic that every node creates locally at start
     * (it does not go through the metadata group, which may not have a majority yet). Idempotent:
     * groups already opened from disk stay as they are.
     */
    public void hostInternalTopic(TopicRegistry.Topic topic) {
        if (!topic.metadata().internal()) {
            throw new IllegalArgumentException(topic.name() + " is not a service-owned topic");
        }
        for (int p = 0; p < topic.partitions().size(); p++) {
            boolean raftState = Files.isDirectory(topics.dataDir().resolve("raft")
                    .resolve(groupId(topic, p).getUuid().toString()));
            if (!raftState && topic.partitions().get(p).logEndOffset() > 0) {
                // Its Raft group would apply every entry after data no other replica has: the
                // replicas would diverge. Written when this node ran alone (or before groups
                // were replicated); see docs/replication.md.
                throw new IllegalStateException(topic.name() + "-" + p + " holds records written before this node "
                        + "replicated it; stop the node and remove the topic's partition folders and its entry in "
                        + "topics.json (their committed offsets were this node's alone)");
            }
        }
        topicReady(topic);
    }

    /**
     * A partition's Raft group id, derived from the topic's name, the partition and the topic's
     * incarnation (so a re-created name gets new groups), so every node computes it without
     * coordination. Incarnation 0 (topics from before incarnations) keeps the original form.
     */
    static RaftGroupId groupId(String topic, long incarnation, int partition) {
        String name = "tributary/partition/" + topic + "/" + partition + (incarnation == 0 ? "" : "/" + incarnation);
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)));
    }

    static RaftGroupId groupId(TopicRegistry.Topic topic, int partition) {
        return groupId(topic.name(), topic.metadata().incarnation(), partition);
    }

    private static RaftPeerId peerId(int nodeId) {
        return RaftPeerId.valueOf(Integer.toString(nodeId));
    }

    private List<RaftPeer> raftPeers(List<Integer> ids) {
        List<RaftPeer> out = new ArrayList<>(ids.size());
        for (int id : ids) {
            ClusterPeers.Peer p = peers.find(id).orElseThrow();
            out.add(RaftPeer.newBuilder().setId(peerId(id)).setAddress(p.raftAddress()).build());
        }
        return out;
    }

    private RaftGroup partitionGroup(TopicRegistry.Topic topic, int partition) {
        return RaftGroup.valueOf(groupId(topic, partition), raftPeers(replicas(topic, partition)));
    }

    private void registerPartitions(TopicRegistry.Topic topic) {
        for (int p = 0; p < topic.partitions().size(); p++) {
            partitionsByGroup.put(groupId(topic, p), new TopicPartition(topic.name(), p));
            // No compaction before the partition's state machine knows its snapshot point.
            if (topic.hosts(p)) {
                topics.partition(topic.name(), p).limitCompaction(0);
            }
        }
    }

    private StateMachine stateMachineFor(RaftGroupId gid) {
        if (gid.equals(METADATA_GROUP)) {
            MetadataStateMachine sm = new MetadataStateMachine(topics, producerIds, acls, new MetadataStateMachine.Hooks() {
                @Override
                public void topicReady(TopicRegistry.Topic topic) {
                    ReplicationService.this.topicReady(topic);
                }

                @Override
                public void topicDeleting(TopicRegistry.Topic topic) {
                    ReplicationService.this.topicDeleting(topic);
                }
            }, topics.dataDir().resolve("raft-metadata-applied"));
            metadataStateMachine = sm;
            return sm;
        }
        TopicPartition tp = partitionsByGroup.get(gid);
        if (tp == null) {
            // Left behind by a delete interrupted while removing the group's files: the topic is
            // gone everywhere, nothing is sent to this group; it only keeps its (dead) log.
            log.warn("Raft group {} on disk belongs to no known partition (a deleted topic?); opened without data",
                    gid);
            return new BaseStateMachine();
        }
        return new PartitionStateMachine(tp, topics.partition(tp.topic(), tp.partition()),
                node -> peers.find(node).orElseThrow().httpBase(), credentials::authorization,
                e -> failed.markFailed(tp, e));
    }

    /** Called by the metadata state machine once a topic exists locally: join its partition groups. */
    private void topicReady(TopicRegistry.Topic topic) {
        registerPartitions(topic);
        for (int p = 0; p < topic.partitions().size(); p++) {
            if (!replicas(topic, p).contains(self.id())) {
                continue;
            }
            RaftGroup group = partitionGroup(topic, p);
            groupAdmin.execute(() -> addGroup(group));
        }
    }

    /**
     * Called by the metadata state machine before a topic is deleted locally: leave the Raft
     * groups of its partitions hosted here (deleting their Raft storage), after any pending join.
     * Blocks the metadata apply until done, so the partition logs are closed only once no
     * partition group can apply to them any more.
     */
    private void topicDeleting(TopicRegistry.Topic topic) {
        List<RaftGroupId> hosted = new ArrayList<>();
        for (int p = 0; p < topic.partitions().size(); p++) {
            RaftGroupId gid = groupId(topic, p);
            RaftClient c = clients.remove(gid);
            if (c != null) {
                closeQuietly(c);
            }
            if (replicas(topic, p).contains(self.id())) {
                hosted.add(gid);
            }
        }
        try {
            groupAdmin.submit(() -> hosted.forEach(this::removeGroup)).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("leaving the Raft groups of deleted topic {} failed", topic.name(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (RaftGroupId gid : hosted) {
            partitionsByGroup.remove(gid);
        }
    }

    private void removeGroup(RaftGroupId gid) {
        GroupManagementRequest remove = GroupManagementRequest.newRemove(adminClientId, server.getId(),
                adminCallId.incrementAndGet(), gid, true, false);
        try {
            RaftClientReply reply = server.groupManagementAsync(remove).get(30, TimeUnit.SECONDS);
            log.info("left Raft group {} of {}: {}", gid, partitionsByGroup.get(gid), reply.isSuccess());
        } catch (ExecutionException e) {
            log.info("Raft group {} not removed (not a member?): {}", gid, e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            log.warn("leaving Raft group {} timed out", gid);
        }
    }

    private void addGroup(RaftGroup group) {
        GroupManagementRequest add = GroupManagementRequest.newAdd(adminClientId, server.getId(),
                adminCallId.incrementAndGet(), group, false);
        try {
            RaftClientReply reply = server.groupManagementAsync(add).get(30, TimeUnit.SECONDS);
            log.info("joined Raft group {} of {}: {}", group.getGroupId(), partitionsByGroup.get(group.getGroupId()),
                    reply.isSuccess());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AlreadyExistsException
                    || e.getCause() != null && e.getCause().getCause() instanceof AlreadyExistsException) {
                log.debug("already in Raft group {}", group.getGroupId());
            } else {
                log.warn("could not join Raft group {}", group.getGroupId(), e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            log.warn("joining Raft group {} timed out", group.getGroupId());
        }
    }

    private RaftClient newClient(RaftGroup group, RetryPolicy retry) {
        return RaftClient.newBuilder().setProperties(clientProperties).setRaftGroup(group).setRetryPolicy(retry)
                .build();
    }

    /** Retries (leader changes, lost peers) for about as long as a request may wait for commit. */
    private RetryPolicy retryUntilTimeout() {
        long sleepMs = 100;
        int attempts = (int) Math.max(1, settings.requestTimeout().toMillis() / sleepMs);
        return RetryPolicies.retryUpToMaximumCountWithFixedSleep(attempts,
                TimeDuration.valueOf(sleepMs, TimeUnit.MILLISECONDS));
    }

    private RaftClient client(TopicRegistry.Topic topic, int partition) {
        return clients.computeIfAbsent(groupId(topic, partition),
                gid -> newClient(partitionGroup(topic, partition), retryUntilTimeout()));
    }

    /**
     * The read barrier behind read-your-writes: a linearizable read-only request to this node's own
     * replica of the partition, which Ratis answers (through {@link PartitionStateMachine#query})
     * only once the replica has applied the leader's commit index of that moment.
     *
     * @throws ProblemException 503 not-enough-replicas (retriable) when that cannot be confirmed in time
     */
    public void awaitCommitted(TopicRegistry.Topic topic, int partition) {
        try {
            RaftClientReply reply = client(topic, partition).io().sendReadOnly(Message.EMPTY, peerId(self.id()));
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
        return client(topic, partition).async().sendReadOnlyUnordered(Message.EMPTY, peerId(self.id()))
                .thenAccept(reply -> {
                    if (!reply.isSuccess()) {
                        throw new java.util.concurrent.CompletionException(reply.getException());
                    }
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
        byte[] bytes = prepared.batch().copyBytes();
        RaftClientReply reply = send(client(topic, partition), bytes, topic.name() + "-" + partition);
        return ApplyReply.decode(reply.getMessage().getContent().asReadOnlyByteBuffer());
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
        RaftClientRequest request = RaftClientRequest.newBuilder()
                .setClientId(leaderWriteClientId)
                .setServerId(server.getId())
                .setGroupId(groupId(topic, partition))
                .setCallId(leaderWriteCallId.incrementAndGet())
                .setMessage(Message.valueOf(UnsafeByteOperations.unsafeWrap(prepared.batch().copyBytes())))
                .setType(RaftClientRequest.writeRequestType())
                .setTimeoutMs(timeoutMs)
                .build();
        RaftClientReply reply;
        try {
            reply = server.submitClientRequestAsync(request).get(timeoutMs, TimeUnit.MILLISECONDS);
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
        return ApplyReply.decode(reply.getMessage().getContent().asReadOnlyByteBuffer());
    }

    private static ProblemException notLeader(String what, Throwable cause) {
        return new ProblemException(ProblemType.COORDINATOR_NOT_AVAILABLE, "node is no longer the leader of " + what
                + " (" + (cause == null ? "unknown" : cause.getClass().getSimpleName()) + "); retry");
    }

    /**
     * The Raft term of a partition group while this node leads it and has applied every entry
     * committed before its term (Ratis's "leader ready"); -1 otherwise.
     */
    public long leaderTerm(TopicRegistry.Topic topic, int partition) {
        DivisionInfo info = localInfo(groupId(topic, partition));
        return info != null && info.isLeader() && info.isLeaderReady() ? info.getCurrentTerm() : -1;
    }

    /**
     * A Ratis client whose ordered request failed for good (its retries ran out, e.g. while a
     * majority was still starting) closes its request window: every later request fails at once
     * with "SlidingWindow ... is closed". Seen on a node started well before its peers: its start
     * no-op failed and the node could not create a topic until restarted. Such a client is
     * dropped and a new one made, so that only the request in flight fails (503, retriable).
     */
    private void replaceIfClosed(RaftClient client, Throwable failure) {
        boolean closed = false;
        for (Throwable t = failure; t != null && !closed; t = t.getCause()) {
            closed = t instanceof AlreadyClosedException;
        }
        if (!closed) {
            return;
        }
        synchronized (this) {
            if (client == metadataClient) {
                metadataClient = newClient(RaftGroup.valueOf(METADATA_GROUP,
                        raftPeers(peers.peers().stream().map(ClusterPeers.Peer::id).toList())), retryUntilTimeout());
            } else {
                clients.values().remove(client); // client(...) makes a new one on the next request
            }
        }
        log.info("a Raft client's request window closed after a failure; replaced it");
        closeQuietly(client);
    }

    private RaftClientReply send(RaftClient client, byte[] bytes, String what) {
        CompletableFuture<RaftClientReply> f = client.async().send(Message.valueOf(UnsafeByteOperations.unsafeWrap(bytes)));
        RaftClientReply reply;
        try {
            reply = f.get(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw notEnoughReplicas(what + ": not committed by a majority of replicas within "
                    + settings.requestTimeout().toMillis() + " ms; it may still be committed later");
        } catch (ExecutionException e) {
            log.debug("{} not committed", what, e.getCause());
            replaceIfClosed(client, e.getCause());
            throw notEnoughReplicas(what + ": not committed by a majority of replicas ("
                    + e.getCause().getClass().getSimpleName() + "); it may still be committed later");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw notEnoughReplicas(what + ": interrupted while waiting for commit");
        }
        if (!reply.isSuccess()) {
            log.debug("{} not committed", what, reply.getException());
            replaceIfClosed(client, reply.getException());
            throw notEnoughReplicas(what + ": not committed by a majority of replicas ("
                    + reply.getException().getClass().getSimpleName() + ")");
        }
        return reply;
    }

    private static ProblemException notEnoughReplicas(String detail) {
        return new ProblemException(ProblemType.NOT_ENOUGH_REPLICAS, detail);
    }

    /**
     * Creates a topic on every node through the metadata group and waits until this node has
     * it and knows a leader for each of its partitions it hosts (bounded by the request timeout).
     */
    public TopicRegistry.Topic createTopic(String name, int partitions, int replicationFactor,
                                           Map<String, String> configs) {
        TopicNames.validate(name);
        if (TopicNames.isInternal(name)) {
            throw new InvalidTopicException("topic names starting with '" + TopicNames.INTERNAL_PREFIX
                    + "' are reserved for the service");
        }
        if (partitions < 1 || partitions > TopicRegistry.MAX_PARTITIONS) {
            throw new InvalidTopicException("partitions must be between 1 and " + TopicRegistry.MAX_PARTITIONS
                    + ", was " + partitions);
        }
        if (replicationFactor < 1 || replicationFactor > peers.size()) {
            throw new InvalidTopicException("replicationFactor must be between 1 and the number of nodes ("
                    + peers.size() + "), was " + replicationFactor);
        }
        LogConfig.from(configs);
        if (topics.exists(name)) {
            throw new TopicExistsException(name);
        }
        // Before proposing: the replicated apply must never refuse. (Two concurrent creates may
        // both pass and overshoot by one topic; the cap is about resource exhaustion, not exactness.)
        topics.checkPartitionLimits(partitions);
        RaftClientReply reply = send(metadataClient, MetadataCodec.encode(
                MetadataCommand.CreateTopic.withNewId(name, partitions, replicationFactor, configs)),
                "create topic " + name);
        MetadataReply answer = MetadataCodec.decodeReply(reply.getMessage());
        if (answer instanceof MetadataReply.Exists) {
            throw new TopicExistsException(name);
        } else if (answer instanceof MetadataReply.Invalid invalid) {
            throw new InvalidTopicException(invalid.detail());
        }
        long deadline = System.nanoTime() + settings.requestTimeout().toNanos();
        while (!topics.exists(name) && System.nanoTime() < deadline) {
            sleep(20);
        }
        TopicRegistry.Topic topic = topics.get(name);
        for (int p = 0; p < partitions; p++) {
            while (leaderOf(topic, p) < 0 && replicas(topic, p).contains(self.id()) && System.nanoTime() < deadline) {
                sleep(50);
            }
        }
        return topic;
    }

    /**
     * Changes a topic's config overrides on every node through the metadata group (a null value
     * resets a key) and returns once this node applied the change.
     */
    public TopicRegistry.Topic updateConfigs(String name, Map<String, String> changes) {
        TopicRegistry.Topic topic = topics.get(name); // 404 before anything is replicated
        Map<String, String> merged = new java.util.HashMap<>(topic.metadata().configs());
        changes.forEach((k, v) -> {
            if (!LogConfig.KEYS.contains(k)) {
                throw new LogConfig.InvalidConfigException(k, "is not a topic config; known keys are " + LogConfig.KEYS);
            }
            if (v == null) {
                merged.remove(k);
            } else {
                merged.put(k, v);
            }
        });
        LogConfig.from(merged); // 400 for a bad value, checked here with the exception the API maps
        metadataCommand(MetadataCommand.UpdateConfigs.of(name, changes), "change configs of " + name);
        return topics.get(name);
    }

    /** Deletes a topic on every node through the metadata group; returns once it is gone here. */
    public void deleteTopic(String name) {
        TopicRegistry.Topic topic = topics.get(name); // 404 before anything is replicated
        if (topic.metadata().internal()) {
            throw new InvalidTopicException("internal topic " + name + " cannot be deleted");
        }
        metadataCommand(new MetadataCommand.DeleteTopic(name), "delete topic " + name);
    }

    /**
     * Hands out an idempotent producer identity through the metadata group, so no two nodes ever
     * hand out the same id, and a name's epochs increase whichever node is asked.
     */
    public ProducerIds.Identity initProducer(String name) {
        MetadataReply answer = metadataCommand(
                new MetadataCommand.InitProducer(name == null || name.isBlank() ? null : name), "init producer");
        if (!(answer instanceof MetadataReply.ProducerIdentity identity)) {
            throw new IllegalStateException("unexpected answer to init-producer: " + answer);
        }
        return new ProducerIds.Identity(identity.producerId(), identity.producerEpoch());
    }

    /** Changes the ACLs on every node through the metadata group; answers what the change added or removed. */
    public List<AclBinding> changeAcls(AclCommand change) {
        MetadataReply answer = metadataCommand(new MetadataCommand.ChangeAcls(change), "change ACLs");
        if (!(answer instanceof MetadataReply.Acls changed)) {
            throw new IllegalStateException("unexpected answer to an ACL change: " + answer);
        }
        return changed.bindings();
    }

    /**
     * Sends a metadata command, maps the apply's verdict to an exception, waits for the local
     * apply and returns the verdict.
     */
    private MetadataReply metadataCommand(MetadataCommand cmd, String what) {
        RaftClientReply reply = send(metadataClient, MetadataCodec.encode(cmd), what);
        MetadataReply answer = MetadataCodec.decodeReply(reply.getMessage());
        if (answer instanceof MetadataReply.Unknown unknown) {
            throw new io.tributary.ingest.topic.UnknownTopicException(unknown.detail());
        } else if (answer instanceof MetadataReply.Invalid invalid) {
            throw new InvalidTopicException(invalid.detail());
        }
        long deadline = System.nanoTime() + settings.requestTimeout().toNanos();
        MetadataStateMachine sm = metadataStateMachine;
        while (sm != null && appliedIndex(sm) < reply.getLogIndex() && System.nanoTime() < deadline) {
            sleep(20);
        }
        return answer;
    }

    private static long appliedIndex(MetadataStateMachine sm) {
        org.apache.ratis.server.protocol.TermIndex ti = sm.getLastAppliedTermIndex();
        return ti == null ? -1 : ti.getIndex();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private DivisionInfo localInfo(RaftGroupId gid) {
        try {
            return server.getDivision(gid).getInfo();
        } catch (IOException e) {
            return null; // not (yet) a member here
        }
    }

    /** This node's state machine of a partition group, or null when it hosts no replica of it. */
    PartitionStateMachine localStateMachine(String topic, int partition) {
        try {
            return server.getDivision(groupId(topics.get(topic), partition)).getStateMachine() instanceof PartitionStateMachine p
                    ? p : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** First index still in this node's Raft log of a partition group (tests: was it purged?), or -1. */
    long raftLogStartIndex(String topic, int partition) {
        try {
            return server.getDivision(groupId(topics.get(topic), partition)).getRaftLog().getStartIndex();
        } catch (IOException e) {
            return -1;
        }
    }

    /** The partition leader as this node knows it, or -1. */
    public int leaderOf(TopicRegistry.Topic topic, int partition) {
        DivisionInfo info = localInfo(groupId(topic, partition));
        RaftPeerId leader = info == null ? null : info.getLeaderId();
        return leader == null ? -1 : Integer.parseInt(leader.toString());
    }

    /**
     * Leader, replicas and in-sync replicas of a partition. In sync = the leader itself plus the
     * followers it heard from within {@code ingest.replication.in-sync-lag}; this is the leader's
     * view, asked of the leader when this node is not it (a node hosting no replica asks the
     * replicas which of them leads). Unknown leader: -1 and an empty in-sync list.
     */
    public PartitionView view(TopicRegistry.Topic topic, int partition) {
        RaftGroupId gid = groupId(topic, partition);
        List<Integer> replicas = replicas(topic, partition);
        DivisionInfo info = localInfo(gid);
        int leader = -1;
        RoleInfoProto role = null;
        if (info != null) {
            leader = leaderOf(topic, partition);
            role = info.isLeader() ? info.getRoleInfoProto() : leader >= 0 ? remoteRole(leader, gid) : null;
        } else {
            for (int r : replicas) {
                RoleInfoProto candidate = remoteRole(r, gid);
                if (candidate != null && candidate.hasLeaderInfo()) {
                    leader = r;
                    role = candidate;
                    break;
                }
            }
        }
        List<Integer> isr = new ArrayList<>();
        if (role != null && role.hasLeaderInfo()) {
            isr.add(Integer.parseInt(role.getSelf().getId().toStringUtf8()));
            for (ServerRpcProto f : role.getLeaderInfo().getFollowerInfoList()) {
                if (f.getLastRpcElapsedTimeMs() <= settings.inSyncLag().toMillis()) {
                    isr.add(Integer.parseInt(f.getId().getId().toStringUtf8()));
                }
            }
            isr.sort(Integer::compare);
        }
        return new PartitionView(leader, replicas, isr);
    }

    /** The role of {@code node} in a group, asked over Raft's admin RPC; null when it cannot answer. */
    private RoleInfoProto remoteRole(int node, RaftGroupId gid) {
        try {
            GroupInfoReply reply = infoClient.getGroupManagementApi(peerId(node)).info(gid);
            return reply.isSuccess() ? reply.getRoleInfoProto() : null;
        } catch (IOException | RuntimeException e) {
            log.debug("cannot ask node {} about {}: {}", node, gid, e.toString());
            return null;
        }
    }

    @PreDestroy
    public void close() {
        groupAdmin.shutdownNow();
        for (RaftClient c : clients.values()) {
            closeQuietly(c);
        }
        closeQuietly(metadataClient);
        closeQuietly(infoClient);
        try {
            server.close();
        } catch (IOException e) {
            log.warn("closing the Raft server failed", e);
        }
        log.info("node {} stopped Raft", self.id());
    }

    private static void closeQuietly(RaftClient c) {
        try {
            c.close();
        } catch (IOException e) {
            log.debug("closing a Raft client failed", e);
        }
    }
}
