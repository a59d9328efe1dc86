package io.tributary.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml and its host-network override: valid for Debian's docker-compose, free of repeated
 * keys, and consistent with the services' own configuration (image, port, health path, environment
 * keys, data folders on volumes, upstream URLs) as docker-compose itself resolves the files.
 */
class ComposeFileTest {

    private static final String BASE = "docker-compose.yml";
    private static final String HOST_NETWORK = "docker-compose.host-network.yml";
    private static final String POSTGRES = "docker-compose.postgres.yml";
    /** What a deployment must supply (docs/security.md); the file has no fallback for any of them. */
    private static final Map<String, String> SECRETS = Map.of(
            "TRIBUTARY_API_KEY", "test-api-key-0123456789",
            "TRIBUTARY_MASK_SALT", "test-mask-salt-0123456789",
            "TRIBUTARY_GATEWAY_SECRET", "test-gateway-secret-0123456789abcdef",
            "TRIBUTARY_CLEAN_SECRET", "test-clean-secret-0123456789abcdef",
            "TRIBUTARY_ANALYTICS_SECRET", "test-analytics-secret-0123456789abcdef",
            "TRIBUTARY_INGEST_SECRET", "test-ingest-secret-0123456789abcdef",
            "TRIBUTARY_DB_PASSWORD", "test-db-password-0123456789");
    private static final Pattern HEALTH = Pattern.compile("/dev/tcp/127\\.0\\.0\\.1/(\\d+) .*GET (\\S+) HTTP");
    private static final JibImages IMAGES = new JibImages();

    /** A service of the resolved file, with what the checks need. */
    private record ComposeService(String name, Map<String, Object> spec, ServiceConfig config) {

        @SuppressWarnings("unchecked")
        Map<String, String> env() {
            Map<String, String> env = new TreeMap<>();
            Object raw = spec.get("environment");
            if (raw instanceof Map<?, ?> map) {
                map.forEach((k, v) -> env.put(k.toString(), v == null ? null : v.toString()));
            }
            return env;
        }

        int port() {
            String port = env().get("SERVER_PORT");
            return port == null ? config.port() : Integer.parseInt(port);
        }

        @SuppressWarnings("unchecked")
        List<String> volumeTargets() {
            List<String> out = new ArrayList<>();
            for (Object v : (List<Object>) spec.getOrDefault("volumes", List.of())) {
                out.add(v.toString().split(":")[1]);
            }
            return out;
        }

        @SuppressWarnings("unchecked")
        List<String> volumeSources() {
            List<String> out = new ArrayList<>();
            for (Object v : (List<Object>) spec.getOrDefault("volumes", List.of())) {
                out.add(v.toString().split(":")[0]);
            }
            return out;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ComposeService> resolved(String... files) {
        List<String> command = new ArrayList<>(List.of("docker-compose"));
        for (String file : files) {
            command.add("-f");
            command.add(file);
        }
        command.add("config");
        Map<String, Object> config = StrictYaml.document(Commands.output(command, SECRETS));
        Map<String, ComposeService> services = new TreeMap<>();
        ((Map<String, Object>) config.get("services")).forEach((name, spec) -> {
            Map<String, Object> s = (Map<String, Object>) spec;
            if (name.equals("postgres")) {
                return; // the database of the PostgreSQL variant: not one of ours (checked on its own below)
            }
            String module = IMAGES.moduleOf(String.valueOf(s.get("image")));
            assertThat(module).as("service %s runs %s, not one of the Jib images", name, s.get("image")).isNotNull();
            services.put(name, new ComposeService(name, s, ServiceConfig.of(module)));
        });
        return services;
    }

    @Test
    void shouldBeAcceptedByDockerComposeConfig() {
        assertThat(Commands.run(List.of("docker-compose", "-f", BASE, "config", "-q"), SECRETS).exitCode()).isZero();
        assertThat(Commands.run(List.of("docker-compose", "-f", BASE, "-f", HOST_NETWORK, "config", "-q"), SECRETS)
                .exitCode()).isZero();
    }

    @Test
    void shouldRunStreamCleanAndAnalyticsOnTheDatabasesOfThePostgresVariant() {
        assertThat(Commands.run(List.of("docker-compose", "-f", BASE, "-f", POSTGRES, "config", "-q"), SECRETS)
                .exitCode()).isZero();
        Map<String, String> noPassword = new TreeMap<>(SECRETS);
        noPassword.put("TRIBUTARY_DB_PASSWORD", "");
        Commands.Result refused = Commands.run(List.of("docker-compose", "-f", BASE, "-f", POSTGRES, "config", "-q"),
                noPassword);
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.output()).contains("TRIBUTARY_DB_PASSWORD");

        Map<String, ComposeService> services = resolved(BASE, POSTGRES);
        String initScript = RepoFiles.read("deploy/postgres/init-databases.sql");
        for (String[] service : new String[][] {{"stream-clean", "CLEAN"}, {"analytics", "ANALYTICS"}}) {
            ComposeService s = services.get(service[0]);
            Map<String, String> env = s.env();
            assertThat(env.get("SPRING_PROFILES_ACTIVE")).isEqualTo("compose,postgres");
            for (String variable : env.keySet()) {
                assertThat(s.config().reads(variable)).as("%s reads %s", s.name(), variable).isTrue();
            }
            String url = env.get(service[1] + "_DB_URL");
            assertThat(url).startsWith("jdbc:postgresql://postgres:5432/");
            String database = url.substring(url.lastIndexOf('/') + 1);
            assertThat(initScript).as("the database %s is created", database)
                    .contains("CREATE DATABASE " + database + ";");
            assertThat(env.get(service[1] + "_DB_PASSWORD")).isEqualTo(SECRETS.get("TRIBUTARY_DB_PASSWORD"));
            assertThat(s.spec().get("depends_on")).asInstanceOf(InstanceOfAssertFactories.MAP)
                    .containsEntry("postgres", Map.of("condition", "service_healthy"));
        }
    }

    @Test
    void shouldRefuseToRunWithoutTheDeploymentsOwnSecrets() {
        for (boolean postgres : new boolean[] {false, true}) {
            List<String> command = postgres ? List.of("docker-compose", "-f", BASE, "-f", POSTGRES, "config", "-q")
                    : List.of("docker-compose", "-f", BASE, "config", "-q");
            for (String secret : SECRETS.keySet()) {
                if (!postgres && secret.equals("TRIBUTARY_DB_PASSWORD")) {
                    continue; // only the PostgreSQL variant has a database password
                }
                Map<String, String> missing = new TreeMap<>(SECRETS);
                missing.put(secret, ""); // empty counts as unset for ${VAR:?}, whatever the caller's environment holds
                Commands.Result result = Commands.run(command, missing);
                assertThat(result.exitCode()).as("%s without %s", command, secret).isNotZero();
                assertThat(result.output()).as("the error names the variable").contains(secret);
            }
        }
    }

    @Test
    void shouldHaveNoRepeatedKeys() {
        assertThat(StrictYaml.documents(RepoFiles.read(BASE))).hasSize(1);
        assertThat(StrictYaml.documents(RepoFiles.read(HOST_NETWORK))).hasSize(1);
        assertThat(StrictYaml.documents(RepoFiles.read(POSTGRES))).hasSize(1);
    }

    @Test
    void shouldRunEveryServiceFromItsJibImageWithAMemoryLimitAndTheReadinessHealthcheck() {
        Map<String, ComposeService> services = resolved(BASE);
        assertThat(services.values()).extracting(s -> s.config().module()).containsOnly("ingest-service",
                "stream-clean-service", "analytics-service", "gateway");
        for (ComposeService s : services.values()) {
            assertThat(s.spec().get("image")).isEqualTo(IMAGES.image(s.config().module()));
            assertThat(s.spec()).as("%s memory limit", s.name()).containsKey("mem_limit");
            assertHealthcheck(s);
        }
    }

    @Test
    void shouldStartDependentsOnlyWhenWhatTheyNeedIsHealthy() {
        Map<String, ComposeService> services = resolved(BASE);
        for (ComposeService s : services.values()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> dependsOn = (Map<String, Object>) s.spec().getOrDefault("depends_on", Map.of());
            dependsOn.forEach((target, condition) -> {
                assertThat(services).as("%s depends on %s", s.name(), target).containsKey(target);
                assertThat(condition).isEqualTo(Map.of("condition", "service_healthy"));
            });
            // every upstream a service calls is one it waits for
            for (String value : s.env().values()) {
                if (value != null && value.startsWith("http://")) {
                    for (URI url : urls(value)) {
                        assertThat(dependsOn).as("%s waits for %s", s.name(), url).containsKey(url.getHost());
                    }
                }
            }
        }
    }

    @Test
    void shouldPublishOnlyTheGatewayPort() {
        Map<String, ComposeService> services = resolved(BASE);
        for (ComposeService s : services.values()) {
            if (s.config().module().equals("gateway")) {
                assertThat(s.spec().get("ports")).asList().singleElement()
                        .isEqualTo(Map.of("published", s.port(), "target", s.port()));
            } else {
                assertThat(s.spec()).as("%s publishes no port", s.name()).doesNotContainKey("ports");
            }
        }
    }

    @Test
    void shouldSetOnlyEnvironmentKeysTheServicesRead() {
        for (String[] files : List.of(new String[] {BASE}, new String[] {BASE, HOST_NETWORK})) {
            for (ComposeService s : resolved(files).values()) {
                for (String variable : s.env().keySet()) {
                    assertThat(s.config().reads(variable)).as("%s reads %s", s.config().module(), variable).isTrue();
                }
            }
        }
    }

    @Test
    void shouldKeepEachServicesDataOnItsOwnVolume() {
        Map<String, ComposeService> services = resolved(BASE);
        Path workingDir = IMAGES.workingDirectory();
        Set<String> volumes = new HashSet<>();
        for (ComposeService s : services.values()) {
            for (Path folder : s.config().dataFolders(s.env(), workingDir)) {
                assertThat(s.volumeTargets()).as("%s writes %s: on a volume", s.name(), folder)
                        .anyMatch(folder::startsWith);
            }
            for (String source : s.volumeSources()) {
                assertThat(volumes.add(source)).as("volume %s is used by one service only", source).isTrue();
            }
        }
    }

    @Test
    void shouldRunIngestAsAThreeNodeClusterWithReplicationFactorThree() {
        assertCluster(resolved(BASE), false);
    }

    @Test
    void shouldPutEveryContainerOnTheHostNetworkTalkingOverLoopbackWithTheOverride() {
        Map<String, ComposeService> services = resolved(BASE, HOST_NETWORK);
        Set<Integer> ports = new HashSet<>();
        for (ComposeService s : services.values()) {
            assertThat(s.spec().get("network_mode")).as("%s network", s.name()).isEqualTo("host");
            assertThat(ports.add(s.port())).as("%s port %d is its own on the host", s.name(), s.port()).isTrue();
            assertHealthcheck(s);
            for (String value : s.env().values()) {
                if (value != null && value.startsWith("http://")) {
                    for (URI uri : urls(value)) {
                        assertThat(uri.getHost()).isEqualTo("127.0.0.1");
                        assertThat(services.values()).as("%s: a service listens on %s", s.name(), uri)
                                .anyMatch(other -> other.port() == uri.getPort());
                    }
                }
            }
        }
        assertCluster(services, true);
    }

    /**
     * Issue 11: stream-clean and analytics list every ingest node (their client fails over between them), so
     * losing ingest-1 stops neither. The gateway's route takes one URI: it is the one service left on one
     * node (docs/gateway.md), and the only one allowed to be.
     */
    @Test
    void shouldTieNoServiceButTheGatewayToOneIngestNode() {
        for (String[] files : List.of(new String[] {BASE}, new String[] {BASE, HOST_NETWORK})) {
            Map<String, ComposeService> services = resolved(files);
            boolean loopback = files.length == 2;
            Set<String> everyNode = new java.util.TreeSet<>();
            for (ComposeService s : services.values()) {
                if (s.config().module().equals("ingest-service")) {
                    everyNode.add(loopback ? "127.0.0.1:" + s.port() : s.name() + ":" + s.port());
                }
            }
            Set<String> tiedToOne = new java.util.TreeSet<>();
            int settings = 0;
            for (ComposeService s : services.values()) {
                if (s.config().module().equals("ingest-service")) {
                    continue;
                }
                for (Map.Entry<String, String> e : s.env().entrySet()) {
                    if (e.getValue() == null || !e.getValue().startsWith("http://")) {
                        continue;
                    }
                    List<String> nodes = urls(e.getValue()).stream().map(u -> u.getHost() + ":" + u.getPort())
                            .filter(everyNode::contains).toList();
                    if (nodes.isEmpty()) {
                        continue;
                    }
                    settings++;
                    if (nodes.size() == 1) {
                        tiedToOne.add(s.config().module());
                    } else {
                        assertThat(nodes).as("%s %s lists every ingest node", s.name(), e.getKey())
                                .containsExactlyInAnyOrderElementsOf(everyNode);
                    }
                }
            }
            assertThat(settings).as("stream-clean, analytics and the gateway reach ingest").isEqualTo(3);
            assertThat(tiedToOne).as("services on one ingest node (%s)", String.join(" + ", files))
                    .containsExactly("gateway");
        }
    }

    /** The URLs of a setting: one, or several separated by commas (ingest-client's bootstrap list). */
    private static List<URI> urls(String value) {
        return java.util.Arrays.stream(value.split(",")).map(String::strip).filter(v -> !v.isEmpty())
                .map(URI::create).toList();
    }

    /** Node ids distinct, each node itself in the peer list, all peer lists equal, replication factor 3. */
    private static void assertCluster(Map<String, ComposeService> services, boolean loopback) {
        List<ComposeService> nodes = services.values().stream()
                .filter(s -> s.config().module().equals("ingest-service")).toList();
        assertThat(nodes).hasSize(3);
        Set<String> peerLists = new HashSet<>();
        Set<Integer> raftPorts = new HashSet<>();
        Set<Integer> kafkaPorts = new HashSet<>();
        Set<Integer> replicaPorts = new HashSet<>();
        for (ComposeService node : nodes) {
            Map<String, String> env = node.env();
            String peers = env.get("INGEST_CLUSTER_PEERS");
            peerLists.add(peers);
            assertThat(env.get("INGEST_DEFAULT_REPLICATION_FACTOR")).isEqualTo("3");
            String host = loopback ? "127.0.0.1" : node.name();
            Matcher self = Pattern.compile("(?:^|,)" + env.get("INGEST_NODE_ID") + "=" + Pattern.quote(host) + ":"
                    + node.port() + ":(\\d+)(?::(\\d+))?(?::(\\d+))?(?:,|$)").matcher(peers);
            assertThat(self.find()).as("%s (node %s) is in the peers %s as %s:%d", node.name(),
                    env.get("INGEST_NODE_ID"), peers, host, node.port()).isTrue();
            raftPorts.add(Integer.parseInt(self.group(1)));
            // The Kafka port the peers name for a node is the one it listens on (it refuses to start otherwise).
            assertThat(self.group(2)).as("%s: a Kafka port in the peers", node.name()).isNotNull();
            String kafkaPort = env.getOrDefault("INGEST_KAFKA_PORT", "9092");
            assertThat(self.group(2)).as("%s: the Kafka port named in the peers", node.name()).isEqualTo(kafkaPort);
            kafkaPorts.add(Integer.parseInt(kafkaPort));
            // Named, not left to the Raft port plus one: on one host that is another node's Raft or Kafka port.
            assertThat(self.group(3)).as("%s: a replication listener port in the peers", node.name()).isNotNull();
            replicaPorts.add(Integer.parseInt(self.group(3)));
        }
        assertThat(peerLists).as("every node has the same peer list").hasSize(1);
        assertThat(peerLists.iterator().next().split(",")).hasSize(3);
        if (loopback) {
            assertThat(raftPorts).as("Raft ports on one host").hasSize(3);
            assertThat(kafkaPorts).as("Kafka ports on one host").hasSize(3).doesNotContainAnyElementsOf(raftPorts);
            assertThat(replicaPorts).as("replication listener ports on one host").hasSize(3)
                    .doesNotContainAnyElementsOf(raftPorts).doesNotContainAnyElementsOf(kafkaPorts);
        }
    }

    private static void assertHealthcheck(ComposeService s) {
        @SuppressWarnings("unchecked")
        Map<String, Object> healthcheck = (Map<String, Object>) s.spec().get("healthcheck");
        assertThat(healthcheck).as("%s healthcheck", s.name()).isNotNull();
        Matcher m = HEALTH.matcher(String.join(" ", ((List<?>) healthcheck.get("test")).stream()
                .map(Object::toString).toList()));
        assertThat(m.find()).as("%s healthcheck asks /dev/tcp/127.0.0.1/<port> for a path", s.name()).isTrue();
        assertThat(Integer.parseInt(m.group(1))).as("%s healthcheck port", s.name()).isEqualTo(s.port());
        assertThat(m.group(2)).as("%s healthcheck path", s.name()).isEqualTo(s.config().readinessPath());
    }
}
