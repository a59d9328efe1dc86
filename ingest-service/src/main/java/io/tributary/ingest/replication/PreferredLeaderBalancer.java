package io.tributary.ingest.replication;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.ingest.cluster.Reassignments.LeaderChange;
import io.tributary.ingest.topic.PartitionAssignment;
import io.tributary.ingest.topic.TopicRegistry;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Conditional;
import org.springframework.stereotype.Component;

/**
 * Automatic preferred-leader balancing (Kafka's {@code auto.leader.rebalance.enable}): after failures the lead of
 * partitions gathers on the nodes that stayed up, and a node back from a restart leads nothing. Every
 * {@code ingest.replication.leader-rebalance-interval} this node looks at the partitions it is the preferred leader
 * of (the first of their replicas; not while they move) and, when others lead more than
 * {@code leader-imbalance-percent} of them, asks for the lead of each of those where it is in sync (a Raft leadership
 * transfer, {@link PartitionMoves#electPreferred}, as {@code POST /api/v1/cluster/preferred-leader-elections} does).
 * Each node acts only for its own preferred partitions, so no two nodes compete for a partition. Counted in
 * {@code ingest.replication.leader.rebalances} (leaderships taken back).
 * <p>
 * A lagging replica does not get the lead ({@link PartitionMoves#electPreferred} checks how far behind the leader's
 * commit it is): while a leadership transfer waits for its target to catch up, Ratis refuses the partition's writes.
 */
@Component
@Conditional(ReplicationEnabledCondition.class)
public class PreferredLeaderBalancer {

    private static final Logger log = LoggerFactory.getLogger(PreferredLeaderBalancer.class);

    private final TopicRegistry topics;
    private final PartitionGroups groups;
    private final PartitionViews views;
    private final PartitionMoves moves;
    private final int imbalancePercent;
    private final Counter rebalances;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("leader-rebalance").daemon().factory());

    public PreferredLeaderBalancer(TopicRegistry topics, PartitionGroups groups, PartitionViews views,
                                   PartitionMoves moves, ReplicationProperties settings, MeterRegistry meters) {
        this.topics = topics;
        this.groups = groups;
        this.views = views;
        this.moves = moves;
        this.imbalancePercent = settings.leaderImbalancePercent();
        this.rebalances = Counter.builder("ingest.replication.leader.rebalances")
                .description("partition leaderships this node took back as their preferred leader").register(meters);
        long interval = settings.leaderRebalanceInterval().toMillis();
        if (interval > 0) {
            timer.scheduleWithFixedDelay(this::balance, interval, interval, TimeUnit.MILLISECONDS);
        }
    }

    /** A partition this node is the preferred leader of but does not lead. */
    private record NotLed(TopicRegistry.Topic topic, int partition) {
    }

    /** One check (see the class comment). */
    void balance() {
        try {
            int self = groups.nodeId();
            int preferred = 0;
            List<NotLed> notLed = new ArrayList<>();
            for (TopicRegistry.Topic t : topics.list()) {
                for (int p = 0; p < t.partitions().size(); p++) {
                    PartitionAssignment a = t.metadata().assignment(p);
                    List<Integer> replicas = groups.replicas(t, p);
                    if ((a != null && a.moving()) || replicas.isEmpty() || replicas.get(0) != self) {
                        continue;
                    }
                    preferred++;
                    if (views.leaderOf(t, p) != self) {
                        notLed.add(new NotLed(t, p));
                    }
                }
            }
            if (notLed.isEmpty() || notLed.size() * 100L <= (long) imbalancePercent * preferred) {
                return;
            }
            log.info("node {} leads {} of the {} partitions it is the preferred leader of: taking the lead back",
                    self, preferred - notLed.size(), preferred);
            for (NotLed n : notLed) {
                takeBack(n);
            }
        } catch (RuntimeException e) {
            log.warn("preferred-leader balancing failed; trying again at the next interval", e);
        }
    }

    private void takeBack(NotLed n) {
        LeaderChange change = moves.electPreferred(n.topic(), n.partition());
        String name = n.topic().name() + "-" + n.partition();
        if ("elected".equals(change.result())) {
            rebalances.increment();
            log.info("{}: lead taken back from node {}", name, change.leaderBefore());
        } else {
            log.info("{}: lead not taken back yet: {}", name, change.result());
        }
    }

    @PreDestroy
    void close() {
        timer.shutdownNow();
    }
}
