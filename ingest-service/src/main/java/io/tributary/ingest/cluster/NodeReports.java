package io.tributary.ingest.cluster;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.tributary.ingest.replication.ClusterPeers;
import io.tributary.ingest.replication.FailedReplicas;
import io.tributary.ingest.replication.PartitionGroups;
import io.tributary.ingest.replication.PartitionViews;
import io.tributary.ingest.replication.ReplicationEnabledCondition;
import io.tributary.ingest.replication.ReplicationProperties;
import io.tributary.ingest.security.NodeCredentials;
import io.tributary.ingest.topic.TopicRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.annotation.Conditional;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@link NodeReport}s of a cluster's nodes: this node's own, and its peers' asked over HTTP
 * ({@value #PATH}, with this node's credentials), all at once, waiting at most
 * {@code ingest.replication.peer-probe-timeout} in all. One request per peer, however many
 * partitions: the cluster view does not ask every partition's replicas.
 */
@Component
@Conditional(ReplicationEnabledCondition.class)
public class NodeReports {

    static final String PATH = "/internal/cluster/report";

    private static final Logger log = LoggerFactory.getLogger(NodeReports.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** How a peer answered: its status, and its report when it gave one. */
    record Answer(ClusterView.Status status, NodeReport report) {
        static final Answer UNREACHABLE = new Answer(ClusterView.Status.UNREACHABLE, null);
    }

    private final TopicRegistry topics;
    private final PartitionGroups groups;
    private final PartitionViews views;
    private final FailedReplicas failed;
    private final ApplicationAvailability availability;
    private final NodeCredentials credentials;
    private final Duration timeout;
    private final HttpClient http;

    NodeReports(TopicRegistry topics, PartitionGroups groups, PartitionViews views, FailedReplicas failed,
                ApplicationAvailability availability, NodeCredentials credentials, ReplicationProperties settings) {
        this.topics = topics;
        this.groups = groups;
        this.views = views;
        this.failed = failed;
        this.availability = availability;
        this.credentials = credentials;
        this.timeout = settings.peerProbeTimeout();
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    /** True while this node accepts traffic (what {@code /actuator/health/readiness} answers). */
    boolean ready() {
        return availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC;
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
        return new NodeReport(groups.nodeId(), ready(), leads, failedReplicas());
    }

    /** Every other peer's answer, by node id; asked at once, UNREACHABLE when it did not answer in time. */
    Map<Integer, Answer> askPeers() {
        Map<Integer, CompletableFuture<Answer>> asked = new TreeMap<>();
        for (ClusterPeers.Peer p : groups.peers().peers()) {
            if (p.id() != groups.nodeId()) {
                asked.put(p.id(), ask(p));
            }
        }
        // Each request has the same timeout; this bounds the whole wait even if one overruns it.
        CompletableFuture.allOf(asked.values().toArray(CompletableFuture[]::new))
                .completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS).join();
        Map<Integer, Answer> out = new TreeMap<>();
        asked.forEach((id, f) -> out.put(id, f.isDone() && !f.isCompletedExceptionally() ? f.join()
                : Answer.UNREACHABLE));
        return out;
    }

    private CompletableFuture<Answer> ask(ClusterPeers.Peer peer) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(peer.httpBase() + PATH)).timeout(timeout)
                .header(HttpHeaders.AUTHORIZATION, credentials.authorization()).GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).handle((response, e) -> {
            if (e != null) {
                log.debug("node {} did not answer its report: {}", peer.id(), e.toString());
                return Answer.UNREACHABLE;
            }
            if (response.statusCode() != 200) {
                // It answers, but not with a report (a refused token, an older version): up, but not as expected.
                log.debug("node {} answered its report with {}", peer.id(), response.statusCode());
                return new Answer(ClusterView.Status.DOWN, null);
            }
            try {
                NodeReport report = JSON.readValue(response.body(), NodeReport.class);
                return new Answer(report.ready() ? ClusterView.Status.UP : ClusterView.Status.DOWN, report);
            } catch (JacksonException ex) {
                log.debug("node {} answered an unreadable report: {}", peer.id(), ex.toString());
                return new Answer(ClusterView.Status.DOWN, null);
            }
        });
    }
}
