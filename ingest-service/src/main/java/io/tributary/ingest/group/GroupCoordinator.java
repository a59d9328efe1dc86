package io.tributary.ingest.group;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.ingest.problem.ProblemException;
import io.tributary.problem.ProblemType;
import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.fetch.FetchPosition;
import io.tributary.ingest.fetch.FetchService;
import io.tributary.ingest.fetch.PartitionFetch;
import io.tributary.ingest.group.GroupDtos.GroupDescription;
import io.tributary.ingest.group.GroupDtos.GroupSummary;
import io.tributary.ingest.group.GroupDtos.MemberDescription;
import io.tributary.ingest.group.GroupDtos.MembershipAnswer;
import io.tributary.ingest.group.GroupDtos.OffsetDescription;
import io.tributary.ingest.group.GroupDtos.PartitionRef;
import io.tributary.ingest.log.FetchResult;
import io.tributary.ingest.log.OffsetOutOfRangeException;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.topic.InvalidTopicException;
import io.tributary.ingest.topic.TopicNames;
import io.tributary.ingest.topic.TopicPartition;
import io.tributary.ingest.topic.TopicRegistry;
import io.tributary.ingest.topic.UnknownTopicException;
import io.tributary.ingest.problem.InvalidRequestException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Server-side consumer groups: membership, generations, range assignment, per-member read
 * positions and committed offsets. Clients hold no group state beyond their member id and the
 * {@code pollSeq} of their latest poll answer, so any request may arrive on any thread; each
 * group's state is guarded by the group's own monitor.
 *
 * <p>A poll names the latest answer its client received ({@code after}) and reads on from the
 * positions after it, so a poll sent again after a lost answer reads that answer's records again
 * ({@link MemberPositions}).
 *
 * <p>Every membership change (join, leave, session expiry) and every change of a subscribed
 * topic (created, deleted) starts a new generation with a fresh assignment. A member keeps its
 * read positions for the partitions it still owns; a partition that moves starts at the
 * group's committed offset at its new owner, so uncommitted progress is delivered again.
 *
 * <p>Membership is not durable (members rejoin after a restart, as with Kafka); committed
 * offsets are, through {@link OffsetStore}.
 *
 * <p>A sweeper on the coordinator's own thread removes members silent for longer than their
 * session timeout (checked every quarter of {@code ingest.groups.min-session-timeout}, between
 * 50 ms and 1 s). A member with a poll in flight counts as alive. A member without partitions
 * has its poll parked until the wait ends or the group rebalances, so idle members do not spin.
 */
@Component
public class GroupCoordinator implements TopicRegistry.Listener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GroupCoordinator.class);
    static final int MAX_GROUP_ID_LENGTH = 255;

    /**
     * One poll's answer: the membership it was served under, the records read, and the answer's
     * sequence number (the client's {@code after} on its next poll; see {@link MemberPositions}).
     */
    record PollAnswer(MembershipAnswer membership, List<PartitionFetch> fetches, long pollSeq) {
    }

    private final TopicRegistry topics;
    private final FetchService fetch;
    private final OffsetStore offsets;
    private final GroupPlacement placement;
    private final MeterRegistry meters;
    private final IngestProperties.Groups settings;
    private final LongSupplier clock;
    private final ScheduledExecutorService scheduler;
    /** ingest.group.polls.reread. */
    private final Counter rereads;
    private final Map<String, ConsumerGroup> groups = new ConcurrentHashMap<>();
    /** ingest.limits.max-groups: a join that would create one more group is refused (503, retriable). */
    private int maxGroups = Integer.MAX_VALUE;
    /** ingest.limits.max-members-per-group: a join beyond it is refused (503, retriable). */
    private int maxMembersPerGroup = Integer.MAX_VALUE;
    /** ingest.limits.group-offsets-retention. */
    private long offsetsRetentionMs = java.time.Duration.ofDays(7).toMillis();
    /** Sweeper thread only. */
    private long lastOffsetsExpiryMs;

    @Autowired
    GroupCoordinator(TopicRegistry topics, FetchService fetch, OffsetStore offsets, MeterRegistry meters,
                     IngestProperties props) {
        this(topics, fetch, offsets, meters, props.groups(), System::currentTimeMillis, true);
        this.maxGroups = props.limits().maxGroups();
        this.maxMembersPerGroup = props.limits().maxMembersPerGroup();
        this.offsetsRetentionMs = props.limits().groupOffsetsRetention().toMillis();
        Gauge.builder("ingest.groups", groups, Map::size)
                .description("consumer groups on the node (bounded by ingest.limits.max-groups)").register(meters);
    }

    /**
     * @param clock        epoch millis; tests pass their own
     * @param sweepSessions run the session-expiry sweeper in the background (tests call {@link #expireSessions()})
     */
    GroupCoordinator(TopicRegistry topics, FetchService fetch, OffsetStore offsets, MeterRegistry meters,
                     IngestProperties.Groups settings, LongSupplier clock, boolean sweepSessions) {
        this.topics = topics;
        this.fetch = fetch;
        this.offsets = offsets;
        this.placement = offsets.placement();
        this.meters = meters;
        this.settings = settings;
        this.clock = clock;
        if (settings.maxUnacknowledgedPolls() < 1) {
            throw new IllegalArgumentException("ingest.groups.max-unacknowledged-polls must be at least 1, was "
                    + settings.maxUnacknowledgedPolls());
        }
        this.rereads = Counter.builder("ingest.group.polls.reread")
                .description("group polls that named an earlier answer than the latest (its answer was lost)")
                .register(meters);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("group-coordinator").daemon().factory());
        for (String group : offsets.groups()) {
            ConsumerGroup g = groups.computeIfAbsent(group, this::newGroup);
            synchronized (g) {
                offsets.committed(group).keySet().forEach(tp -> ensureLagGauge(g, tp));
            }
        }
        topics.addListener(this);
        if (sweepSessions) {
            long interval = Math.max(50, Math.min(1000, settings.minSessionTimeout().toMillis() / 4));
            scheduler.scheduleWithFixedDelay(this::sweep, interval, interval, TimeUnit.MILLISECONDS);
        }
    }

    // ---- membership ----------------------------------------------------------------------

    /** Whether a group is in use through another protocol (the Kafka listener's groups). */
    private volatile java.util.function.Predicate<String> otherProtocolActive = g -> false;

    void otherProtocolActive(java.util.function.Predicate<String> check) {
        this.otherProtocolActive = check;
    }

    /** True while the group has members that joined over REST. */
    boolean hasMembers(String groupId) {
        ConsumerGroup g = groups.get(groupId);
        if (g == null) {
            return false;
        }
        synchronized (g) {
            return !g.members.isEmpty();
        }
    }


    /**
     * Adds a member and rebalances.
     *
     * @throws UnknownTopicException   a topic does not exist
     * @throws IllegalArgumentException no topics, a bad session timeout or reset policy, a bad group id
     */
    MembershipAnswer join(String groupId, List<String> subscribed, Long sessionTimeoutMs, String autoOffsetReset) {
        validateGroupId(groupId);
        if (subscribed == null || subscribed.isEmpty()) {
            throw new InvalidRequestException("topics must name at least one topic");
        }
        List<String> topicList = subscribed.stream().distinct().sorted().toList();
        for (String topic : topicList) {
            if (topic == null) {
                throw new InvalidRequestException("topics must not contain null");
            }
            if (TopicNames.isInternal(topic)) {
                throw new InvalidTopicException("internal topic " + topic + " cannot be consumed by a group");
            }
            topics.get(topic);
        }
        long timeout = sessionTimeoutMs == null ? settings.defaultSessionTimeout().toMillis() : sessionTimeoutMs;
        long min = settings.minSessionTimeout().toMillis();
        long max = settings.maxSessionTimeout().toMillis();
        if (timeout < min || timeout > max) {
            throw new InvalidRequestException("sessionTimeoutMs must be between " + min + " and " + max
                    + ", was " + timeout);
        }
        OffsetReset reset = OffsetReset.parse(autoOffsetReset);
        String memberId = "consumer-" + UUID.randomUUID();
        if (otherProtocolActive.test(groupId)) {
            throw new ProblemException(ProblemType.GROUP_IN_USE, "group " + groupId + " has members that joined "
                    + "through the Kafka protocol; a group is used through one protocol at a time");
        }
        return withLiveGroup(groupId, g -> {
            refreshCoordination(g);
            if (g.members.size() >= maxMembersPerGroup) {
                throw new ProblemException(ProblemType.CAPACITY_EXCEEDED, "group " + groupId + " has "
                        + g.members.size() + " members, the limit (ingest.limits.max-members-per-group); retry when"
                        + " members have left", Map.of("limit", "ingest.limits.max-members-per-group"));
            }
            GroupMember m = new GroupMember(memberId, topicList, timeout, reset, clock.getAsLong(),
                    settings.maxUnacknowledgedPolls());
            g.members.put(memberId, m);
            rebalance(g, "member " + memberId + " joined");
            return membership(g, m);
        });
    }

    /** Marks the member alive and tells it its current generation and partitions. */
    MembershipAnswer heartbeat(String groupId, String memberId) {
        ConsumerGroup g = memberGroup(groupId, memberId);
        synchronized (g) {
            refreshCoordination(g);
            GroupMember m = member(g, memberId);
            m.lastSeenMs = clock.getAsLong();
            return membership(g, m);
        }
    }

    /** Removes the member and rebalances. */
    void leave(String groupId, String memberId) {
        ConsumerGroup g = memberGroup(groupId, memberId);
        synchronized (g) {
            refreshCoordination(g);
            member(g, memberId);
            g.members.remove(memberId);
            rebalance(g, "member " + memberId + " left");
            removeIfUnused(g);
        }
    }

    /** Removes members silent for longer than their session timeout; returns how many. */
    int expireSessions() {
        long now = clock.getAsLong();
        int expired = 0;
        for (ConsumerGroup g : groups.values()) {
            synchronized (g) {
                if (placement.clustered() && placement.localEpoch(g.id) != g.epoch && !g.members.isEmpty()) {
                    // This node stopped coordinating the group: its members rejoin at the new coordinator.
                    voidMembership(g, "this node no longer coordinates the group");
                    removeIfUnused(g);
                    continue;
                }
                List<String> gone = new ArrayList<>();
                for (GroupMember m : g.members.values()) {
                    if (m.pollsInFlight == 0 && now - m.lastSeenMs > m.sessionTimeoutMs) {
                        gone.add(m.id);
                    }
                }
                if (!gone.isEmpty()) {
                    gone.forEach(g.members::remove);
                    expired += gone.size();
                    rebalance(g, "session expired for " + gone);
                    removeIfUnused(g);
                }
            }
        }
        return expired;
    }

    /**
     * Drops the committed offsets of groups that have had no members, and no commit, for longer
     * than {@code ingest.limits.group-offsets-retention} (Kafka's {@code offsets.retention.minutes}):
     * the group is then forgotten with its metric series, and stays gone after a restart. On a
     * cluster only the group's coordinator writes the tombstones; the others follow the log.
     */
    void expireOffsets() {
        long now = clock.getAsLong();
        for (ConsumerGroup g : groups.values()) {
            synchronized (g) {
                if (g.dead) {
                    continue;
                }
                if (!g.members.isEmpty()) {
                    g.lastSeenActiveMs = now;
                    continue;
                }
                Map<TopicPartition, OffsetStore.Committed> committed = offsets.committed(g.id);
                long newest = g.lastSeenActiveMs;
                for (OffsetStore.Committed c : committed.values()) {
                    newest = Math.max(newest, c.commitTimestamp());
                }
                if (now - newest <= offsetsRetentionMs) {
                    continue;
                }
                try {
                    offsets.delete(g.id, List.copyOf(committed.keySet()));
                    removeIfUnused(g);
                    if (g.dead) {
                        log.info("group {} expired: empty and no commit for {} ms", g.id, now - newest);
                    }
                } catch (RuntimeException e) {
                    log.warn("could not expire the offsets of group {}", g.id, e);
                }
            }
        }
    }

    private void sweep() {
        try {
            expireSessions();
        } catch (RuntimeException e) {
            log.warn("session sweep failed", e);
        }
        long now = clock.getAsLong();
        if (now - lastOffsetsExpiryMs >= 60_000) {
            lastOffsetsExpiryMs = now;
            try {
                expireOffsets();
            } catch (RuntimeException e) {
                log.warn("offsets expiry failed", e);
            }
        }
    }

    // ---- poll ----------------------------------------------------------------------------

    /**
     * Reads the member's partitions from its positions after the answer the poll names, waiting up
     * to {@code maxWaitMs} for data (without holding a thread), and answers with the positions moved
     * past the records returned. Records of partitions the member lost while the read was parked are
     * dropped.
     *
     * @param after the pollSeq of the latest answer the client received (0: none), or null for the
     *              latest answer issued; a poll sent again after a lost answer names the same one
     *              and reads the lost answer's records again (see {@link MemberPositions})
     * @throws ProblemException UNKNOWN_MEMBER, UNKNOWN_POLL_SEQUENCE
     */
    CompletableFuture<PollAnswer> poll(String groupId, String memberId, Long after, int maxRecords, int maxBytes,
                                       long maxWaitMs) {
        if (after != null && after < 0) {
            throw new InvalidRequestException("after must not be negative, was " + after);
        }
        ConsumerGroup g = memberGroup(groupId, memberId);
        List<FetchPosition> positions = new ArrayList<>();
        CompletableFuture<Void> idle = null;
        Map<TopicPartition, Long> start;
        synchronized (g) {
            refreshCoordination(g);
            GroupMember m = member(g, memberId);
            m.lastSeenMs = clock.getAsLong();
            start = m.positions.startFrom(after, memberId);
            if (after != null && after < m.positions.latest()) {
                rereads.increment();
            }
            for (TopicPartition tp : m.assignment) {
                Long position = position(g, m, tp, start);
                if (position != null) {
                    positions.add(new FetchPosition(tp.topic(), tp.partition(), position));
                }
            }
            m.pollsInFlight++;
            if (positions.isEmpty() && maxWaitMs > 0 && fetch.tryPark()) {
                // Nothing to read: answer when the wait is up, or sooner when the group rebalances.
                // (Over ingest.limits.max-parked-fetches: answered at once, empty.)
                CompletableFuture<Void> waiter = new CompletableFuture<>();
                g.idlePolls.add(waiter);
                waiter.whenComplete((x, e) -> {
                    g.idlePolls.remove(waiter);
                    fetch.unpark();
                });
                idle = waiter.completeOnTimeout(null, maxWaitMs, TimeUnit.MILLISECONDS);
            }
        }
        CompletableFuture<List<PartitionFetch>> read;
        try {
            if (idle != null) {
                read = idle.thenApplyAsync(x -> List.of(), scheduler);
            } else if (positions.isEmpty()) {
                read = CompletableFuture.completedFuture(List.of());
            } else {
                read = fetch.fetchMany(positions, maxRecords, maxBytes, maxWaitMs);
            }
        } catch (RuntimeException e) {
            read = CompletableFuture.failedFuture(e);
        }
        return read.handle((fetches, failure) -> finishPoll(g, memberId, start, positions, fetches, failure));
    }

    /** @param start the positions the poll started from, and with the records' moves its answer's positions */
    private PollAnswer finishPoll(ConsumerGroup g, String memberId, Map<TopicPartition, Long> start,
                                  List<FetchPosition> from, List<PartitionFetch> fetches, Throwable failure) {
        synchronized (g) {
            GroupMember m = g.members.get(memberId);
            if (m == null) {
                throw new CompletionException(unknownMember(g.id, memberId));
            }
            m.pollsInFlight--;
            m.lastSeenMs = clock.getAsLong();
            // A rebalance while the read waited: partitions lost since restart at the committed offset.
            start.keySet().retainAll(new HashSet<>(m.assignment));
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                if (!(cause instanceof OffsetOutOfRangeException) && !(cause instanceof UnknownTopicException)) {
                    throw failure instanceof CompletionException ce ? ce : new CompletionException(cause);
                }
                // Retention moved a log start, or a topic went away: look positions up again next time.
                from.forEach(p -> start.remove(new TopicPartition(p.topic(), p.partition())));
                return new PollAnswer(membership(g, m), List.of(), m.positions.answered(start));
            }
            List<PartitionFetch> delivered = new ArrayList<>(fetches.size());
            for (PartitionFetch f : fetches) {
                TopicPartition tp = new TopicPartition(f.topic(), f.partition());
                Long position = start.get(tp);
                if (position == null) {
                    continue; // lost in a rebalance meanwhile: drop these records
                }
                start.put(tp, Math.max(position, f.nextOffset()));
                if (!f.records().isEmpty()) {
                    delivered.add(f);
                }
            }
            return new PollAnswer(membership(g, m), delivered, m.positions.answered(start));
        }
    }

    /**
     * The member's position in a partition: where it got to ({@code positions}, those after the
     * answer its poll named), else the committed offset, else (or when out of the log's range) the
     * member's reset policy; recorded in {@code positions}. Null when the partition is gone.
     */
    private Long position(ConsumerGroup g, GroupMember m, TopicPartition tp, Map<TopicPartition, Long> positions) {
        FetchResult bounds;
        try {
            // On a cluster, from a replica when this node hosts none of the partition.
            bounds = fetch.bounds(tp.topic(), tp.partition());
        } catch (UnknownTopicException e) {
            return null;
        }
        long start = bounds.logStartOffset();
        long end = bounds.highWatermark();
        Long position = positions.get(tp);
        if (position == null) {
            OffsetStore.Committed committed = offsets.committed(g.id, tp);
            position = committed == null ? null : committed.offset();
        }
        if (position == null || position < start || position > end) {
            position = m.reset == OffsetReset.EARLIEST ? start : end;
        }
        positions.put(tp, position);
        return position;
    }

    // ---- offsets -------------------------------------------------------------------------

    /**
     * Commits next-offsets-to-consume; returns after they are appended to the offsets topic.
     *
     * @throws ProblemException UNKNOWN_MEMBER, REBALANCE_IN_PROGRESS for a stale generation, FENCED
     *                          for a partition the member does not own
     */
    void commit(String groupId, String memberId, int generation, Map<TopicPartition, Long> committed) {
        committed.forEach((tp, offset) -> {
            if (offset < 0) {
                throw new InvalidRequestException("offset of " + tp + " must not be negative, was " + offset);
            }
        });
        ConsumerGroup g = memberGroup(groupId, memberId);
        synchronized (g) {
            refreshCoordination(g);
            GroupMember m = member(g, memberId);
            long now = clock.getAsLong();
            m.lastSeenMs = now;
            if (generation != g.generation) {
                throw new ProblemException(ProblemType.REBALANCE_IN_PROGRESS, "generation " + generation
                        + " of group " + groupId + " is stale; the group is at generation " + g.generation,
                        Map.of("generation", g.generation));
            }
            Set<TopicPartition> owned = new HashSet<>(m.assignment);
            for (TopicPartition tp : committed.keySet()) {
                if (!owned.contains(tp)) {
                    throw new ProblemException(ProblemType.FENCED, "partition " + tp + " is not assigned to member "
                            + memberId + " in generation " + g.generation, Map.of("generation", g.generation));
                }
            }
            offsets.commit(g.id, committed, now);
            committed.keySet().forEach(tp -> ensureLagGauge(g, tp));
        }
    }

    // ---- describe ------------------------------------------------------------------------

    List<GroupSummary> list() {
        List<GroupSummary> out = new ArrayList<>();
        if (placement.clustered()) {
            return listCoordinatedHere();
        }
        SortedSet<String> offsetsOnly = new TreeSet<>(offsets.groups());
        offsetsOnly.removeAll(groups.keySet());
        for (ConsumerGroup g : new TreeMap<>(groups).values()) {
            synchronized (g) {
                if (!g.dead) {
                    out.add(new GroupSummary(g.id, g.generation, g.members.size(), g.state()));
                }
            }
        }
        // Committed by Kafka clients (the Kafka listener's groups share the offsets store).
        offsetsOnly.forEach(id -> out.add(new GroupSummary(id, 0, 0, "Empty")));
        out.sort(java.util.Comparator.comparing(GroupSummary::group));
        return out;
    }

    /**
     * On a cluster: the groups this node coordinates now, those with members and those known
     * only by their committed offsets (the other nodes list theirs).
     */
    private List<GroupSummary> listCoordinatedHere() {
        SortedSet<String> ids = new TreeSet<>(groups.keySet());
        ids.addAll(offsets.groups());
        List<GroupSummary> out = new ArrayList<>();
        for (String id : ids) {
            long epoch = placement.localEpoch(id);
            if (epoch < 0) {
                continue;
            }
            ConsumerGroup g = groups.get(id);
            if (g == null) {
                out.add(new GroupSummary(id, 0, 0, "Empty"));
                continue;
            }
            synchronized (g) {
                boolean current = !g.dead && g.epoch == epoch;
                out.add(new GroupSummary(id, g.generation, current ? g.members.size() : 0,
                        current ? g.state() : "Empty"));
            }
        }
        return out;
    }

    /** @throws ProblemException UNKNOWN_GROUP */
    GroupDescription describe(String groupId) {
        ConsumerGroup g = groups.get(groupId);
        if (g == null && !offsets.committed(groupId).isEmpty()) {
            // Committed through an earlier coordinator, or by Kafka clients: known here by its offsets only.
            g = groups.computeIfAbsent(groupId, this::newGroup);
        }
        if (g == null) {
            throw unknownGroup(groupId);
        }
        synchronized (g) {
            if (g.dead) {
                throw unknownGroup(groupId);
            }
            refreshCoordination(g);
            List<MemberDescription> members = g.members.values().stream()
                    .map(m -> new MemberDescription(m.id, m.topics, PartitionRef.of(m.assignment), m.sessionTimeoutMs,
                            m.lastSeenMs))
                    .toList();
            List<OffsetDescription> described = new ArrayList<>();
            new TreeMap<>(offsets.committed(g.id)).forEach((tp, c) -> {
                try {
                    FetchResult bounds = fetch.bounds(tp.topic(), tp.partition());
                    described.add(new OffsetDescription(tp.topic(), tp.partition(), c.offset(), bounds.logEndOffset(),
                            Math.max(0, bounds.highWatermark() - c.offset())));
                } catch (UnknownTopicException e) {
                    // deleted meanwhile; its offsets are being dropped
                }
            });
            return new GroupDescription(g.id, g.generation, g.state(), members, described);
        }
    }

    // ---- topics come and go --------------------------------------------------------------

    @Override
    public void topicCreated(TopicRegistry.Topic topic) {
        for (ConsumerGroup g : groups.values()) {
            synchronized (g) {
                if (subscribes(g, topic.name())) {
                    rebalance(g, "subscribed topic " + topic.name() + " was created");
                }
            }
        }
    }

    @Override
    public void topicDeleted(TopicRegistry.Topic topic) {
        if (placement.clustered()) {
            // Called while the metadata group applies the delete: the offsets are dropped through
            // the offsets partitions' Raft groups by their coordinators, off that thread.
            scheduler.execute(() -> dropOffsetsOfDeletedTopic(topic.name()));
        }
        for (ConsumerGroup g : groups.values()) {
            if (placement.clustered()) {
                synchronized (g) {
                    if (subscribes(g, topic.name())) {
                        rebalance(g, "subscribed topic " + topic.name() + " was deleted");
                    }
                }
                continue;
            }
            synchronized (g) {
                try {
                    List<TopicPartition> gone = offsets.committed(g.id).keySet().stream()
                            .filter(tp -> tp.topic().equals(topic.name())).toList();
                    offsets.delete(g.id, gone);
                    gone.forEach(tp -> {
                        Meter gauge = g.lagGauges.remove(tp);
                        if (gauge != null) {
                            meters.remove(gauge);
                        }
                    });
                } catch (RuntimeException e) {
                    log.warn("could not drop offsets of group {} for deleted topic {}", g.id, topic.name(), e);
                }
                if (subscribes(g, topic.name())) {
                    rebalance(g, "subscribed topic " + topic.name() + " was deleted");
                }
                removeIfUnused(g);
            }
        }
    }

    /** On a cluster: tombstones for a deleted topic's offsets of every group this node coordinates. */
    private void dropOffsetsOfDeletedTopic(String topic) {
        for (String group : offsets.groups()) {
            if (placement.localEpoch(group) < 0) {
                continue;
            }
            List<TopicPartition> gone = offsets.committed(group).keySet().stream()
                    .filter(tp -> tp.topic().equals(topic)).toList();
            ConsumerGroup g = groups.get(group);
            try {
                if (g == null) {
                    offsets.delete(group, gone);
                    continue;
                }
                synchronized (g) {
                    offsets.delete(group, gone);
                    gone.forEach(tp -> {
                        Meter gauge = g.lagGauges.remove(tp);
                        if (gauge != null) {
                            meters.remove(gauge);
                        }
                    });
                    removeIfUnused(g);
                }
            } catch (RuntimeException e) {
                log.warn("could not drop offsets of group {} for deleted topic {}", group, topic, e);
            }
        }
    }

    // ---- internals -----------------------------------------------------------------------

    /**
     * Called under the group's lock by every membership request: on a cluster, membership made
     * under an earlier coordinator epoch (another leader term of the group's offsets partition)
     * is void, so its members get 404 and rejoin; committed offsets are unaffected.
     *
     * @throws ProblemException COORDINATOR_NOT_AVAILABLE when this node does not coordinate the group now
     */
    private void refreshCoordination(ConsumerGroup g) {
        long epoch = placement.localEpoch(g.id);
        if (epoch < 0) {
            throw new ProblemException(ProblemType.COORDINATOR_NOT_AVAILABLE, "node does not coordinate group "
                    + g.id + " (its coordinator is moving); retry");
        }
        if (epoch != g.epoch) {
            if (!g.members.isEmpty()) {
                voidMembership(g, "coordinator epoch " + g.epoch + " ended, now " + epoch);
            }
            g.epoch = epoch;
        }
    }

    /** Called under the group's lock: forgets every member (they rejoin) and starts a new generation. */
    private void voidMembership(ConsumerGroup g, String reason) {
        g.members.clear();
        rebalance(g, reason);
    }


    /** Called under the group's lock: new generation, new assignment, lost partitions forgotten. */
    private void rebalance(ConsumerGroup g, String reason) {
        g.generation++;
        Map<String, List<String>> subscriptions = new TreeMap<>();
        Map<String, Integer> partitionCounts = new HashMap<>();
        for (GroupMember m : g.members.values()) {
            subscriptions.put(m.id, m.topics);
            for (String topic : m.topics) {
                if (!partitionCounts.containsKey(topic) && topics.exists(topic)) {
                    try {
                        partitionCounts.put(topic, topics.get(topic).partitions().size());
                    } catch (UnknownTopicException e) {
                        // deleted between the two calls
                    }
                }
            }
        }
        Map<String, List<TopicPartition>> assignment = RangeAssignor.assign(subscriptions, partitionCounts);
        for (GroupMember m : g.members.values()) {
            m.assignment = assignment.getOrDefault(m.id, List.of());
            m.positions.retainAll(new HashSet<>(m.assignment));
        }
        g.memberCount = g.members.size();
        List.copyOf(g.idlePolls).forEach(waiter -> waiter.complete(null));
        log.info("group {} is at generation {} with {} members ({})", g.id, g.generation, g.members.size(), reason);
    }

    private static boolean subscribes(ConsumerGroup g, String topic) {
        return g.members.values().stream().anyMatch(m -> m.topics.contains(topic));
    }

    /** Runs {@code action} under the lock of the group, creating it when missing. */
    private <T> T withLiveGroup(String groupId, Function<ConsumerGroup, T> action) {
        // Groups known by their committed offsets (loaded at start) are never refused; only a new one.
        if (!groups.containsKey(groupId) && groups.size() >= maxGroups) {
            throw new ProblemException(ProblemType.CAPACITY_EXCEEDED, "the node holds " + groups.size()
                    + " consumer groups, the limit (ingest.limits.max-groups); retry when groups have gone",
                    Map.of("limit", "ingest.limits.max-groups"));
        }
        while (true) {
            ConsumerGroup g = groups.computeIfAbsent(groupId, this::newGroup);
            synchronized (g) {
                if (!g.dead) {
                    return action.apply(g);
                }
            }
        }
    }

    private ConsumerGroup newGroup(String groupId) {
        ConsumerGroup g = new ConsumerGroup(groupId);
        g.membersGauge = Gauge.builder("ingest.group.members", g, x -> x.memberCount)
                .tag("group", groupId).description("members of the consumer group").register(meters);
        return g;
    }

    /** Called under the group's lock: forgets a group with neither members nor committed offsets. */
    private void removeIfUnused(ConsumerGroup g) {
        if (g.members.isEmpty() && offsets.committed(g.id).isEmpty()) {
            g.dead = true;
            groups.remove(g.id, g);
            meters.remove(g.membersGauge);
            g.lagGauges.values().forEach(meters::remove);
            g.lagGauges.clear();
        }
    }

    private void ensureLagGauge(ConsumerGroup g, TopicPartition tp) {
        g.lagGauges.computeIfAbsent(tp, key -> Gauge.builder("ingest.group.lag", () -> lag(g.id, key))
                .tags("group", g.id, "topic", key.topic(), "partition", String.valueOf(key.partition()))
                .description("high watermark minus the group's committed offset").register(meters));
    }

    private double lag(String group, TopicPartition tp) {
        OffsetStore.Committed c = offsets.committed(group, tp);
        if (c == null || !topics.exists(tp.topic())) {
            return Double.NaN;
        }
        try {
            PartitionLog log = topics.checkPartition(tp.topic(), tp.partition()).partitions().get(tp.partition());
            // Unknown here for a partition this node hosts no replica of.
            return log == null ? Double.NaN : Math.max(0, log.highWatermark() - c.offset());
        } catch (UnknownTopicException e) {
            return Double.NaN;
        }
    }

    private ConsumerGroup memberGroup(String groupId, String memberId) {
        ConsumerGroup g = groups.get(groupId);
        if (g == null) {
            throw unknownMember(groupId, memberId);
        }
        return g;
    }

    /** Called under the group's lock. */
    private static GroupMember member(ConsumerGroup g, String memberId) {
        GroupMember m = g.dead ? null : g.members.get(memberId);
        if (m == null) {
            throw unknownMember(g.id, memberId);
        }
        return m;
    }

    private static MembershipAnswer membership(ConsumerGroup g, GroupMember m) {
        return new MembershipAnswer(m.id, g.generation, PartitionRef.of(m.assignment));
    }

    private static ProblemException unknownMember(String groupId, String memberId) {
        return new ProblemException(ProblemType.UNKNOWN_MEMBER, "member " + memberId + " is not in group " + groupId
                + " (it left, its session expired, or the service restarted); join again");
    }

    private static ProblemException unknownGroup(String groupId) {
        return new ProblemException(ProblemType.UNKNOWN_GROUP, "group " + groupId + " does not exist");
    }

    static void validateGroupId(String groupId) {
        if (groupId == null || groupId.isBlank() || groupId.length() > MAX_GROUP_ID_LENGTH
                || groupId.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidRequestException("group id must be 1 to " + MAX_GROUP_ID_LENGTH
                    + " characters without control characters");
        }
    }

    /** ConsumerGroup ids, for tests. */
    Collection<String> groupIds() {
        return List.copyOf(groups.keySet());
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        for (ConsumerGroup g : groups.values()) {
            synchronized (g) {
                meters.remove(g.membersGauge);
                g.lagGauges.values().forEach(meters::remove);
                g.lagGauges.clear();
            }
        }
    }
}
