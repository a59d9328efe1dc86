package io.tributary.ingest.replication;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Keeps a node that lost its disk from rejoining the cluster under its old id.
 *
 * <p>Raft's safety rests on every member keeping what it acknowledged: a member that comes back empty
 * may have counted in the majority of a committed entry it no longer has, and it votes for any
 * candidate, so together with one lagging replica it can elect a leader without that entry, which is
 * then lost. So a node whose data folder is {@link NodeStorage#fresh fresh} asks its peers, before it
 * joins any Raft group, whether the cluster knows its id with another storage id
 * ({@code register-storage} entries of the metadata group, {@link ClusterMembers#storageOf}; the check is
 * {@link StorageCheck}):
 * <ul>
 *   <li>a peer knows this node as a member with another storage: <b>refused</b> — the node joins no
 *       group (its Raft server refuses to create one, see {@code RaftNode}, and then stops, so that Ratis
 *       clients trying it move on to the next peer), reports
 *       itself not ready and DOWN here with the reason, and logs what to do (replace it under a new
 *       id);</li>
 *   <li>a peer answers anything else (no registration for this id, or no metadata group of its own:
 *       the cluster is being founded): <b>passed</b>, the node joins and registers its storage;</li>
 *   <li>no peer answers: the node waits and asks again. A fresh node never joins on its own say-so,
 *       since its peers may all be down while it is the one that lost its data.</li>
 * </ul>
 * A node with a known storage passes at once, and so does every node with
 * {@code ingest.replication.allow-wiped-rejoin}. Registered as the {@code storage} health component.
 */
@Component("storage")
@Conditional(ReplicationEnabledCondition.class)
public class StorageGuard implements HealthIndicator {

    private static final Logger log = LoggerFactory.getLogger(StorageGuard.class);

    /** What one peer said about this node's storage. */
    record PeerAnswer(int peer, boolean hasMetadata, boolean member, String storageId) {

        /** A peer without a metadata group: new itself (the cluster is being founded) or removed. */
        static PeerAnswer noMetadata(int peer) {
            return new PeerAnswer(peer, false, false, null);
        }
    }

    /** The outcome of one round of answers. */
    sealed interface Verdict {
        record Pass(String why) implements Verdict {
        }

        record Refuse(String why) implements Verdict {
        }

        record Wait() implements Verdict {
        }
    }

    private final ApplicationEventPublisher events;
    private final CompletableFuture<Void> passed = new CompletableFuture<>();
    private volatile String checking;
    private volatile String refused;
    /** Spring declared the application ready (it does once, after the start). */
    private volatile boolean started;

    StorageGuard(ApplicationEventPublisher events) {
        this.events = events;
    }

    /**
     * Decides on one round of answers from the peers: refused as soon as one knows {@code self} as a
     * member with a storage other than {@code mine}, else passed when at least one answered.
     */
    static Verdict decide(int self, String mine, List<PeerAnswer> answers) {
        for (PeerAnswer a : answers) {
            if (a.hasMetadata() && a.member() && a.storageId() != null && !a.storageId().equals(mine)) {
                return new Verdict.Refuse("node " + a.peer() + " knows node " + self + " as a member with storage "
                        + a.storageId() + ", but this node's data folder is empty (lost disk?)");
            }
        }
        if (answers.isEmpty()) {
            return new Verdict.Wait();
        }
        PeerAnswer first = answers.get(0);
        return new Verdict.Pass(!first.hasMetadata() ? "node " + first.peer() + " has no metadata group yet"
                : first.storageId() == null ? "node " + first.peer() + " knows no storage of node " + self
                : "node " + first.peer() + " knows this storage");
    }

    /** Completes when this node may join Raft groups; never completes for a refused node. */
    CompletableFuture<Void> passed() {
        return passed;
    }

    boolean hasPassed() {
        return passed.isDone();
    }

    /** True once the node is in: admitted, and joined what it had to. */
    boolean hasJoined() {
        return passed.isDone() && checking == null;
    }

    /** Why this node does not serve requests yet (for a {@code node-not-ready} answer). */
    String notReadyDetail() {
        String why = refused;
        return why != null ? "this node was refused by the cluster (" + why + "); send requests to another node"
                : "this node is not part of the cluster yet: it is checking its empty data folder with its peers;"
                + " retry, or send requests to another node";
    }

    /** The check is running (the node is not ready meanwhile). */
    synchronized void checking(String what) {
        checking = what;
        AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
    }

    /** Lets this node join Raft groups (its folder is known, or new to the cluster). */
    synchronized void admit(String why) {
        if (checking != null) {
            log.info("this node's empty data folder is new to the cluster ({}); joining", why);
        }
        passed.complete(null);
    }

    /** The node joined what it had to (after {@link #admit}): it may be ready now. */
    synchronized void joined() {
        if (checking != null) {
            checking = null;
            if (started) {
                AvailabilityChangeEvent.publish(events, this, ReadinessState.ACCEPTING_TRAFFIC);
            }
        }
    }

    synchronized void refuse(String why) {
        refused = why;
        checking = null;
        log.error("REFUSED to rejoin the cluster: {}. This node joins no Raft group: its peers may count on data"
                + " it no longer has. Replace it under a new ingest.node-id (POST /api/v1/cluster/nodes, then"
                + " POST /api/v1/cluster/nodes/{id}/replace; docs/replication.md), or restore its data folder;"
                + " ingest.replication.allow-wiped-rejoin=true lets it in anyway (unsafe)", why);
        AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
    }

    /** Spring marks the application ready once started; a node still checking, or refused, is not. */
    @EventListener
    synchronized void onReadiness(AvailabilityChangeEvent<ReadinessState> event) {
        if (event.getState() != ReadinessState.ACCEPTING_TRAFFIC || event.getSource() == this) {
            return;
        }
        started = true;
        if (refused != null || checking != null) {
            AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
        }
    }

    @Override
    public Health health() {
        if (refused != null) {
            return Health.down().withDetail("refused", refused).build();
        }
        if (checking != null) {
            return Health.outOfService().withDetail("checking", checking).build();
        }
        return Health.up().build();
    }
}
