package io.tributary.ingest.group;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.tributary.ingest.acl.AccessControl;
import io.tributary.ingest.acl.ResourceType;
import io.tributary.ingest.problem.ProblemException;
import io.tributary.problem.ProblemType;
import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.security.NodeCredentials;
import io.tributary.ingest.group.GroupDtos.GroupList;
import io.tributary.ingest.group.GroupDtos.GroupSummary;
import io.tributary.ingest.replication.ClusterPeers;
import io.tributary.ingest.replication.ReplicationEnabledCondition;
import io.tributary.ingest.replication.PartitionGroups;
import io.tributary.ingest.replication.ReplicationProperties;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.util.UriUtils;
import tools.jackson.databind.json.JsonMapper;

/**
 * On a cluster, every request about one group ({@code /api/v1/groups/{group}/...}) is served by
 * the group's coordinator ({@link GroupPlacement}): a node that is not it forwards the request
 * over HTTP and relays the answer, so members may talk to any node. While the coordinator is
 * unknown (an election) or not ready, the request waits up to {@code ingest.replication.request-timeout},
 * then gets 503 {@code coordinator-not-available} (retriable).
 *
 * <p>A forwarded request carries {@value #FORWARDED_BY}; its receiver never forwards it again,
 * and answers 503 {@code coordinator-not-available} itself when it no longer coordinates the
 * group. Such an answer, or a refused connection (the coordinator just died), makes the
 * forwarding node look up the coordinator again and retry within the same time budget; neither
 * had any effect on the group. A forwarded request that fails later (timeout) is not retried.
 *
 * <p>{@code GET /api/v1/groups} asks every reachable node for the groups it coordinates and
 * merges the lists.
 */
@Configuration
@Conditional(ReplicationEnabledCondition.class)
class CoordinatorForwarding implements WebMvcConfigurer, HandlerInterceptor {

    static final String FORWARDED_BY = "X-Tributary-Forwarded-By";

    private static final Logger log = LoggerFactory.getLogger(CoordinatorForwarding.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String GROUPS = "/api/v1/groups";
    private static final Pattern GROUP_PATH = Pattern.compile("^/api/v1/groups/([^/]+)(/.*)?$");
    private static final long RETRY_SLEEP_MS = 50;

    private final GroupPlacement placement;
    private final NodeCredentials credentials;
    private final PartitionGroups groups;
    private final Duration requestTimeout;
    private final Duration forwardTimeout;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final AccessControl access;

    CoordinatorForwarding(GroupPlacement placement, PartitionGroups groups, ReplicationProperties settings,
                          IngestProperties props, AccessControl access, NodeCredentials credentials) {
        this.access = access;
        this.credentials = credentials;
        this.placement = placement;
        this.groups = groups;
        this.requestTimeout = settings.requestTimeout();
        // A forwarded poll may park for up to the fetch wait cap.
        this.forwardTimeout = props.fetch().maxWait().plus(requestTimeout).plusSeconds(10);
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this).addPathPatterns(GROUPS, GROUPS + "/**");
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
            throws IOException {
        // An async poll comes back through here once its result is ready: it was placed already.
        if (request.getDispatcherType() != DispatcherType.REQUEST || request.getHeader(FORWARDED_BY) != null) {
            return true;
        }
        String path = request.getRequestURI();
        if (path.equals(GROUPS) || path.equals(GROUPS + "/")) {
            if (!"GET".equals(request.getMethod())) {
                return true;
            }
            writeJson(response, mergedList(request));
            return false;
        }
        Matcher m = GROUP_PATH.matcher(path);
        if (!m.matches()) {
            return true;
        }
        String group = UriUtils.decode(m.group(1), StandardCharsets.UTF_8);
        byte[] body = null;
        long deadline = System.nanoTime() + requestTimeout.toNanos();
        while (true) {
            int node = placement.coordinator(group);
            boolean local = node == groups.nodeId() && placement.localEpoch(group) >= 0;
            if (local && body == null) {
                return true;
            }
            // Once the body was read for a forward, even this node is reached over HTTP.
            if (local || node > 0 && node != groups.nodeId()) {
                if (body == null) {
                    body = request.getInputStream().readAllBytes();
                }
                HttpResponse<byte[]> answer = forward(node, request, body);
                if (answer != null && !refusedAsNotCoordinator(answer)) {
                    response.setStatus(answer.statusCode());
                    answer.headers().firstValue("Content-Type").ifPresent(response::setContentType);
                    response.getOutputStream().write(answer.body());
                    return false;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new ProblemException(ProblemType.COORDINATOR_NOT_AVAILABLE, "no coordinator for group " + group
                        + " within " + requestTimeout.toMillis() + " ms (an election is going on?)");
            }
            sleep();
        }
    }

    /** The coordinator's answer, or null when it could not be reached (nothing was sent). */
    private HttpResponse<byte[]> forward(int node, HttpServletRequest request, byte[] body) throws IOException {
        ClusterPeers.Peer peer = groups.peers().find(node).orElseThrow();
        String pathAndQuery = request.getRequestURI()
                + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
        HttpRequest.Builder out = HttpRequest.newBuilder(URI.create(peer.httpBase() + pathAndQuery))
                .timeout(forwardTimeout)
                .header(FORWARDED_BY, Integer.toString(groups.nodeId()))
                .method(request.getMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        copyHeader(request, out, "Content-Type");
        copyHeader(request, out, "Accept");
        copyHeader(request, out, "X-Request-Id");
        // The coordinator authorizes the original caller, not this node.
        copyHeader(request, out, HttpHeaders.AUTHORIZATION);
        try {
            return http.send(out.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            log.debug("coordinator node {} not reachable: {}", node, e.toString());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while forwarding to node " + node, e);
        } catch (IOException e) {
            // Sent, maybe handled: not repeated.
            throw new ProblemException(ProblemType.COORDINATOR_NOT_AVAILABLE, "the coordinator, node " + node
                    + ", did not answer: " + e.getClass().getSimpleName());
        }
    }

    private static boolean refusedAsNotCoordinator(HttpResponse<byte[]> answer) {
        return answer.statusCode() == 503 && new String(answer.body(), StandardCharsets.UTF_8)
                .contains(ProblemType.BASE + "coordinator-not-available");
    }

    /** Every reachable node's groups (each lists those it coordinates), by name. */
    private GroupList mergedList(HttpServletRequest request) {
        Map<String, GroupSummary> merged = new TreeMap<>();
        for (ClusterPeers.Peer peer : groups.peers().peers()) {
            try {
                // Asked as this node (a peer lists everything it coordinates to a node); what the caller may see of
                // the merged list is decided here.
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(peer.httpBase() + GROUPS))
                        .timeout(Duration.ofSeconds(5)).header(FORWARDED_BY, Integer.toString(groups.nodeId()))
                        .header(HttpHeaders.AUTHORIZATION, credentials.authorization())
                        .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() != 200) {
                    continue;
                }
                for (GroupSummary g : JSON.readValue(r.body(), GroupList.class).groups()) {
                    merged.merge(g.group(), g, (a, b) -> a.members() >= b.members() ? a : b);
                }
            } catch (IOException e) {
                log.debug("node {} did not list its groups: {}", peer.id(), e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // Filtered here, by the caller's principal: the peers answered a node, not the caller.
        return new GroupList(merged.values().stream()
                .filter(g -> access.canDescribe(request, ResourceType.GROUP, g.group())).toList());
    }

    private static void writeJson(HttpServletResponse response, Object body) throws IOException {
        response.setStatus(200);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.getOutputStream().write(JSON.writeValueAsBytes(body));
    }

    private static void copyHeader(HttpServletRequest from, HttpRequest.Builder to, String name) {
        String value = from.getHeader(name);
        if (value != null) {
            to.header(name, value);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(RETRY_SLEEP_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProblemException(ProblemType.COORDINATOR_NOT_AVAILABLE, "interrupted while waiting for a "
                    + "coordinator");
        }
    }
}
