package io.tributary.ingest.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.tributary.ingest.group.GroupOffsets;
import io.tributary.ingest.topic.TopicPartition;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator of Kafka's classic consumer-group protocol (JoinGroup, SyncGroup, Heartbeat,
 * LeaveGroup; client-side assignment: the leader member computes the assignment and sends it in
 * its SyncGroup). Membership lives here, in memory; committed offsets go to the same store as the
 * REST API's groups ({@link GroupOffsets}). A group is used through one protocol at a time.
 *
 * <p>A rebalance starts on every join, leave and session expiry. It completes when every member
 * has rejoined, or when the longest rebalance timeout of the members has passed (those that did not
 * rejoin are removed); an empty group's first rebalance waits {@code initialRebalanceDelayMs} for
 * more members, as Kafka's {@code group.initial.rebalance.delay.ms}. A sweeper removes members
 * that sent no heartbeat within their session timeout.
 */
final class KafkaGroupCoordinator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaGroupCoordinator.class);

    /** A commit or heartbeat verdict: an error, or NONE. */
    record Verdict(Errors error) {
    }

    private final GroupOffsets offsets;
    private final long minSessionTimeoutMs;
    private final long maxSessionTimeoutMs;
    private final long initialRebalanceDelayMs;
    private final Map<String, KafkaGroup> groups = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers;

    KafkaGroupCoordinator(GroupOffsets offsets, long minSessionTimeoutMs, long maxSessionTimeoutMs,
                          long initialRebalanceDelayMs) {
        this.offsets = offsets;
        this.minSessionTimeoutMs = minSessionTimeoutMs;
        this.maxSessionTimeoutMs = maxSessionTimeoutMs;
        this.initialRebalanceDelayMs = initialRebalanceDelayMs;
        this.timers = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("kafka-group-coordinator").daemon().factory());
        long sweep = Math.max(50, Math.min(1000, minSessionTimeoutMs / 4));
        timers.scheduleWithFixedDelay(this::expireSessions, sweep, sweep, TimeUnit.MILLISECONDS);
    }

    // ---- JoinGroup ---------------------------------------------------------------------------

    CompletableFuture<JoinGroupResponseData> join(JoinGroupRequestData req, String clientId, String clientHost,
                                                  short version) {
        JoinGroupResponseData refused = new JoinGroupResponseData().setGenerationId(-1).setMemberId(req.memberId())
                .setProtocolName(null).setLeader("");
        if (req.groupId() == null || req.groupId().isEmpty()) {
            return done(refused.setErrorCode(Errors.INVALID_GROUP_ID.code()));
        }
        if (req.sessionTimeoutMs() < minSessionTimeoutMs || req.sessionTimeoutMs() > maxSessionTimeoutMs) {
            return done(refused.setErrorCode(Errors.INVALID_SESSION_TIMEOUT.code()));
        }
        if (!offsets.coordinatesHere(req.groupId())) {
            return done(refused.setErrorCode(Errors.NOT_COORDINATOR.code()));
        }
        if (req.protocols().isEmpty() || req.protocolType() == null || req.protocolType().isEmpty()) {
            return done(refused.setErrorCode(Errors.INCONSISTENT_GROUP_PROTOCOL.code()));
        }
        if (!offsets.claimForKafka(req.groupId())) {
            // Members joined this group over the REST API: one protocol at a time.
            return done(refused.setErrorCode(Errors.INCONSISTENT_GROUP_PROTOCOL.code()));
        }
        KafkaGroup g = groups.computeIfAbsent(req.groupId(), KafkaGroup::new);
        synchronized (g) {
            if (g.state != KafkaGroup.State.EMPTY && (!req.protocolType().equals(g.protocolType)
                    || !sharesAProtocol(g, req.protocols()))) {
                return done(refused.setErrorCode(Errors.INCONSISTENT_GROUP_PROTOCOL.code()));
            }
            String memberId = req.memberId();
            if (memberId.isEmpty()) {
                memberId = (clientId == null ? "consumer" : clientId) + "-" + UUID.randomUUID();
                if (version >= 4) {
                    // KIP-394: the client rejoins with this id, so a lost answer leaves no orphan member.
                    g.pendingMemberIds.add(memberId);
                    return done(refused.setMemberId(memberId).setErrorCode(Errors.MEMBER_ID_REQUIRED.code()));
                }
            } else if (!g.members.containsKey(memberId) && !g.pendingMemberIds.remove(memberId)) {
                return done(refused.setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
            }
            KafkaGroup.Member m = g.members.computeIfAbsent(memberId, KafkaGroup.Member::new);
            m.clientId = clientId;
            m.clientHost = clientHost;
            m.sessionTimeoutMs = req.sessionTimeoutMs();
            m.rebalanceTimeoutMs = req.rebalanceTimeoutMs() < 0 ? req.sessionTimeoutMs() : req.rebalanceTimeoutMs();
            List<JoinGroupRequestProtocol> protocols = new ArrayList<>();
            req.protocols().forEach(p -> protocols.add(p.duplicate()));
            m.protocols = List.copyOf(protocols);
            m.lastSeenMs = System.currentTimeMillis();
            if (m.join != null) {
                m.join.complete(new JoinGroupResponseData().setErrorCode(Errors.REBALANCE_IN_PROGRESS.code())
                        .setMemberId(memberId).setGenerationId(-1));
            }
            m.join = new CompletableFuture<>();
            CompletableFuture<JoinGroupResponseData> answer = m.join;
            if (g.state == KafkaGroup.State.EMPTY) {
                g.protocolType = req.protocolType();
            }
            if (g.state != KafkaGroup.State.PREPARING_REBALANCE) {
                prepareRebalance(g, "member " + memberId + " joined");
            } else {
                maybeCompleteJoin(g);
            }
            return answer;
        }
    }

    private static boolean sharesAProtocol(KafkaGroup g, Iterable<JoinGroupRequestProtocol> protocols) {
        for (JoinGroupRequestProtocol p : protocols) {
            if (g.members.values().stream().allMatch(m -> m.supports(p.name()))) {
                return true;
            }
        }
        return false;
    }

    /** Under the group's lock. */
    private void prepareRebalance(KafkaGroup g, String reason) {
        boolean wasEmpty = g.state == KafkaGroup.State.EMPTY;
        if (g.state == KafkaGroup.State.COMPLETING_REBALANCE) {
            for (KafkaGroup.Member m : g.members.values()) {
                failSync(m, Errors.REBALANCE_IN_PROGRESS);
            }
        }
        g.state = KafkaGroup.State.PREPARING_REBALANCE;
        long delay;
        if (wasEmpty) {
            g.initialDelay = true;
            delay = initialRebalanceDelayMs;
        } else {
            g.initialDelay = false;
            delay = g.members.values().stream().mapToLong(m -> m.rebalanceTimeoutMs).max().orElse(0);
        }
        log.debug("Kafka group {}: rebalancing at generation {} ({})", g.id, g.generation, reason);
        if (g.rebalanceTimer != null) {
            g.rebalanceTimer.cancel(false);
        }
        g.rebalanceTimer = timers.schedule(() -> {
            synchronized (g) {
                if (g.state == KafkaGroup.State.PREPARING_REBALANCE) {
                    g.initialDelay = false;
                    completeJoin(g);
                }
            }
        }, delay, TimeUnit.MILLISECONDS);
        maybeCompleteJoin(g);
    }

    private void maybeCompleteJoin(KafkaGroup g) {
        if (g.state == KafkaGroup.State.PREPARING_REBALANCE && !g.initialDelay
                && g.members.values().stream().allMatch(m -> m.join != null)) {
            completeJoin(g);
        }
    }

    /** Ends a rebalance: members that did not rejoin are dropped, the rest get the new generation. */
    private void completeJoin(KafkaGroup g) {
        if (g.rebalanceTimer != null) {
            g.rebalanceTimer.cancel(false);
            g.rebalanceTimer = null;
        }
        g.members.values().removeIf(m -> {
            if (m.join == null) {
                log.debug("Kafka group {}: member {} did not rejoin in time", g.id, m.id);
                return true;
            }
            return false;
        });
        g.generation++;
        if (g.members.isEmpty()) {
            becomeEmpty(g);
            return;
        }
        if (g.leader == null || !g.members.containsKey(g.leader)) {
            g.leader = g.members.keySet().iterator().next();
        }
        g.protocolName = selectProtocol(g);
        g.state = KafkaGroup.State.COMPLETING_REBALANCE;
        List<JoinGroupResponseMember> all = new ArrayList<>();
        for (KafkaGroup.Member m : g.members.values()) {
            all.add(new JoinGroupResponseMember().setMemberId(m.id).setMetadata(m.metadata(g.protocolName)));
        }
        long now = System.currentTimeMillis();
        for (KafkaGroup.Member m : g.members.values()) {
            JoinGroupResponseData answer = new JoinGroupResponseData()
                    .setGenerationId(g.generation)
                    .setProtocolType(g.protocolType)
                    .setProtocolName(g.protocolName)
                    .setLeader(g.leader)
                    .setMemberId(m.id)
                    .setMembers(m.id.equals(g.leader) ? all : List.of());
            m.lastSeenMs = now;
            CompletableFuture<JoinGroupResponseData> join = m.join;
            m.join = null;
            join.complete(answer);
        }
        log.debug("Kafka group {}: generation {} with {} members, leader {}, protocol {}", g.id, g.generation,
                g.members.size(), g.leader, g.protocolName);
    }

    /** The leader's most preferred protocol that every member supports. */
    private static String selectProtocol(KafkaGroup g) {
        for (JoinGroupRequestProtocol p : g.members.get(g.leader).protocols) {
            if (g.members.values().stream().allMatch(m -> m.supports(p.name()))) {
                return p.name();
            }
        }
        return g.members.get(g.leader).protocols.get(0).name(); // checked at join: not reached
    }

    private void becomeEmpty(KafkaGroup g) {
        g.state = KafkaGroup.State.EMPTY;
        g.leader = null;
        g.protocolName = null;
        offsets.releaseFromKafka(g.id);
    }

    // ---- SyncGroup ---------------------------------------------------------------------------

    CompletableFuture<SyncGroupResponseData> sync(SyncGroupRequestData req) {
        KafkaGroup g = groups.get(req.groupId());
        if (g == null) {
            return done(syncError(Errors.UNKNOWN_MEMBER_ID));
        }
        synchronized (g) {
            KafkaGroup.Member m = g.members.get(req.memberId());
            if (m == null) {
                return done(syncError(Errors.UNKNOWN_MEMBER_ID));
            }
            if (req.generationId() != g.generation) {
                return done(syncError(Errors.ILLEGAL_GENERATION));
            }
            m.lastSeenMs = System.currentTimeMillis();
            switch (g.state) {
                case PREPARING_REBALANCE, EMPTY -> {
                    return done(syncError(Errors.REBALANCE_IN_PROGRESS));
                }
                case STABLE -> {
                    return done(assigned(g, m));
                }
                default -> {
                    failSync(m, Errors.REBALANCE_IN_PROGRESS);
                    m.sync = new CompletableFuture<>();
                    CompletableFuture<SyncGroupResponseData> answer = m.sync;
                    if (m.id.equals(g.leader)) {
                        for (KafkaGroup.Member each : g.members.values()) {
                            each.assignment = new byte[0];
                        }
                        for (SyncGroupRequestData.SyncGroupRequestAssignment a : req.assignments()) {
                            KafkaGroup.Member target = g.members.get(a.memberId());
                            if (target != null) {
                                target.assignment = a.assignment();
                            }
                        }
                        g.state = KafkaGroup.State.STABLE;
                        for (KafkaGroup.Member each : g.members.values()) {
                            if (each.sync != null) {
                                CompletableFuture<SyncGroupResponseData> waiting = each.sync;
                                each.sync = null;
                                waiting.complete(assigned(g, each));
                            }
                        }
                    }
                    return answer;
                }
            }
        }
    }

    private static SyncGroupResponseData assigned(KafkaGroup g, KafkaGroup.Member m) {
        return new SyncGroupResponseData().setProtocolType(g.protocolType).setProtocolName(g.protocolName)
                .setAssignment(m.assignment);
    }

    private static SyncGroupResponseData syncError(Errors error) {
        return new SyncGroupResponseData().setErrorCode(error.code()).setAssignment(new byte[0]);
    }

    private static void failSync(KafkaGroup.Member m, Errors error) {
        if (m.sync != null) {
            CompletableFuture<SyncGroupResponseData> waiting = m.sync;
            m.sync = null;
            waiting.complete(syncError(error));
        }
    }

    // ---- Heartbeat, LeaveGroup, session expiry --------------------------------------------------

    Errors heartbeat(String groupId, String memberId, int generation) {
        KafkaGroup g = groups.get(groupId);
        if (g == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        synchronized (g) {
            KafkaGroup.Member m = g.members.get(memberId);
            if (m == null) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            m.lastSeenMs = System.currentTimeMillis();
            if (generation != g.generation) {
                return Errors.ILLEGAL_GENERATION;
            }
            return g.state == KafkaGroup.State.PREPARING_REBALANCE ? Errors.REBALANCE_IN_PROGRESS : Errors.NONE;
        }
    }

    /** Removes a member; answers its error (UNKNOWN_MEMBER_ID when it is not one). */
    Errors leave(String groupId, String memberId) {
        KafkaGroup g = groups.get(groupId);
        if (g == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        synchronized (g) {
            KafkaGroup.Member m = g.members.remove(memberId);
            if (m == null) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            removed(g, m, "member " + memberId + " left");
            return Errors.NONE;
        }
    }

    private void removed(KafkaGroup g, KafkaGroup.Member m, String reason) {
        failSync(m, Errors.UNKNOWN_MEMBER_ID);
        if (m.join != null) {
            m.join.complete(new JoinGroupResponseData().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code())
                    .setMemberId(m.id).setGenerationId(-1));
            m.join = null;
        }
        if (g.members.isEmpty()) {
            if (g.rebalanceTimer != null) {
                g.rebalanceTimer.cancel(false);
                g.rebalanceTimer = null;
            }
            g.generation++;
            becomeEmpty(g);
        } else if (g.state == KafkaGroup.State.PREPARING_REBALANCE) {
            maybeCompleteJoin(g);
        } else {
            prepareRebalance(g, reason);
        }
    }

    void expireSessions() {
        long now = System.currentTimeMillis();
        for (KafkaGroup g : groups.values()) {
            synchronized (g) {
                for (KafkaGroup.Member m : List.copyOf(g.members.values())) {
                    // A member waiting in JoinGroup is alive: the rebalance timeout governs it.
                    if (m.join == null && now - m.lastSeenMs > m.sessionTimeoutMs) {
                        g.members.remove(m.id);
                        log.info("Kafka group {}: member {} expired (no heartbeat for {} ms)", g.id, m.id,
                                m.sessionTimeoutMs);
                        removed(g, m, "member " + m.id + " expired");
                    }
                }
                if (g.state == KafkaGroup.State.EMPTY && g.members.isEmpty() && g.pendingMemberIds.isEmpty()) {
                    groups.remove(g.id, g);
                }
            }
        }
    }

    // ---- offsets -----------------------------------------------------------------------------

    /**
     * Checks a commit's member and generation: a commit with generation -1 and no member id (a
     * consumer with assigned partitions) is allowed while the group has no members; a member's commit
     * in the current generation is allowed unless the group is completing a rebalance.
     */
    Errors checkCommit(String groupId, String memberId, int generation) {
        KafkaGroup g = groups.get(groupId);
        if (g == null || g.state == KafkaGroup.State.EMPTY) {
            return generation < 0 && (memberId == null || memberId.isEmpty()) ? Errors.NONE
                    : Errors.UNKNOWN_MEMBER_ID;
        }
        synchronized (g) {
            KafkaGroup.Member m = memberId == null ? null : g.members.get(memberId);
            if (m == null) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            m.lastSeenMs = System.currentTimeMillis();
            if (generation != g.generation) {
                return Errors.ILLEGAL_GENERATION;
            }
            // As Kafka's coordinator: a member of the current generation may commit while the group prepares a
            // rebalance (that is when consumers commit what they processed before giving partitions up), not
            // between the join and the sync of the new generation, whose assignment it does not know yet.
            return g.state == KafkaGroup.State.COMPLETING_REBALANCE ? Errors.REBALANCE_IN_PROGRESS : Errors.NONE;
        }
    }

    /** Commits under the group's lock, so a commit and a rebalance do not interleave. */
    void commit(String groupId, Map<TopicPartition, Long> committed) {
        KafkaGroup g = groups.get(groupId);
        if (g == null) {
            offsets.commit(groupId, committed);
            return;
        }
        synchronized (g) {
            offsets.commit(groupId, committed);
        }
    }

    /** The node that coordinates the group (the leader of its offsets partition); -1 while unknown. */
    int coordinatorNode(String groupId) {
        return offsets.coordinator(groupId);
    }

    Map<TopicPartition, Long> committed(String groupId) {
        return offsets.committed(groupId);
    }

    // ---- describe ----------------------------------------------------------------------------

    List<KafkaGroup> groups() {
        return List.copyOf(groups.values());
    }

    KafkaGroup group(String groupId) {
        return groups.get(groupId);
    }

    java.util.Set<String> groupsWithOffsets() {
        return offsets.groupsWithOffsets();
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }

    @Override
    public void close() {
        timers.shutdownNow();
    }
}
