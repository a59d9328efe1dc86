package io.tributary.ingest.cluster;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import io.tributary.ingest.replication.ReplicationEnabledCondition;
import io.tributary.ingest.topic.TopicPartition;
import io.tributary.ingest.topic.TopicRegistry;
import jakarta.annotation.PreDestroy;
import org.springframework.context.annotation.Conditional;
import org.springframework.stereotype.Component;

/**
 * The leaders of partitions this node hosts no replica of (replication factor below the cluster
 * size), which its own Raft members cannot tell: Kafka clients ask any node for every partition's
 * leader (Metadata) and send a partition's batches only once they know one. Learned from the peers'
 * reports ({@link NodeReport#leads()}, the partitions each peer's members lead and their terms), asked
 * in the background at most once per {@link #MAX_AGE_MS} while someone asks: a caller gets the last
 * answer at once, -1 before the first one (a Kafka client then asks again shortly). A partition with a
 * single replica is led by that replica's node whenever it is up, without asking.
 */
@Component
@Conditional(ReplicationEnabledCondition.class)
class RemoteLeaders {

    static final long MAX_AGE_MS = 1000;

    private final NodeReports reports;
    private final ExecutorService refresher = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("remote-leaders").daemon().factory());
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile Map<TopicPartition, Integer> leaders = Map.of();
    private volatile long refreshedAtNanos = System.nanoTime() - 2 * MAX_AGE_MS * 1_000_000;

    RemoteLeaders(NodeReports reports) {
        this.reports = reports;
    }

    /** The partition's leader as its replicas last reported it; -1 when none did (yet) or it is not one of them. */
    int leaderOf(TopicRegistry.Topic topic, int partition, List<Integer> replicas) {
        if (replicas.size() == 1) {
            return replicas.get(0);
        }
        if (System.nanoTime() - refreshedAtNanos > MAX_AGE_MS * 1_000_000 && refreshing.compareAndSet(false, true)) {
            refresher.execute(this::refresh);
        }
        Integer leader = leaders.get(new TopicPartition(topic.name(), partition));
        return leader != null && replicas.contains(leader) ? leader : -1;
    }

    private void refresh() {
        try {
            leaders = latestClaims(reports.askPeers());
            refreshedAtNanos = System.nanoTime();
        } finally {
            refreshing.set(false);
        }
    }

    /**
     * The node each partition's latest leadership claim in the answered reports names: of two claims
     * (a deposed leader that has not heard of its successor yet) the one under the higher term.
     */
    static Map<TopicPartition, Integer> latestClaims(Map<Integer, ReportProbe.Answer> answers) {
        Map<TopicPartition, long[]> claimed = new HashMap<>(); // partition -> {term, node}
        answers.forEach((node, answer) -> {
            for (NodeReport.Lead lead : answer.report() == null ? List.<NodeReport.Lead>of() : answer.report().leads()) {
                claimed.merge(new TopicPartition(lead.topic(), lead.partition()), new long[] {lead.term(), node},
                        (a, b) -> b[0] > a[0] ? b : a);
            }
        });
        Map<TopicPartition, Integer> out = new HashMap<>();
        claimed.forEach((tp, claim) -> out.put(tp, (int) claim[1]));
        return out;
    }

    @PreDestroy
    void close() {
        refresher.shutdownNow();
    }
}
