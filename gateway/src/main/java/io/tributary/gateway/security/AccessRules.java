package io.tributary.gateway.security;

import java.util.List;
import java.util.Set;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Which role a request needs, decided by method and path; the first matching rule wins and anything not listed
 * needs {@link Role#ADMIN} (deny by default). {@link Access#AUTHENTICATED} means any valid key.
 *
 * <pre>
 * authenticated  GET  /console/api/** (the console's session and service health)
 * public         GET  /actuator/health/**, /v3/api-docs/**, /swagger-ui.html, /swagger-ui/**, /{service}/v3/api-docs,
 *                     /console, /console/** (the console's pages and scripts), /webjars/** (their libraries)
 * producer       POST /api/v1/topics/{t}/records;  any /api/v1/producers/**
 * consumer       GET  /api/v1/topics/{t}/partitions/{p}/records|offsets;  any /api/v1/groups/**
 * authenticated  GET  /api/v1/topics, /api/v1/topics/{t} (producers and consumers need partition counts);
 *                GET  /api/v1/pipelines/**, /api/v1/reference-tables/**, /api/v1/jobs/** (results, progress)
 * admin          everything else: topic, pipeline, reference-table and job changes, ACLs (/api/v1/acls/**),
 *                the cluster view and replica moves (/api/v1/cluster/**),
 *                /actuator/**
 * </pre>
 */
final class AccessRules {

    enum Access { PUBLIC, AUTHENTICATED, PRODUCER, CONSUMER, ADMIN }

    private record Rule(Set<HttpMethod> methods, List<PathPattern> paths, Access access) {
        boolean matches(HttpMethod method, PathContainer path) {
            return (methods.isEmpty() || methods.contains(method)) && paths.stream().anyMatch(p -> p.matches(path));
        }
    }

    private static final Set<HttpMethod> ANY = Set.of();
    private static final Set<HttpMethod> READ = Set.of(HttpMethod.GET, HttpMethod.HEAD);

    private final List<Rule> rules = List.of(
            rule(READ, Access.AUTHENTICATED, "/console/api/**"),
            rule(READ, Access.PUBLIC, "/console", "/console/**", "/webjars/**", "/actuator/health",
                    "/actuator/health/**", "/v3/api-docs", "/v3/api-docs/**",
                    "/swagger-ui.html", "/swagger-ui/**", "/{service:ingest|clean|analytics}/v3/api-docs",
                    "/{service:ingest|clean|analytics}/v3/api-docs/**"),
            rule(Set.of(HttpMethod.POST), Access.PRODUCER, "/api/v1/topics/*/records"),
            rule(ANY, Access.PRODUCER, "/api/v1/producers", "/api/v1/producers/**"),
            rule(READ, Access.CONSUMER, "/api/v1/topics/*/partitions/*/records", "/api/v1/topics/*/partitions/*/offsets"),
            rule(ANY, Access.CONSUMER, "/api/v1/groups", "/api/v1/groups/**"),
            rule(READ, Access.AUTHENTICATED, "/api/v1/topics", "/api/v1/topics/*", "/api/v1/pipelines",
                    "/api/v1/pipelines/**", "/api/v1/reference-tables", "/api/v1/reference-tables/**",
                    "/api/v1/jobs", "/api/v1/jobs/**"));

    private static Rule rule(Set<HttpMethod> methods, Access access, String... patterns) {
        List<PathPattern> paths = java.util.Arrays.stream(patterns).map(PathPatternParser.defaultInstance::parse)
                .toList();
        return new Rule(methods, paths, access);
    }

    Access required(String method, String path) {
        HttpMethod m = HttpMethod.valueOf(method);
        PathContainer p = PathContainer.parsePath(path);
        return rules.stream().filter(r -> r.matches(m, p)).map(Rule::access).findFirst().orElse(Access.ADMIN);
    }

    /** Whether a key with these roles may do what needs {@code access}. */
    static boolean allows(Set<Role> roles, Access access) {
        return switch (access) {
            case PUBLIC, AUTHENTICATED -> true;
            case PRODUCER -> roles.contains(Role.PRODUCER) || roles.contains(Role.ADMIN);
            case CONSUMER -> roles.contains(Role.CONSUMER) || roles.contains(Role.ADMIN);
            case ADMIN -> roles.contains(Role.ADMIN);
        };
    }
}
