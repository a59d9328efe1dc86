package io.tributary.ingest.replication;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.tributary.ingest.log.LeaderEpochs;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.replication.fetch.ReplicaProgress;
import io.tributary.ingest.topic.TopicRegistry;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Conditional;
import org.springframework.stereotype.Component;

/**
 * The in-sync set of the partitions this node leads while they are written the Kafka way (FETCH;
 * docs/replication.md, "The in-sync set"). Run by the driver of moves every half second per
 * partition led here, moving ones included ({@link #maintain}), and every 100 ms in a term's first
 * two election timeouts ({@link #maintainNewTerm}): a follower that has not caught up for
 * {@code ingest.replication.in-sync-lag}, or that the group's Raft heartbeats have not reached for the
 * election timeout, is dropped, one whose log reaches the high watermark again
 * is added back, each change an {@link InSyncEntry} of the partition's Raft group. A leader that the
 * recorded set leaves out (Ratis elected it, but it may lack acknowledged records) hands its
 * leadership to a replica of the set instead of serving.
 */
@Component
@Conditional(ReplicationEnabledCondition.class)
class InSyncReplicas {

    private static final Logger log = LoggerFactory.getLogger(InSyncReplicas.class);

    private final RaftNode node;
    private final PartitionGroups groups;
    private final ReplicationProperties settings;
    private final PauseWatch pauses;

    InSyncReplicas(RaftNode node, PartitionGroups groups, ReplicationProperties settings, PauseWatch pauses) {
        this.node = node;
        this.groups = groups;
        this.settings = settings;
        this.pauses = pauses;
    }

    /** For a fetched partition this node leads (ready): keeps its recorded in-sync set up to date. */
    void maintain(TopicRegistry.Topic topic, int partition) {
        RaftServer.Division d = node.division(PartitionGroups.groupId(topic, partition));
        if (d == null || !(d.getStateMachine() instanceof PartitionStateMachine sm) || !sm.fetched()
                || !d.getInfo().isLeader() || !d.getInfo().isLeaderReady()) {
            return;
        }
        String tp = topic.name() + "-" + partition;
        int self = groups.nodeId();
        long term = d.getInfo().getCurrentTerm();
        List<Integer> replicas = groups.replicas(topic, partition);
        List<Integer> recorded = sm.inSyncReplicas();
        if (recorded != null && !recorded.contains(self)) {
            handOver(topic, partition, recorded, d);
            return;
        }
        ReplicaProgress progress = sm.progress(term, followers(replicas), settings.inSyncLag());
        Set<Integer> out = new TreeSet<>(progress.outOfSync());
        Duration timeout = settings.electionTimeout();
        // After a pause of this node's own process the answers it did not hear may have come in time: nobody is
        // judged silent then, only out of sync.
        Set<Integer> silent = pauses.pausedWithin(timeout) ? new TreeSet<>()
                : silent(d, progress, timeout, sm.previousLeader());
        out.addAll(silent);
        // Only a follower that fetched within the timeout joins: a node stopped while nothing was written still
        // "reaches" the high watermark, and one outside the Raft group, as while a move waits for it, is never
        // Raft-silent either.
        Set<Integer> ready = new TreeSet<>(progress.readyToJoin(epochStart(sm.partitionLog(), term), timeout));
        ready.removeAll(silent);
        // With no entry yet every replica counts as recorded, but a replica a move added in this term starts out
        // of sync in this leader's view: the entry that says so is due too.
        Set<Integer> before = new TreeSet<>(recorded == null ? replicas : recorded);
        Set<Integer> next = new TreeSet<>(recorded == null ? progress.inSync() : recorded);
        next.add(self);
        next.removeAll(out);
        next.addAll(ready);
        if (next.equals(before)) {
            return; // nothing new, or a joiner counted already and waiting for its entry
        }
        int sequence = sm.nextInSyncSequence(term);
        if (sequence == 0) {
            return; // the view is of another term: it is made anew at the next fetch
        }
        if (!ready.isEmpty()) {
            progress.joining(ready, sequence); // counted before it is recorded (ReplicaProgress#joining)
        }
        InSyncEntry entry = new InSyncEntry(term, sequence, new ArrayList<>(next));
        String failure = node.proposeAsLeader(PartitionGroups.groupId(topic, partition), entry.encode());
        if (failure != null) {
            log.info("{}: in-sync replicas {} not recorded (out of sync: {}, caught up: {}): {}", tp, next, out,
                    ready, failure);
        }
    }

    /**
     * Followers to drop at once for silence: the group's Raft heartbeats have not reached them for the election
     * timeout and they have not fetched for as long (a follower that fetches is alive). At a term's start the
     * election has already waited a timeout for the old leader, which is usually the one that is down: if it has
     * neither answered this leader's Raft for half a timeout (Ratis counts from the term's start) nor fetched once
     * in the term, it goes too ({@link #maintainNewTerm} checks every 100 ms early in a term). Only the old leader:
     * a live follower on a loaded machine can take more than half a timeout to answer a new leader's first append,
     * and dropping it left the set below min-insync-replicas (seen in CI).
     */
    private static Set<Integer> silent(RaftServer.Division d, ReplicaProgress progress, Duration timeout,
                                       int previousLeader) {
        Map<Integer, Long> raftSilence = raftSilenceMs(d); // one read of the group's follower info
        Set<Integer> silent = silentFor(raftSilence, timeout);
        silent.retainAll(progress.notFetchingFor(timeout));
        if (raftSilence.getOrDefault(previousLeader, 0L) > timeout.dividedBy(2).toMillis()
                && progress.neverFetched().contains(previousLeader)) {
            silent.add(previousLeader);
        }
        return silent;
    }

    /**
     * The same as {@link #maintain}, only for a partition whose leader became ready here less than two election
     * timeouts ago: the rounds of a term's start, run more often than the others, since nothing is acknowledged
     * until the old leader (usually the one down) has left the in-sync set.
     */
    void maintainNewTerm(TopicRegistry.Topic topic, int partition) {
        RaftServer.Division d = node.division(PartitionGroups.groupId(topic, partition));
        if (d != null && d.getStateMachine() instanceof PartitionStateMachine sm
                && sm.leaderReadyLessThan(settings.electionTimeout().multipliedBy(2))) {
            maintain(topic, partition);
        }
    }

    /**
     * Followers this leader's Raft group has not heard from for more than {@code limit} (the caller also
     * asks that they have not fetched for as long): down or paused (a live follower answers the
     * heartbeats several times per timeout, and fetches at least every fetch-max-wait). Dropping them at once, not
     * after the in-sync lag, is what keeps a failover short: a new leader's counting starts with the
     * old leader, which is usually the one that is down, and until it is dropped nothing is answered.
     */
    private static Set<Integer> silentFor(Map<Integer, Long> raftSilenceMs, Duration limit) {
        Set<Integer> silent = new TreeSet<>();
        raftSilenceMs.forEach((id, ms) -> {
            if (ms > limit.toMillis()) {
                silent.add(id);
            }
        });
        return silent;
    }

    /** Per follower of this leader's group: how long since its last answer to the leader's Raft, in ms. */
    private static Map<Integer, Long> raftSilenceMs(RaftServer.Division d) {
        Map<Integer, Long> out = new HashMap<>();
        for (ServerRpcProto f : d.getInfo().getRoleInfoProto().getLeaderInfo().getFollowerInfoList()) {
            out.put(Integer.parseInt(f.getId().getId().toStringUtf8()), f.getLastRpcElapsedTimeMs());
        }
        return out;
    }

    /**
     * Hands the lead to a replica of the recorded set that Ratis takes it for, the one heard from last first.
     * A replica the group has not heard from for the election timeout is not asked (it may be the one that is
     * down: a transfer to it waits out its whole timeout while writes are refused), and each transfer is given
     * up after two election timeouts, since this runs on the moves driver's thread. With none to ask, this node
     * keeps refusing writes and asks again next round.
     */
    private void handOver(TopicRegistry.Topic topic, int partition, List<Integer> recorded, RaftServer.Division d) {
        Map<Integer, Long> silence = raftSilenceMs(d);
        long limitMs = settings.electionTimeout().toMillis();
        List<Integer> candidates = recorded.stream()
                .filter(id -> silence.getOrDefault(id, Long.MAX_VALUE) <= limitMs)
                .sorted(Comparator.comparingLong(silence::get)).toList();
        if (candidates.isEmpty()) {
            log.debug("{}-{}: this node leads but is not in the in-sync set {}, and none of it answers", topic.name(),
                    partition, recorded);
            return;
        }
        for (int to : candidates) {
            log.warn("{}-{}: this node leads but is not in the in-sync set {}; it may lack acknowledged records and "
                    + "hands the lead to node {}", topic.name(), partition, recorded, to);
            String failure = node.transferLeadership(groups.partitionGroup(topic, partition), to,
                    settings.electionTimeout().multipliedBy(2));
            if (failure == null) {
                return;
            }
            log.info("{}-{}: node {} did not take the lead: {}", topic.name(), partition, to, failure);
        }
    }

    /**
     * How many replicas of a fetched partition are in sync as recorded, the leader included (every
     * replica when no entry left one out), and how many a produce needs: {@code min-insync-replicas},
     * capped at the replication factor. Null when there are enough.
     */
    String shortOfReplicas(PartitionStateMachine sm, int replicationFactor) {
        List<Integer> recorded = sm.inSyncReplicas();
        int inSync = recorded == null ? replicationFactor : recorded.size();
        int needed = Math.min(settings.minInsyncReplicas(), replicationFactor);
        return inSync >= needed ? null : "in-sync replicas " + recorded + " are fewer than "
                + "ingest.replication.min-insync-replicas (" + needed + ")";
    }

    /** After the leader appended: the high watermark follows its log end when no follower is in sync. */
    void appended(PartitionStateMachine sm, long term, List<Integer> replicas) {
        ReplicaProgress progress = sm.progressIn(term); // the usual case: no follower set built per append
        (progress != null ? progress : sm.progress(term, followers(replicas), settings.inSyncLag())).appended();
    }

    private Set<Integer> followers(List<Integer> replicas) {
        Set<Integer> followers = new HashSet<>(replicas);
        followers.remove(groups.nodeId());
        return followers;
    }

    /** Where this leader's epoch starts in its log: its first batch of that epoch, or its log end before one. */
    private static long epochStart(PartitionLog log, long term) {
        List<LeaderEpochs.Entry> history = log.epochHistory();
        LeaderEpochs.Entry last = history.isEmpty() ? null : history.get(history.size() - 1);
        return last != null && last.epoch() == term ? last.startOffset() : log.logEndOffset();
    }
}
