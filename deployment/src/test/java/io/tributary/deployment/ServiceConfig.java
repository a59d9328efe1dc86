package io.tributary.deployment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a service really exposes and reads, taken from its own {@code src/main/resources/application*.yml}
 * (every document, every profile): its port, its health probe paths, the properties it knows and the
 * variables its placeholders name. The deployment files are checked against this, not against a
 * second list kept by hand.
 */
final class ServiceConfig {

    /** Spring Boot's and the JVM's own variables, not settings of a service. */
    private static final Set<String> PLATFORM_VARIABLES = Set.of("SPRING_PROFILES_ACTIVE", "JAVA_TOOL_OPTIONS");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]");
    private static final Pattern H2_FILE = Pattern.compile("jdbc:h2:file:([^;]+)");

    private final String module;
    private final Map<String, Object> defaults;
    private final Set<String> properties = new TreeSet<>();
    private final Set<String> placeholders = new TreeSet<>();

    private ServiceConfig(String module) {
        this.module = module;
        Path resources = RepoFiles.path(module + "/src/main/resources");
        Map<String, Object> first = null;
        try (Stream<Path> files = Files.list(resources)) {
            for (Path file : files.filter(f -> f.getFileName().toString().matches("application(-[\\w-]+)?\\.ya?ml"))
                    .sorted().toList()) {
                String text = Files.readString(file);
                Matcher m = PLACEHOLDER.matcher(text);
                while (m.find()) {
                    placeholders.add(m.group(1));
                }
                for (Map<String, Object> doc : StrictYaml.documents(text)) {
                    flatten("", doc);
                    boolean profileDocument = StrictYaml.at(doc, "spring.config.activate.on-profile") != null;
                    if (first == null && file.getFileName().toString().startsWith("application.")
                            && !profileDocument && StrictYaml.at(doc, "server.port") != null) {
                        first = doc;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (first == null) {
            throw new IllegalStateException(module + ": no application.yml document with server.port");
        }
        this.defaults = first;
    }

    static ServiceConfig of(String module) {
        return new ServiceConfig(module);
    }

    String module() {
        return module;
    }

    int port() {
        return ((Number) StrictYaml.at(defaults, "server.port")).intValue();
    }

    String livenessPath() {
        return healthBase() + "/liveness";
    }

    String readinessPath() {
        return healthBase() + "/readiness";
    }

    /** /actuator/health, provided the probe groups are enabled and health is exposed over the web. */
    private String healthBase() {
        if (!Boolean.TRUE.equals(StrictYaml.at(defaults, "management.endpoint.health.probes.enabled"))) {
            throw new IllegalStateException(module + " does not enable the liveness/readiness health groups");
        }
        Object include = StrictYaml.at(defaults, "management.endpoints.web.exposure.include");
        if (include == null || !List.of(include.toString().split(",")).contains("health")) {
            throw new IllegalStateException(module + " does not expose the health endpoint");
        }
        Object base = StrictYaml.at(defaults, "management.endpoints.web.base-path");
        return (base == null ? "/actuator" : base.toString()) + "/health";
    }

    /** Does an environment variable of this name set something this service reads? */
    boolean reads(String variable) {
        return PLATFORM_VARIABLES.contains(variable) || placeholders.contains(variable)
                || properties.stream().anyMatch(p -> EnvBinding.variablesFor(p).contains(variable));
    }

    /** The default of a property in the main document, or null. */
    String defaultOf(String property) {
        Object value = StrictYaml.at(defaults, property);
        return value == null ? null : value.toString();
    }

    /**
     * Folders the service writes its data to, given its environment and working folder: the ingest
     * log ({@code ingest.data-dir}) and H2 file databases ({@code spring.datasource.url}).
     */
    List<Path> dataFolders(Map<String, String> env, Path workingDir) {
        List<Path> folders = new java.util.ArrayList<>();
        String dataDir = effective("ingest.data-dir", env);
        if (dataDir != null) {
            folders.add(workingDir.resolve(dataDir).normalize());
        }
        String url = effective("spring.datasource.url", env);
        Matcher h2 = H2_FILE.matcher(url == null ? "" : url);
        if (h2.lookingAt()) {
            folders.add(workingDir.resolve(h2.group(1)).normalize().getParent());
        }
        return folders;
    }

    private String effective(String property, Map<String, String> env) {
        for (String variable : EnvBinding.variablesFor(property)) {
            if (env.containsKey(variable)) {
                return env.get(variable);
            }
        }
        return defaultOf(property);
    }

    @SuppressWarnings("unchecked")
    private void flatten(String prefix, Object node) {
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<String, Object> e : ((Map<String, Object>) map).entrySet()) {
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue());
            }
        } else if (node instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Map) {
            for (int i = 0; i < list.size(); i++) {
                flatten(prefix + "[" + i + "]", list.get(i));
            }
        } else {
            properties.add(prefix);
        }
    }
}
