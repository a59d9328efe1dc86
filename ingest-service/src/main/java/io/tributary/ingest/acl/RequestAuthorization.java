package io.tributary.ingest.acl;

import io.tributary.ingest.problem.InvalidRequestException;
import java.util.Map;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Authorizes every {@code /api/**} request by its route before anything else runs (before the
 * coordinator forwarding of group requests, so a refused request is not forwarded), from the
 * route table {@link #ROUTES}. Checks that need the request body (the topic of a create, the
 * name of a producer, the topics of a join or commit) or filter a list are made by the
 * controllers through {@link AccessControl}; their routes are listed here with
 * {@link Check#IN_CONTROLLER}. An {@code /api/**} route missing from the table needs CLUSTER
 * ALTER (fails closed; {@code RouteCoverageTest} keeps the table complete).
 */
@Configuration
class RequestAuthorization implements WebMvcConfigurer, HandlerInterceptor {

    /** What one route needs; {@code variable} names the path variable (or query parameter) naming the resource. */
    record Check(ResourceType type, String variable, Operation op) {
        static final Check IN_CONTROLLER = new Check(null, null, null);
    }

    static final Map<String, Check> ROUTES = Map.ofEntries(
            Map.entry("POST /api/v1/topics", Check.IN_CONTROLLER),
            Map.entry("GET /api/v1/topics", Check.IN_CONTROLLER),
            Map.entry("GET /api/v1/topics/{topic}", new Check(ResourceType.TOPIC, "topic", Operation.DESCRIBE)),
            Map.entry("PATCH /api/v1/topics/{topic}/configs", new Check(ResourceType.TOPIC, "topic", Operation.ALTER)),
            Map.entry("DELETE /api/v1/topics/{topic}", new Check(ResourceType.TOPIC, "topic", Operation.DELETE)),
            Map.entry("POST /api/v1/topics/{topic}/records", new Check(ResourceType.TOPIC, "topic", Operation.WRITE)),
            Map.entry("GET /api/v1/topics/{topic}/partitions/{partition}/records",
                    new Check(ResourceType.TOPIC, "topic", Operation.READ)),
            Map.entry("GET /api/v1/topics/{topic}/partitions/{partition}/offsets",
                    new Check(ResourceType.TOPIC, "topic", Operation.DESCRIBE)),
            Map.entry("POST /api/v1/producers", Check.IN_CONTROLLER),
            Map.entry("GET /api/v1/producers/{producerId}/sequences",
                    new Check(ResourceType.TOPIC, "?topic", Operation.DESCRIBE)),
            Map.entry("POST /api/v1/groups/{group}/members", new Check(ResourceType.GROUP, "group", Operation.READ)),
            Map.entry("POST /api/v1/groups/{group}/members/{memberId}/heartbeat",
                    new Check(ResourceType.GROUP, "group", Operation.READ)),
            Map.entry("DELETE /api/v1/groups/{group}/members/{memberId}",
                    new Check(ResourceType.GROUP, "group", Operation.READ)),
            Map.entry("GET /api/v1/groups/{group}/members/{memberId}/records",
                    new Check(ResourceType.GROUP, "group", Operation.READ)),
            Map.entry("POST /api/v1/groups/{group}/offsets", new Check(ResourceType.GROUP, "group", Operation.READ)),
            Map.entry("GET /api/v1/groups", Check.IN_CONTROLLER),
            Map.entry("GET /api/v1/groups/{group}", new Check(ResourceType.GROUP, "group", Operation.DESCRIBE)),
            Map.entry("GET /api/v1/cluster", new Check(ResourceType.CLUSTER, null, Operation.DESCRIBE)),
            Map.entry("GET /api/v1/cluster/reassignments", new Check(ResourceType.CLUSTER, null, Operation.DESCRIBE)),
            Map.entry("GET /api/v1/cluster/reassignments/plan",
                    new Check(ResourceType.CLUSTER, null, Operation.DESCRIBE)),
            Map.entry("POST /api/v1/cluster/reassignments", new Check(ResourceType.CLUSTER, null, Operation.ALTER)),
            Map.entry("DELETE /api/v1/cluster/reassignments/{topic}/{partition}",
                    new Check(ResourceType.CLUSTER, null, Operation.ALTER)),
            Map.entry("POST /api/v1/cluster/nodes", new Check(ResourceType.CLUSTER, null, Operation.ALTER)),
            Map.entry("DELETE /api/v1/cluster/nodes/{node}", new Check(ResourceType.CLUSTER, null, Operation.ALTER)),
            Map.entry("POST /api/v1/cluster/nodes/{node}/replace", new Check(ResourceType.CLUSTER, null, Operation.ALTER)),
            Map.entry("POST /api/v1/cluster/preferred-leader-elections",
                    new Check(ResourceType.CLUSTER, null, Operation.ALTER)),
            Map.entry("GET /api/v1/acls", new Check(ResourceType.CLUSTER, null, Operation.DESCRIBE)),
            Map.entry("POST /api/v1/acls", new Check(ResourceType.CLUSTER, null, Operation.ALTER)),
            Map.entry("DELETE /api/v1/acls", new Check(ResourceType.CLUSTER, null, Operation.ALTER)));

    private static final Check UNLISTED = new Check(ResourceType.CLUSTER, null, Operation.ALTER);

    private final AccessControl access;

    RequestAuthorization(AccessControl access) {
        this.access = access;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this).addPathPatterns("/api/**").order(Ordered.HIGHEST_PRECEDENCE);
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (request.getDispatcherType() != DispatcherType.REQUEST) {
            return true; // an async result coming back: checked when the request arrived
        }
        Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
        if (pattern == null) {
            return true; // no handler: a 404 follows
        }
        String method = "HEAD".equals(request.getMethod()) ? "GET" : request.getMethod(); // HEAD is served by GET
        Check check = ROUTES.getOrDefault(method + " " + pattern, UNLISTED);
        if (check.type() == null) {
            return true;
        }
        access.require(request, check.type(), resourceName(request, check), check.op());
        return true;
    }

    @SuppressWarnings("unchecked")
    private static String resourceName(HttpServletRequest request, Check check) {
        if (check.type() == ResourceType.CLUSTER) {
            return ResourceType.CLUSTER_NAME;
        }
        String value;
        if (check.variable().startsWith("?")) {
            value = request.getParameter(check.variable().substring(1));
        } else {
            Map<String, String> vars = (Map<String, String>) request.getAttribute(
                    HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
            value = vars == null ? null : vars.get(check.variable());
        }
        if (value == null) {
            throw new InvalidRequestException(check.variable().replace("?", "") + " is required");
        }
        return value;
    }
}
