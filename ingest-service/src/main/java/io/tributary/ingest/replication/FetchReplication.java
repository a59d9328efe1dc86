package io.tributary.ingest.replication;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.kafka.ForwardedAppends;
import io.tributary.ingest.kafka.KafkaServer;
import io.tributary.ingest.kafka.ListenerSettings;
import io.tributary.ingest.kafka.ReplicaListener;
import io.tributary.ingest.kafka.ReplicaSource;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.replication.fetch.FollowedPartition;
import io.tributary.ingest.replication.fetch.FollowerFetcher;
import io.tributary.ingest.topic.TopicRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import org.apache.kafka.common.Uuid;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Conditional;
import org.springframework.stereotype.Component;

/**
 * The Kafka-shape write path's moving parts on this node ({@code ingest.replication.fetch-writes}):
 * the replication listener, where followers fetch the partitions this node leads, and one fetcher
 * per other node, keeping this node's replicas of the partitions that node leads up to date.
 * A partition takes part once a FETCH mode entry switched it ({@link DirectWrites#maintain}); its
 * leader and leader epoch are its Raft group's leader and term.
 */
@Component
@Conditional(ReplicationEnabledCondition.class)
@ConditionalOnProperty(name = "ingest.replication.fetch-writes", havingValue = "true", matchIfMissing = true)
class FetchReplication implements ReplicaSource {

    private static final Logger log = LoggerFactory.getLogger(FetchReplication.class);

    private final RaftNode node;
    private final PartitionGroups groups;
    private final TopicRegistry topics;
    private final ReplicationProperties settings;
    private final FailedReplicas failed;
    private final ForwardedAppends forwarded;
    /**
     * The largest frame the listener takes: a follower's fetch, or a batch another node forwards, which is at most a
     * produce body's size (JSON, larger than the batch it makes); twice that, so that a batch refused as too large
     * for its topic is refused by the leader, not by closing the connection under every forward on it.
     */
    private final int maxFrame;
    private final Map<Integer, FollowerFetcher> fetchers = new ConcurrentHashMap<>();
    private final ExecutorService completions = Executors.newFixedThreadPool(2,
            Thread.ofPlatform().name("replica-completion-", 1).daemon().factory());
    private final ScheduledExecutorService peerCheck = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("replica-fetchers").daemon().factory());
    private KafkaServer listener;

    FetchReplication(RaftNode node, PartitionGroups groups, TopicRegistry topics, ReplicationProperties settings,
                     FailedReplicas failed, ForwardedAppends forwarded, IngestProperties properties) {
        this.forwarded = forwarded;
        this.maxFrame = (int) Math.min(Integer.MAX_VALUE,
                2L * Math.max(1 << 20, properties.produce().maxRequestBytes()));
        this.node = node;
        this.groups = groups;
        this.topics = topics;
        this.settings = settings;
        this.failed = failed;
    }

    @PostConstruct
    void start() {
        ClusterPeers.Peer self = groups.self();
        String bindHost = settings.raftBindHost().isBlank() ? self.host() : settings.raftBindHost();
        listener = ReplicaListener.create(new ListenerSettings("replica", "the replica port of ingest.cluster.peers",
                bindHost, self.replicaPortOrDefault(), 1, 2, maxFrame, true), this, forwarded,
                settings.fetchMaxWait().toMillis(), completions);
        listener.start();
        // Members added later get a fetcher at the next check.
        peerCheck.scheduleWithFixedDelay(this::startFetchers, 0, 1, TimeUnit.SECONDS);
    }

    /** A fetcher for every other member that has none yet. */
    private void startFetchers() {
        for (ClusterPeers.Peer peer : groups.peers().peers()) {
            int id = peer.id();
            if (id == groups.nodeId() || fetchers.containsKey(id)) {
                continue;
            }
            FollowerFetcher fetcher = new FollowerFetcher(groups.nodeId(), id, () -> address(id),
                    () -> followedOn(id), new FollowerFetcher.Settings(settings.fetchMaxWait(), 1 << 20, 8 << 20,
                    java.time.Duration.ofMillis(100), java.time.Duration.ofSeconds(2)));
            fetchers.put(id, fetcher);
            Thread.ofPlatform().name("replica-fetcher-" + id).daemon().start(fetcher);
            log.info("node {} fetches the partitions node {} leads from {}", groups.nodeId(), id, peer.host() + ":"
                    + peer.replicaPortOrDefault());
        }
    }

    private InetSocketAddress address(int id) {
        ClusterPeers.Peer peer = groups.peers().find(id).orElseThrow(() -> new IllegalStateException("node " + id
                + " is no longer a member"));
        return new InetSocketAddress(peer.host(), peer.replicaPortOrDefault());
    }

    /**
     * The partitions written by their leader (FETCH) that this node follows and {@code leader} leads now. A replica
     * whose storage failed is not followed: its fetches would keep counting it as alive at the leader (and, with
     * nothing new to append, as caught up), so the in-sync set would wait the whole in-sync lag to drop it.
     */
    private List<FollowedPartition> followedOn(int leader) {
        RaftPeerId leaderId = PartitionGroups.peerId(leader);
        List<FollowedPartition> out = new ArrayList<>();
        for (TopicRegistry.Topic t : topics.list()) {
            String id = t.metadata().topicId();
            if (id == null) {
                continue;
            }
            for (int p = 0; p < t.partitions().size(); p++) {
                if (!t.hosts(p) || failed.hasFailed(t.name(), p)) {
                    continue;
                }
                RaftServer.Division d = node.division(PartitionGroups.groupId(t, p));
                if (d == null || !(d.getStateMachine() instanceof PartitionStateMachine sm) || !sm.fetched()) {
                    continue;
                }
                DivisionInfo info = d.getInfo();
                if (!info.isLeader() && leaderId.equals(info.getLeaderId())) {
                    out.add(new FollowedPartition(Uuid.fromString(id), t.name(), p, sm.partitionLog(),
                            (int) info.getCurrentTerm(), sm::learnKeys, sm::storageFailed));
                }
            }
        }
        return out;
    }

    @Override
    public Replica replica(Uuid topicId, int partition) {
        TopicRegistry.Topic topic = topics.byId(topicId.toString());
        if (topic == null || partition < 0 || partition >= topic.partitions().size() || !topic.hosts(partition)
                || failed.hasFailed(topic.name(), partition)) {
            return null; // a failed replica serves nothing, as one this node does not host
        }
        RaftServer.Division d = node.division(PartitionGroups.groupId(topic, partition));
        if (d == null || !(d.getStateMachine() instanceof PartitionStateMachine sm)) {
            return null;
        }
        return new Replica() {
            @Override
            public int leaderEpoch() {
                DivisionInfo info = d.getInfo();
                // A leader left out of the in-sync set serves nothing: its followers keep their logs.
                return sm.fetched() && info.isLeader() && info.isLeaderReady() && sm.inSync(groups.nodeId())
                        ? (int) info.getCurrentTerm() : -1;
            }

            @Override
            public PartitionLog log() {
                return sm.partitionLog();
            }

            @Override
            public void fetchedBy(int replicaId, long offset) {
                // The replicas as they are at this fetch's answer, not at its start: a move may change them while
                // it waits, and a view told the old ones again would forget what it learnt of the new.
                Set<Integer> followers = new HashSet<>(groups.replicas(topic, partition));
                followers.remove(groups.nodeId());
                sm.progress(d.getInfo().getCurrentTerm(), followers, settings.inSyncLag()).fetchedBy(replicaId, offset);
            }

            @Override
            public byte[] besideBatches(long from, long to) {
                return sm.shippedKeys(from, to);
            }
        };
    }

    @PreDestroy
    void stop() {
        peerCheck.shutdownNow();
        fetchers.values().forEach(FollowerFetcher::close);
        if (listener != null) {
            listener.stop();
        }
        completions.shutdownNow();
    }
}
