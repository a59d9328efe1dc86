package io.tributary.ingest.replication;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.tributary.ingest.cluster.Reassignments.LeaderChange;
import io.tributary.ingest.cluster.Reassignments.Move;
import io.tributary.ingest.cluster.Reassignments;
import io.tributary.ingest.cluster.Reassignments.Running;
import io.tributary.ingest.problem.ProblemException;
import io.tributary.problem.ProblemType;
import io.tributary.ingest.topic.PartitionAssignment;
import io.tributary.ingest.topic.TopicRegistry;
import io.tributary.ingest.topic.UnknownTopicException;
import io.tributary.ingest.problem.InvalidRequestException;
import jakarta.annotation.PreDestroy;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Conditional;
import org.springframework.stereotype.Component;

/**
 * Moves partition replicas between nodes (Kafka's partition reassignment) and hands leadership
 * back to preferred leaders.
 *
 * <p>A move of a partition from replicas {@code old} to {@code target} takes three steps, each
 * safe to repeat, so a crash or a leader change at any point only delays it:
 * <ol>
 *   <li>{@link #start}: a {@link MetadataCommand.Reassign} with replicas = {@code target} then
 *       the rest of {@code old}, and the target. Every node stores it; a node of the target that
 *       held no replica opens an empty log and joins the partition's Raft group.</li>
 *   <li>The partition's leader (whichever node that is; {@link #drive} runs on every node, every
 *       half second, for the partitions it leads) asks Ratis to change the group's configuration
 *       to the target. Ratis first brings the new members up to date (from its log, or they copy
 *       the leader's partition log when the leader purged the entries they need), then commits the
 *       change through the old and new majorities together, so no acknowledged write is lost
 *       whatever fails meanwhile. A leader that is not in the target first hands its leadership
 *       to a node that is (see {@link #handOver}). A group of one member that may have been
 *       written directly first goes back to Raft entries and takes a snapshot
 *       ({@link DirectWrites#readyToGrow}), so the new member copies the leader's log.</li>
 *   <li>A leader that finds its group's configuration equal to the target writes the final
 *       {@code Reassign}: replicas = target, no target. The nodes left out leave the group and
 *       delete their log.</li>
 * </ol>
 * The same driver switches the partitions it leads that are not moving to direct writes and
 * back ({@link DirectWrites#maintain}). A node drives one configuration change at a time, which is the throttle: catch-up traffic is one
 * partition per leading node at once (and a copy is also bounded by its own rate, if set).
 */
@Component
@Conditional(ReplicationEnabledCondition.class)
public class PartitionMoves {

    private static final Logger log = LoggerFactory.getLogger(PartitionMoves.class);

    /** Entries a preferred leader may be behind the leader's commit index and still be handed the lead. */
    static final long MAX_TRANSFER_LAG = 64;

    private final TopicRegistry topics;
    private final RaftNode node;
    private final PartitionGroups groups;
    private final PartitionViews views;
    private final MetadataAdmin metadata;
    private final DirectWrites directWrites;
    private final InSyncReplicas inSync;
    /** Per partition: configuration changes Ratis refused in a row on this leader ({@link #refusedChange}). */
    private final Map<String, Integer> refusedChanges = new ConcurrentHashMap<>();
    private final ScheduledExecutorService driver = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("partition-moves").daemon().factory());

    public PartitionMoves(TopicRegistry topics, RaftNode node, PartitionGroups groups, PartitionViews views,
                          MetadataAdmin metadata, DirectWrites directWrites, InSyncReplicas inSync) {
        this.directWrites = directWrites;
        this.inSync = inSync;
        this.topics = topics;
        this.node = node;
        this.groups = groups;
        this.views = views;
        this.metadata = metadata;
        driver.scheduleWithFixedDelay(this::driveAll, 500, 500, TimeUnit.MILLISECONDS);
        driver.scheduleWithFixedDelay(this::driveNewTerms, 100, 100, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts moves: checks them all first (nothing starts if one is refused), then writes the
     * first step of each. Returns the moves as stored; a move to the replicas a partition already
     * has (same order) is left out, a new order of the same nodes is stored at once (it changes
     * the preferred leader only).
     *
     * @throws UnknownTopicException no such topic or partition
     * @throws ProblemException      INVALID_REQUEST for an empty, repeated or unknown node list or a
     *                               partition named twice; REASSIGNMENT_IN_PROGRESS when a partition
     *                               is already moving
     */
    public List<Running> start(List<Move> moves) {
        Set<String> seen = new HashSet<>();
        for (Move m : moves) {
            TopicRegistry.Topic t = topics.checkPartition(m.topic(), m.partition());
            if (!seen.add(m.topic() + "\u0000" + m.partition())) {
                throw new InvalidRequestException("partition " + m.topic() + "-" + m.partition() + " is named twice");
            }
            List<Integer> target = m.replicas();
            if (target == null || target.isEmpty()) {
                throw new InvalidRequestException(m.topic() + "-" + m.partition()
                        + ": replicas must name at least one node");
            }
            if (new HashSet<>(target).size() != target.size()) {
                throw new InvalidRequestException(m.topic() + "-" + m.partition() + ": replicas " + target
                        + " name a node twice");
            }
            for (Integer n : target) {
                if (n == null || groups.peers().find(n).isEmpty()) {
                    throw new InvalidRequestException(m.topic() + "-" + m.partition() + ": node " + n
                            + " is not a member of the cluster (members: " + groups.peers().peers().stream().map(ClusterPeers.Peer::id).toList() + ")");
                }
            }
            PartitionAssignment stored = t.metadata().assignment(m.partition());
            if (stored != null && stored.moving()) {
                throw new ProblemException(ProblemType.REASSIGNMENT_IN_PROGRESS, m.topic() + "-" + m.partition()
                        + " is already moving to " + stored.target() + "; wait for that move to finish",
                        Map.of("topic", m.topic(), "partition", m.partition(), "target", stored.target()));
            }
        }
        List<Running> started = new ArrayList<>();
        for (Move m : moves) {
            TopicRegistry.Topic t = topics.get(m.topic());
            List<Integer> old = groups.replicas(t, m.partition());
            if (old.equals(m.replicas())) {
                continue;
            }
            boolean sameNodes = Set.copyOf(old).equals(Set.copyOf(m.replicas()));
            LinkedHashSet<Integer> during = new LinkedHashSet<>(m.replicas());
            during.addAll(old);
            List<Integer> replicas = sameNodes ? m.replicas() : List.copyOf(during);
            List<Integer> target = sameNodes ? null : m.replicas();
            // Conditional on no move running, so of two starts racing for a partition one is refused.
            MetadataReply answer = propose(new MetadataCommand.Reassign(t.name(), t.metadata().topicId(),
                    m.partition(), replicas, target, target == null ? null : old, List.of()));
            if (answer instanceof MetadataReply.Conflict c) {
                throw new ProblemException(ProblemType.REASSIGNMENT_IN_PROGRESS, c.detail(),
                        Map.of("topic", m.topic(), "partition", m.partition()));
            }
            started.add(new Running(t.name(), m.partition(), replicas, target, target == null ? null : old));
            log.info("{}-{}: moving replicas from {} to {}", t.name(), m.partition(), old, m.replicas());
        }
        return started;
    }

    /**
     * Cancels a running move (Kafka's {@code kafka-reassign-partitions --cancel}): the partition goes back to the
     * replicas it had before, by the same steps as any move, starting from wherever the move got to (nodes it added
     * are removed from the Raft group and delete their replica; nodes it removed already are added back and catch
     * up). The cancel is one conditional {@code Reassign} that swaps the move's target and original, so cancelling
     * it again resumes the first move; if the move ends before the cancel is applied, the cancel is refused.
     *
     * @throws UnknownTopicException no such topic or partition
     * @throws ProblemException      NO_REASSIGNMENT_IN_PROGRESS when the partition is not moving (or the move ended
     *                               meanwhile); INVALID_REQUEST for a move started by an earlier version, whose
     *                               original replicas are not known
     */
    public Running cancel(String topic, int partition) {
        TopicRegistry.Topic t = topics.checkPartition(topic, partition);
        PartitionAssignment a = t.metadata().assignment(partition);
        if (a == null || !a.moving()) {
            throw new ProblemException(ProblemType.NO_REASSIGNMENT_IN_PROGRESS, topic + "-" + partition
                    + " is not moving", Map.of("topic", topic, "partition", partition));
        }
        if (a.original() == null) {
            throw new InvalidRequestException(topic + "-" + partition + ": the move to " + a.target()
                    + " was started by an earlier version, which did not store the replicas before it; move the "
                    + "partition again once it ended");
        }
        LinkedHashSet<Integer> replicas = new LinkedHashSet<>(a.original());
        replicas.addAll(a.replicas());
        MetadataReply answer = propose(new MetadataCommand.Reassign(t.name(), t.metadata().topicId(), partition,
                List.copyOf(replicas), a.original(), a.target(), a.target()));
        if (answer instanceof MetadataReply.Conflict c) {
            throw new ProblemException(ProblemType.NO_REASSIGNMENT_IN_PROGRESS, c.detail(),
                    Map.of("topic", topic, "partition", partition));
        }
        log.info("{}-{}: move to {} cancelled: going back to {}", topic, partition, a.target(), a.original());
        return new Running(t.name(), partition, List.copyOf(replicas), a.original(), a.target());
    }

    /**
     * A proposal that spreads the partitions of {@code topicNames} (every user topic when empty) evenly over
     * {@code nodes} (every member when empty): {@link ReassignmentPlanner}. Partitions moving already are skipped.
     */
    public Reassignments.Plan plan(List<Integer> nodes, List<String> topicNames) {
        List<Integer> members = groups.peers().peers().stream().map(ClusterPeers.Peer::id).sorted().toList();
        if (nodes != null && nodes.contains(null)) {
            throw new InvalidRequestException("nodes " + nodes + " name no node where a node id belongs");
        }
        List<Integer> over = nodes == null || nodes.isEmpty() ? members : nodes.stream().sorted().toList();
        if (new HashSet<>(over).size() != over.size()) {
            throw new InvalidRequestException("nodes " + nodes + " name a node twice");
        }
        for (int n : over) {
            if (!members.contains(n)) {
                throw new InvalidRequestException("node " + n + " is not a member of the cluster (members: " + members + ")");
            }
        }
        List<TopicRegistry.Topic> chosen = topicNames == null || topicNames.isEmpty()
                ? topics.list().stream().filter(t -> !t.metadata().internal()).toList()
                : topicNames.stream().distinct().map(topics::get).toList();
        List<ReassignmentPlanner.Current> current = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (TopicRegistry.Topic t : chosen) {
            for (int p = 0; p < t.partitions().size(); p++) {
                PartitionAssignment a = t.metadata().assignment(p);
                if (a != null && a.moving()) {
                    skipped.add(t.name() + "-" + p);
                } else {
                    current.add(new ReassignmentPlanner.Current(t.name(), p, groups.replicas(t, p)));
                }
            }
        }
        try {
            return ReassignmentPlanner.proposal(over, current, skipped);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
    }

    /** The partitions whose replicas are being moved, as this node knows them. */
    public List<Running> running() {
        List<Running> out = new ArrayList<>();
        for (TopicRegistry.Topic t : topics.list()) {
            for (int p = 0; p < t.partitions().size(); p++) {
                PartitionAssignment a = t.metadata().assignment(p);
                if (a != null && a.moving()) {
                    out.add(new Running(t.name(), p, a.replicas(), a.target(), a.original()));
                }
            }
        }
        return out;
    }

    /**
     * Hands the leadership of every partition (of one topic, or all when {@code topic} is null)
     * to its preferred leader, the first of its replicas, where that node is in sync and does not
     * lead it already. Service-owned topics are included.
     */
    public List<LeaderChange> electPreferredLeaders(String topic) {
        List<TopicRegistry.Topic> chosen = topic == null ? List.copyOf(topics.list()) : List.of(topics.get(topic));
        List<LeaderChange> out = new ArrayList<>();
        for (TopicRegistry.Topic t : chosen) {
            for (int p = 0; p < t.partitions().size(); p++) {
                out.add(electPreferredLeader(t, p));
            }
        }
        return out;
    }

    /** {@link #electPreferred}, except for a partition that is moving (result {@code moving}). */
    public LeaderChange electPreferredLeader(TopicRegistry.Topic t, int p) {
        PartitionAssignment a = t.metadata().assignment(p);
        if (a != null && a.moving()) {
            return new LeaderChange(t.name(), p, a.replicas().get(0), views.leaderOf(t, p), "moving");
        }
        return electPreferred(t, p);
    }

    /**
     * Hands the lead of one partition to its preferred leader where that node is in sync and caught up (the result
     * says how it went). Caught up: its commit index, as the leader last heard it, at most {@link #MAX_TRANSFER_LAG}
     * entries behind the leader's. While a Raft leadership transfer waits for its target to catch up, Ratis refuses
     * the partition's writes, so a transfer to a lagging node would stall writers for up to the request timeout.
     */
    LeaderChange electPreferred(TopicRegistry.Topic t, int p) {
        PartitionViews.PartitionView view = views.view(t, p);
        int preferred = view.replicas().get(0);
        long behind = view.behind(preferred);
        String result;
        if (view.leader() == preferred) {
            result = "already-leader";
        } else if (view.leader() < 0) {
            result = "no-leader";
        } else if (!view.inSyncReplicas().contains(preferred)) {
            result = "not-in-sync";
        } else if (behind < 0 || behind > MAX_TRANSFER_LAG) {
            result = "lagging";
            log.info("{}-{}: lead not handed to node {}: it is {} behind the leader's commit", t.name(), p, preferred,
                    behind < 0 ? "an unknown number of entries" : behind + " entries");
        } else {
            String failure = node.transferLeadership(groups.partitionGroup(t, p), preferred);
            result = failure == null ? "elected" : "failed: " + failure;
        }
        return new LeaderChange(t.name(), p, preferred, view.leader(), result);
    }

    private void driveAll() {
        try {
            for (TopicRegistry.Topic t : topics.list()) {
                for (int p = 0; p < t.partitions().size(); p++) {
                    PartitionAssignment a = t.metadata().assignment(p);
                    if (t.hosts(p)) {
                        directWrites.snapshotIfDue(t, p); // led or followed
                    }
                    if (views.leaderTerm(t, p) < 0) {
                        continue;
                    }
                    if (a != null && a.moving()) {
                        // Still written by its leader until the move switches it back: the set goes on changing.
                        inSync.maintain(t, p);
                        drive(t, p, a);
                    } else {
                        directWrites.maintain(t, p);
                        inSync.maintain(t, p);
                    }
                }
            }
        } catch (RuntimeException e) {
            log.warn("driving partition moves failed; trying again", e);
        }
    }

    /** The in-sync checks of the partitions whose leader became ready here just now (on the same thread). */
    private void driveNewTerms() {
        try {
            for (TopicRegistry.Topic t : topics.list()) {
                for (int p = 0; p < t.partitions().size(); p++) {
                    if (t.hosts(p)) {
                        inSync.maintainNewTerm(t, p);
                    }
                }
            }
        } catch (RuntimeException e) {
            log.warn("checking the in-sync replicas of new leaders failed; trying again", e);
        }
    }

    /** One step of a move of a partition this node leads (see the class comment). */
    private void drive(TopicRegistry.Topic t, int p, PartitionAssignment a) {
        RaftGroupId gid = PartitionGroups.groupId(t, p);
        RaftServer.Division division = node.division(gid);
        if (division == null) {
            return;
        }
        RaftConfiguration conf = division.getRaftConf();
        if (!conf.getPreviousPeers().isEmpty()) {
            return; // a change is being committed
        }
        Set<Integer> members = new HashSet<>();
        for (RaftPeer peer : conf.getCurrentPeers()) {
            members.add(Integer.parseInt(peer.getId().toString()));
        }
        if (!members.equals(Set.copyOf(a.target()))) {
            List<Integer> next = nextConfiguration(members, a.target());
            List<Integer> unreachable = new ArrayList<>();
            if (!next.equals(a.target())) { // the last step removes every leaving member anyway
                for (int n : members) {
                    if (!a.target().contains(n) && n != groups.nodeId() && !views.runsMember(n, gid)) {
                        unreachable.add(n);
                    }
                }
            }
            if (!unreachable.isEmpty()) {
                // Removing a dead node first changes no fault tolerance (the group already needs all
                // the others) and keeps Ratis from waiting for it: a follower whose log appender
                // Ratis 3.2.0 restarted (after an append it could not build) counts as catching up,
                // and a configuration change that adds a member waits for every member catching up,
                // a dead one too, until the staging timeout, then fails again and again.
                next = new ArrayList<>(members);
                next.removeAll(unreachable);
                log.info("{}-{}: removing unreachable node(s) {} from the Raft group first", t.name(), p, unreachable);
            }
            if (!next.contains(groups.nodeId())) {
                handOver(t, p, a.target());
                return;
            }
            for (int n : next) {
                if (!members.contains(n) && !views.runsMember(n, gid)) {
                    // Not joined yet (or down): Ratis must not send to a member that is still starting.
                    log.debug("{}-{}: waiting for node {} to join the Raft group", t.name(), p, n);
                    return;
                }
            }
            if ((members.size() == 1 && next.size() > 1 || directWrites.writtenDirectly(t, p))
                    && !directWrites.readyToGrow(t, p)) {
                // Written directly or by its leader and fetched (or it may have been): batches that were never
                // Raft entries. Back to Raft entries first, and a new member copies the log instead of following.
                return;
            }
            log.info("{}-{}: changing the Raft group from {} to {} (target {})", t.name(), p, members, next, a.target());
            try (RaftClient admin = node.localAdminClient(groups.partitionGroup(t, p))) {
                RaftClientReply reply = admin.admin().setConfiguration(groups.raftPeers(next));
                if (!reply.isSuccess()) {
                    log.info("{}-{}: configuration change not done yet: {}", t.name(), p, reply.getException());
                    refusedChange(t, p, members, String.valueOf(reply.getException()));
                    return;
                }
            } catch (IOException | RuntimeException e) {
                log.info("{}-{}: configuration change not done yet: {}", t.name(), p, e.toString());
                refusedChange(t, p, members, e.toString());
                return;
            }
            refusedChanges.remove(t.name() + "-" + p);
            log.info("{}-{}: the Raft group is now {}", t.name(), p, next);
            if (!next.equals(a.target())) {
                return; // more steps on the next round
            }
        }
        // Conditional: a cancel that came first wins, and this node then drives the move back.
        MetadataReply answer = propose(new MetadataCommand.Reassign(t.name(), t.metadata().topicId(), p, a.target(),
                null, null, a.target()));
        if (answer instanceof MetadataReply.Conflict c) {
            log.info("{}-{}: the move to {} was not ended: {}", t.name(), p, a.target(), c.detail());
            return;
        }
        log.info("{}-{}: move to {} done", t.name(), p, a.target());
    }

    /**
     * Ratis 3.2.0 may refuse every change of a group's members on one leader with an
     * IllegalStateException: after a member was removed and is added back, the leader still holds a
     * log appender for it ("Found duplicated element" in its sender list; seen in CI). A new leader
     * starts with a fresh list, so after three such refusals in a row this leader hands its lead to
     * another member in sync, which then drives the move.
     */
    private void refusedChange(TopicRegistry.Topic t, int p, Set<Integer> members, String failure) {
        String key = t.name() + "-" + p;
        if (!failure.contains("IllegalStateException")) {
            refusedChanges.remove(key);
            return;
        }
        if (refusedChanges.merge(key, 1, Integer::sum) < 3) {
            return;
        }
        refusedChanges.remove(key);
        List<Integer> others = new ArrayList<>(members);
        others.remove(Integer.valueOf(groups.nodeId()));
        log.warn("{}: Ratis refused the configuration change three times on this leader; handing the lead to one of {}",
                key, others);
        handOver(t, p, others);
    }

    /**
     * A leader never removes itself from its group: it first hands its leadership to an in-sync
     * node of the target, which then drives the removal. (Ratis closes a leader that commits its own
     * removal from inside its commit path, holding the division's lock that a write in flight waits
     * for, and the close then waits for that write: the division never stops, keeps its followers
     * from electing anyone else and the move never ends.)
     */
    private void handOver(TopicRegistry.Topic t, int p, List<Integer> target) {
        List<Integer> inSync = views.view(t, p).inSyncReplicas();
        for (int n : target) {
            if (inSync.contains(n)) {
                log.info("{}-{}: handing leadership to node {} before leaving the Raft group", t.name(), p, n);
                String failure = node.transferLeadership(groups.partitionGroup(t, p), n);
                if (failure != null) {
                    log.info("{}-{}: leadership not handed to node {} yet: {}", t.name(), p, n, failure);
                }
                return;
            }
        }
        log.debug("{}-{}: waiting for a node of {} to be in sync before leaving the Raft group", t.name(), p, target);
    }

    /**
     * The next configuration on the way from {@code members} to {@code target}: one new member at
     * a time while any is missing, then every member left out at once. Ratis refuses a change whose
     * new members are as many as the old ones it keeps (it would hand the majority to nodes that
     * have not caught up), so a swap such as {1,2} -> {3,1} goes {1,2,3}, then {3,1}; a removal
     * alone is always allowed.
     */
    static List<Integer> nextConfiguration(Set<Integer> members, List<Integer> target) {
        List<Integer> next = new ArrayList<>(members);
        for (int n : target) {
            if (!members.contains(n)) {
                next.add(n);
                return next;
            }
        }
        return target;
    }

    /** Proposes a step of a move; answers {@link MetadataReply.Ok} or {@link MetadataReply.Conflict}. */
    private MetadataReply propose(MetadataCommand.Reassign cmd) {
        MetadataReply answer = metadata.propose(cmd, "reassign " + cmd.name() + "-" + cmd.partition());
        if (answer instanceof MetadataReply.Unknown u) {
            throw new UnknownTopicException(u.detail());
        } else if (answer instanceof MetadataReply.Invalid i) {
            throw new InvalidRequestException(i.detail());
        }
        return answer;
    }

    @PreDestroy
    void close() {
        driver.shutdownNow();
    }
}
