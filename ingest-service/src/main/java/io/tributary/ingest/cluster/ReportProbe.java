package io.tributary.ingest.cluster;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.tributary.ingest.replication.ClusterPeers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Asks peers for their {@link NodeReport} ({@value #PATH}), all at once, and waits at most
 * {@code timeout} in all: a peer that has not answered by then is UNREACHABLE, one that answers
 * without a readable report (an error status, a refused token, an older version) DOWN.
 */
final class ReportProbe {

    static final String PATH = "/internal/cluster/report";

    private static final Logger log = LoggerFactory.getLogger(ReportProbe.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** How a peer answered: its status, and its report when it gave one. */
    record Answer(ClusterView.Status status, NodeReport report) {
        static final Answer UNREACHABLE = new Answer(ClusterView.Status.UNREACHABLE, null);
        static final Answer NO_REPORT = new Answer(ClusterView.Status.DOWN, null);
    }

    private final Duration timeout;
    private final Supplier<String> authorization;
    private final HttpClient http;

    /**
     * @param timeout       the longest {@link #ask} waits
     * @param authorization the {@code Authorization} header value of each request (this node's token)
     */
    ReportProbe(Duration timeout, Supplier<String> authorization) {
        this.timeout = timeout;
        this.authorization = authorization;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    /** Every peer's answer, by node id. */
    Map<Integer, Answer> ask(List<ClusterPeers.Peer> peers) {
        Map<Integer, CompletableFuture<HttpResponse<byte[]>>> asked = new TreeMap<>();
        for (ClusterPeers.Peer p : peers) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(p.httpBase() + PATH)).timeout(timeout)
                    .header(HttpHeaders.AUTHORIZATION, authorization.get()).GET().build();
            asked.put(p.id(), http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()));
        }
        // Each request has the same timeout; this bounds the whole wait even if one overruns it.
        CompletableFuture.allOf(asked.values().toArray(CompletableFuture[]::new)).exceptionally(e -> null)
                .completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS).join();
        // Answers are read after the wait, so that reading them (a first use of the JSON reader is slow) does not
        // count against the peers.
        Map<Integer, Answer> out = new TreeMap<>();
        asked.forEach((id, f) -> {
            if (!f.isDone() || f.isCompletedExceptionally()) {
                f.cancel(true); // gives up the exchange (JDK 16+)
                log.debug("node {} did not answer its report within {}", id, timeout);
                out.put(id, Answer.UNREACHABLE);
            } else {
                out.put(id, read(id, f.join()));
            }
        });
        return out;
    }

    private static Answer read(int id, HttpResponse<byte[]> response) {
        if (response.statusCode() != 200) {
            log.debug("node {} answered its report with {}", id, response.statusCode());
            return Answer.NO_REPORT;
        }
        try {
            NodeReport report = JSON.readValue(response.body(), NodeReport.class);
            return new Answer(report.ready() ? ClusterView.Status.UP : ClusterView.Status.DOWN, report);
        } catch (JacksonException e) {
            log.debug("node {} answered an unreadable report: {}", id, e.toString());
            return Answer.NO_REPORT;
        }
    }
}
