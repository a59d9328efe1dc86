package io.tributary.ingest.replication;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.topic.TopicRegistry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Reads of a partition this node hosts no replica of ({@code GET .../partitions/{p}/records} and
 * {@code .../offsets}) are forwarded over HTTP to a node that does, since this node's local log of
 * that partition stays empty. Reads of hosted partitions are served locally as before.
 */
@Configuration
@Conditional(ReplicationEnabledCondition.class)
class ReplicaReadForwarding implements WebMvcConfigurer, HandlerInterceptor {

    private static final Logger log = LoggerFactory.getLogger(ReplicaReadForwarding.class);
    private static final Pattern PARTITION_READ =
            Pattern.compile("^/api/v1/topics/([^/]+)/partitions/(\\d{1,9})/(records|offsets)$");

    private final PartitionViews views;
    private final PartitionGroups groups;
    private final TopicRegistry topics;
    private final Duration maxWait;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    ReplicaReadForwarding(PartitionViews views, PartitionGroups groups, TopicRegistry topics, IngestProperties props) {
        this.views = views;
        this.groups = groups;
        this.topics = topics;
        this.maxWait = props.fetch().maxWait();
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this).addPathPatterns("/api/v1/topics/*/partitions/*/*");
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
            throws IOException {
        if (!"GET".equals(request.getMethod())) {
            return true;
        }
        Matcher m = PARTITION_READ.matcher(request.getRequestURI());
        if (!m.matches() || !topics.exists(m.group(1))) {
            return true;
        }
        TopicRegistry.Topic topic = topics.get(m.group(1));
        int partition = Integer.parseInt(m.group(2));
        if (partition >= topic.partitions().size()) {
            return true;
        }
        if (views.servesLocally(topic, partition)) {
            return true;
        }
        List<Integer> replicas = views.readableReplicas(topic, partition);
        String pathAndQuery = request.getRequestURI() + (request.getQueryString() == null ? ""
                : "?" + request.getQueryString());
        for (int node : replicas) {
            ClusterPeers.Peer peer = groups.peers().find(node).orElseThrow();
            try {
                HttpRequest.Builder read = HttpRequest.newBuilder(URI.create(peer.httpBase() + pathAndQuery))
                        .timeout(maxWait.plusSeconds(10));
                String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
                if (authorization != null) {
                    read.header(HttpHeaders.AUTHORIZATION, authorization); // the replica authorizes the caller
                }
                HttpResponse<byte[]> r = http.send(read.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
                response.setStatus(r.statusCode());
                r.headers().firstValue("Content-Type").ifPresent(response::setContentType);
                response.getOutputStream().write(r.body());
                return false;
            } catch (IOException e) {
                log.debug("replica {} of {}-{} did not answer a forwarded read: {}", node, topic.name(), partition,
                        e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return true; // no replica answered: the local (empty) view is all there is; documented
    }
}
