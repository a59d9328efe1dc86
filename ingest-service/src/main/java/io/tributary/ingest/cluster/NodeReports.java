package io.tributary.ingest.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.tributary.ingest.replication.FailedReplicas;
import io.tributary.ingest.replication.PartitionGroups;
import io.tributary.ingest.replication.PartitionViews;
import io.tributary.ingest.replication.ReplicationEnabledCondition;
import io.tributary.ingest.replication.ReplicationProperties;
import io.tributary.ingest.security.NodeCredentials;
import io.tributary.ingest.topic.TopicRegistry;
import io.tributary.ingest.topic.TopicNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The {@link NodeReport}s of a cluster's nodes: this node's own, and its peers' asked over HTTP
 * ({@link ReportProbe}, with this node's credentials), all at once, waiting at most
 * {@code ingest.replication.peer-probe-timeout} in all. One request per peer, however many
 * partitions: the cluster view does not ask every partition's replicas.
 */
@Component
@Conditional(ReplicationEnabledCondition.class)
public class NodeReports {

    private static final Logger log = LoggerFactory.getLogger(NodeReports.class);

    private final TopicRegistry topics;
    private final PartitionGroups groups;
    private final PartitionViews views;
    private final FailedReplicas failed;
    private final ApplicationAvailability availability;
    private final ReportProbe probe;
    private final NodeTraffic traffic;

    NodeReports(TopicRegistry topics, PartitionGroups groups, PartitionViews views, FailedReplicas failed,
                ApplicationAvailability availability, NodeCredentials credentials, ReplicationProperties settings,
                NodeTraffic traffic) {
        this.traffic = traffic;
        this.topics = topics;
        this.groups = groups;
        this.views = views;
        this.failed = failed;
        this.availability = availability;
        this.probe = new ReportProbe(settings.peerProbeTimeout(), credentials::authorization);
    }

    /** True while this node accepts traffic (what {@code /actuator/health/readiness} answers). */
    boolean ready() {
        return availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC;
    }

    /** This node's records in and out per topic. */
    Map<String, NodeTraffic.Traffic> traffic() {
        return traffic.current();
    }

    /** This node's failed replicas, {@code topic-partition}. */
    List<String> failedReplicas() {
        return failed.failed().stream().map(ClusterView::name).toList();
    }

    /** What this node says of itself: readiness, the partitions its Raft members lead, failed replicas. */
    public NodeReport local() {
        List<NodeReport.Lead> leads = new ArrayList<>();
        for (TopicRegistry.Topic t : ClusterView.byName(topics)) {
            for (int p = 0; p < t.partitions().size(); p++) {
                long term = t.hosts(p) ? views.leadership(t, p) : -1;
                if (term >= 0) {
                    leads.add(new NodeReport.Lead(t.name(), p, term));
                }
            }
        }
        return new NodeReport(groups.nodeId(), ready(), leads, failedReplicas(), traffic.current(),
                offsetsTopicPartitions());
    }

    /** The partition count of this node's {@code __consumer_offsets}, or null before it has one. */
    Integer offsetsTopicPartitions() {
        return topics.exists(TopicNames.CONSUMER_OFFSETS) ? topics.get(TopicNames.CONSUMER_OFFSETS).partitions().size()
                : null;
    }

    /**
     * The partition count of {@code __consumer_offsets} as the peers that answer report it, by node id (those without
     * one, or that did not answer, left out).
     */
    public Map<Integer, Integer> peersOffsetsTopicPartitions() {
        Map<Integer, Integer> out = new java.util.TreeMap<>();
        askPeers().forEach((id, answer) -> {
            if (answer.report() != null && answer.report().offsetsTopicPartitions() != null) {
                out.put(id, answer.report().offsetsTopicPartitions());
            }
        });
        return out;
    }

    /**
     * Asks the peers once in the background when this node is ready, so that the HTTP client and the
     * JSON reader have loaded their classes (slow on first use) before an operator's first view.
     */
    @EventListener(ApplicationReadyEvent.class)
    void warmUp() {
        // blocking HTTP calls: on a virtual thread, never on the common pool the JDK's HTTP client itself needs
        Thread.ofVirtual().name("node-reports-warm-up").start(this::checkOffsetsTopic);
    }

    /**
     * Logs an error when a peer's {@code __consumer_offsets} has another partition count than this node's: the nodes
     * would then place a group's offsets, and find its coordinator, in different partitions. A node that creates the
     * topic takes its peers' count ({@code GroupPlacement}), so this catches founders started together with different
     * {@code ingest.groups.offsets-topic-partitions}.
     */
    void checkOffsetsTopic() {
        Integer mine = offsetsTopicPartitions();
        Map<Integer, Integer> peers = peersOffsetsTopicPartitions();
        peers.forEach((id, theirs) -> {
            if (mine != null && !mine.equals(theirs)) {
                log.error("__consumer_offsets has {} partitions on this node and {} on node {}: consumer groups are"
                        + " placed by that count, so the nodes disagree on where a group's offsets and coordinator"
                        + " are. Set ingest.groups.offsets-topic-partitions to one value on every node; a node keeps the"
                        + " count it created the topic with, so replace the nodes whose count differs (docs/replication.md,"
                        + " \"Consumer groups on a cluster\")", mine, theirs, id);
            }
        });
    }

    /** Every other peer's answer, by node id ({@link ReportProbe}). */
    Map<Integer, ReportProbe.Answer> askPeers() {
        return probe.ask(groups.peers().peers().stream().filter(p -> p.id() != groups.nodeId()).toList());
    }
}
