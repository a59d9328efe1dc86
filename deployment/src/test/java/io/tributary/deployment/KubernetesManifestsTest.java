package io.tributary.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each overlay under k8s/overlays, rendered offline with {@code kubectl kustomize}, parsed strictly into
 * fabric8's typed model and checked: selectors, Services, probes, limits, images, and the ports, paths,
 * environment keys and data folders of each container against its service's own configuration.
 */
class KubernetesManifestsTest {

    private static final Map<String, Manifests> RENDERED = new ConcurrentHashMap<>();
    private static final JibImages IMAGES = new JibImages();
    /** The label of pods a user lets reach ingest's Kafka listener (network-policies.yaml). */
    private static final Map<String, String> KAFKA_CLIENTS = Map.of("tributary.io/kafka-client", "true");
    /** The label of a spark job's driver and executor pods, which Spark creates (components/spark). */
    static final Map<String, String> SPARK_JOBS = Map.of("tributary.io/spark-job", "true");

    private static Manifests overlay(String name) {
        return RENDERED.computeIfAbsent(name, Manifests::render);
    }

    /** The service module a container runs, from its image, which must be one Jib builds. */
    private static ServiceConfig serviceOf(Container container) {
        String module = IMAGES.moduleOf(container.getImage());
        assertThat(module).as("image %s of container %s is not one of the Jib images", container.getImage(),
                container.getName()).isNotNull();
        assertThat(container.getImage()).isEqualTo(IMAGES.image(module));
        return ServiceConfig.of(module);
    }

    private static List<Container> containers(Manifests.Workload workload) {
        return workload.template().getSpec().getContainers();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldRunTheFourServicesFromTaggedJibImages(String name) {
        Manifests m = overlay(name);
        Set<String> modules = new java.util.TreeSet<>();
        for (Manifests.Workload w : m.workloads()) {
            for (Container c : containers(w)) {
                assertThat(c.getImage()).as("%s/%s", w.name(), c.getName()).contains(":").doesNotEndWith(":latest");
                modules.add(serviceOf(c).module());
            }
        }
        assertThat(modules).containsExactlyInAnyOrder("ingest-service", "stream-clean-service", "analytics-service",
                "gateway");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldSelectEachWorkloadsOwnPods(String name) {
        for (Manifests.Workload w : overlay(name).workloads()) {
            assertThat(w.selector()).as("%s selector", w.name()).isNotEmpty();
            assertThat(w.podLabels()).as("%s pod labels", w.name()).containsAllEntriesOf(w.selector());
            assertThat(overlay(name).selectedBy(w.selector())).as("workloads selected by %s's selector", w.name())
                    .extracting(Manifests.Workload::name).containsExactly(w.name());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldHaveEveryServiceSelectAWorkloadOnPortsItsContainersOpen(String name) {
        Manifests m = overlay(name);
        for (Service service : m.all(Service.class)) {
            List<Manifests.Workload> selected = m.selectedBy(service.getSpec().getSelector());
            assertThat(selected).as("workloads behind Service %s", service.getMetadata().getName()).hasSize(1);
            List<ContainerPort> open = containers(selected.get(0)).stream().flatMap(c -> c.getPorts().stream())
                    .toList();
            for (ServicePort port : service.getSpec().getPorts()) {
                assertThat(resolves(port.getTargetPort(), open)).as("Service %s port %s targets an open container port",
                        service.getMetadata().getName(), port.getName()).isTrue();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldOpenTheServicePortAndProbeTheHealthGroups(String name) {
        for (Manifests.Workload w : overlay(name).workloads()) {
            for (Container c : containers(w)) {
                ServiceConfig service = serviceOf(c);
                Map<String, String> env = overlay(name).environment(c);
                int port = env.containsKey("SERVER_PORT") ? Integer.parseInt(env.get("SERVER_PORT")) : service.port();
                assertThat(c.getPorts()).as("%s ports", c.getName()).extracting(ContainerPort::getContainerPort)
                        .contains(port);
                assertThat(c.getLivenessProbe()).as("%s liveness probe", c.getName()).isNotNull();
                assertThat(c.getReadinessProbe()).as("%s readiness probe", c.getName()).isNotNull();
                assertProbe(c, c.getLivenessProbe(), service.livenessPath(), port);
                assertProbe(c, c.getReadinessProbe(), service.readinessPath(), port);
                if (c.getStartupProbe() != null) {
                    assertProbe(c, c.getStartupProbe(), service.livenessPath(), port);
                }
            }
        }
    }

    private static void assertProbe(Container c, Probe probe, String path, int servicePort) {
        HTTPGetAction get = probe.getHttpGet();
        assertThat(get).as("%s probe is an HTTP GET", c.getName()).isNotNull();
        assertThat(get.getPath()).as("%s probe path", c.getName()).isEqualTo(path);
        ContainerPort target = c.getPorts().stream().filter(p -> matches(get.getPort(), p)).findFirst().orElse(null);
        assertThat(target).as("%s probe port %s is a container port", c.getName(), get.getPort()).isNotNull();
        assertThat(target.getContainerPort()).as("%s probes the HTTP port", c.getName()).isEqualTo(servicePort);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldSetRequestsAndLimitsOnEveryContainer(String name) {
        for (Manifests.Workload w : overlay(name).workloads()) {
            for (Container c : containers(w)) {
                assertThat(c.getResources().getRequests()).as("%s requests", c.getName()).containsKeys("cpu", "memory");
                assertThat(c.getResources().getLimits()).as("%s limits", c.getName()).containsKeys("cpu", "memory");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldSetOnlyEnvironmentKeysTheServicesRead(String name) {
        for (Manifests.Workload w : overlay(name).workloads()) {
            for (Container c : containers(w)) {
                ServiceConfig service = serviceOf(c);
                // a config/application.yml mounted in the working folder may name variables too
                String mounted = String.join("\n", overlay(name).mountedFiles(w, c,
                        IMAGES.workingDirectory().resolve("config")).values());
                for (String variable : overlay(name).environment(c).keySet()) {
                    assertThat(service.reads(variable) || mounted.contains("${" + variable + "}"))
                            .as("%s reads %s (%s)", service.module(), variable, w.name()).isTrue();
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldKeepDataOnMountedVolumesUnderAReadOnlyNonRootFileSystem(String name) {
        Path workingDir = IMAGES.workingDirectory();
        for (Manifests.Workload w : overlay(name).workloads()) {
            var pod = w.template().getSpec();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).as("%s runAsNonRoot", w.name()).isTrue();
            Set<String> volumes = pod.getVolumes().stream().map(v -> v.getName()).collect(Collectors.toSet());
            if (w.resource() instanceof StatefulSet s) {
                s.getSpec().getVolumeClaimTemplates().forEach(t -> volumes.add(t.getMetadata().getName()));
            }
            for (Container c : containers(w)) {
                assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as("%s read-only root", c.getName())
                        .isTrue();
                assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
                List<String> mounts = c.getVolumeMounts().stream().map(VolumeMount::getMountPath).toList();
                for (VolumeMount mount : c.getVolumeMounts()) {
                    assertThat(volumes).as("%s mounts volume %s", c.getName(), mount.getName()).contains(mount.getName());
                }
                assertThat(mounts).as("%s: a writable /tmp on a read-only root", c.getName()).contains("/tmp");
                for (Path folder : serviceOf(c).dataFolders(overlay(name).environment(c), workingDir)) {
                    assertThat(mounts).as("%s writes %s: on a mounted volume", c.getName(), folder)
                            .anyMatch(m -> folder.startsWith(m));
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldDeriveIngestPeersFromThePodOrdinals(String name) {
        Manifests m = overlay(name);
        StatefulSet ingest = m.all(StatefulSet.class).stream().filter(s -> "ingest-service".equals(
                IMAGES.moduleOf(s.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())))
                .findFirst().orElseThrow();
        int replicas = ingest.getSpec().getReplicas();
        assertThat(replicas).isEqualTo(name.equals("prod") ? 3 : 1);

        Service headless = m.service(ingest.getSpec().getServiceName()).orElseThrow();
        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(m.selectedBy(headless.getSpec().getSelector())).extracting(Manifests.Workload::name)
                .containsExactly(ingest.getMetadata().getName());

        Container c = ingest.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getEnv()).filteredOn(e -> e.getName().equals("INGEST_NODE_ID")).singleElement()
                .satisfies(e -> assertThat(e.getValueFrom().getFieldRef().getFieldPath())
                        .isEqualTo("metadata.labels['apps.kubernetes.io/pod-index']"));
        Map<String, String> env = m.environment(c);
        String peers = env.get("INGEST_CLUSTER_PEERS");
        int rf = Integer.parseInt(env.get("INGEST_DEFAULT_REPLICATION_FACTOR"));
        if (replicas == 1) {
            assertThat(peers).as("one node runs without Raft").isBlank();
            assertThat(rf).isEqualTo(1);
        } else {
            int http = port(c, "http");
            int raft = port(c, "raft");
            int kafka = port(c, "kafka");
            int replica = port(c, "replica");
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < replicas; i++) {
                expected.add(i + "=" + ingest.getMetadata().getName() + "-" + i + "."
                        + headless.getMetadata().getName() + ":" + http + ":" + raft + ":" + kafka + ":" + replica);
            }
            assertThat(peers.split(",")).containsExactlyElementsOf(expected);
            assertThat(rf).isEqualTo(3);
            // followers fetch the partitions a node leads from its replication listener
            assertThat(headless.getSpec().getPorts()).extracting(p -> p.getPort()).contains(http, raft, kafka, replica);
            // and the network policies let the other ingest pods reach both
            Map<String, String> ingestPods = ingest.getSpec().getSelector().getMatchLabels();
            List<Integer> fromPeers = m.all(NetworkPolicy.class).stream()
                    .filter(p -> ingestPods.equals(p.getSpec().getPodSelector().getMatchLabels()))
                    .flatMap(p -> p.getSpec().getIngress().stream())
                    .filter(rule -> rule.getFrom().stream().anyMatch(peer -> peer.getPodSelector() != null
                            && ingestPods.equals(peer.getPodSelector().getMatchLabels())))
                    .flatMap(rule -> rule.getPorts().stream())
                    .flatMap(port -> c.getPorts().stream().filter(open -> matches(port.getPort(), open)))
                    .map(ContainerPort::getContainerPort).toList();
            assertThat(fromPeers).as("ports the other ingest pods may reach").contains(raft, replica);
        }
        // Kafka clients connect to the pod by the name it advertises: its own name in the headless Service,
        // on the port its listener has (ingest.kafka.port, 9092 unless set).
        int kafka = port(c, "kafka");
        assertThat(Integer.parseInt(env.getOrDefault("INGEST_KAFKA_PORT", "9092"))).isEqualTo(kafka);
        assertThat(env.get("INGEST_KAFKA_ADVERTISED_HOST")).isEqualTo("${HOSTNAME}." + headless.getMetadata().getName());
        assertThat(headless.getSpec().getPorts()).extracting(p -> p.getPort()).contains(kafka);
        // A pod beyond the founders starts as a node to be added, under the same name and ports as a founder.
        assertThat(env.get("INGEST_CLUSTER_SELF_ADDRESS")).isEqualTo("${HOSTNAME}." + headless.getMetadata().getName()
                + ":" + port(c, "http") + ":" + port(c, "raft") + ":" + kafka + ":" + port(c, "replica"));
        assertThat(ingest.getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity()).isNotNull();
        assertThat(ingest.getSpec().getVolumeClaimTemplates()).isNotEmpty();

        List<PodDisruptionBudget> budgets = m.all(PodDisruptionBudget.class).stream()
                .filter(b -> m.selectedBy(b.getSpec().getSelector().getMatchLabels()).stream()
                        .anyMatch(w -> w.name().equals(ingest.getMetadata().getName())))
                .toList();
        assertThat(budgets).singleElement()
                .satisfies(b -> assertThat(b.getSpec().getMaxUnavailable()).isEqualTo(new IntOrString(1)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldAutoscaleStreamCleanAndAnalyticsDeploymentsOnCpu(String name) {
        Manifests m = overlay(name);
        Set<String> targets = new java.util.TreeSet<>();
        for (HorizontalPodAutoscaler hpa : m.all(HorizontalPodAutoscaler.class)) {
            var ref = hpa.getSpec().getScaleTargetRef();
            assertThat(ref.getKind()).isEqualTo("Deployment");
            Manifests.Workload target = m.workload(ref.getName());
            targets.add(serviceOf(containers(target).get(0)).module());
            assertThat(hpa.getSpec().getMetrics()).anySatisfy(metric ->
                    assertThat(metric.getResource().getName()).isEqualTo("cpu"));
            assertThat(hpa.getSpec().getMaxReplicas()).isGreaterThanOrEqualTo(hpa.getSpec().getMinReplicas());
        }
        assertThat(targets).containsExactlyInAnyOrder("stream-clean-service", "analytics-service");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldLetOnlyTheGatewayBeReachedFromOutside(String name) {
        Manifests m = overlay(name);
        List<NetworkPolicy> policies = m.all(NetworkPolicy.class);
        assertThat(policies).as("a default deny of ingress").anySatisfy(p -> {
            assertThat(p.getSpec().getPodSelector().getMatchLabels()).isNullOrEmpty();
            assertThat(p.getSpec().getPolicyTypes()).contains("Ingress");
            assertThat(p.getSpec().getIngress()).isEmpty();
        });
        int kafkaPolicies = 0;
        for (NetworkPolicy p : policies) {
            Map<String, String> selector = p.getSpec().getPodSelector().getMatchLabels();
            if (selector == null || selector.isEmpty()) {
                continue;
            }
            if (selector.equals(SPARK_JOBS)) {
                // Pods Spark creates (no workload of ours): a driver and its executors admit only each other.
                assertThat(p.getSpec().getIngress()).singleElement().satisfies(rule -> assertThat(rule.getFrom())
                        .singleElement().satisfies(peer -> assertThat(peer.getPodSelector().getMatchLabels())
                                .isEqualTo(SPARK_JOBS)));
                continue;
            }
            List<Manifests.Workload> selected = m.selectedBy(selector);
            assertThat(selected).as("pods of policy %s", p.getMetadata().getName()).hasSize(1);
            Container container = containers(selected.get(0)).get(0);
            String module = serviceOf(container).module();
            for (var rule : p.getSpec().getIngress()) {
                for (var port : rule.getPorts()) {
                    assertThat(resolves(port.getPort(), container.getPorts())).as("policy %s port %s",
                            p.getMetadata().getName(), port.getPort()).isTrue();
                }
                if (!module.equals("gateway")) {
                    boolean kafkaClients = rule.getFrom().stream().anyMatch(peer -> peer.getPodSelector() != null
                            && KAFKA_CLIENTS.equals(peer.getPodSelector().getMatchLabels()));
                    boolean sparkJobs = rule.getFrom().stream().anyMatch(peer -> peer.getPodSelector() != null
                            && SPARK_JOBS.equals(peer.getPodSelector().getMatchLabels()));
                    assertThat(rule.getFrom()).as("policy %s admits only pods of the namespace",
                            p.getMetadata().getName()).isNotEmpty().allSatisfy(peer -> {
                                assertThat(peer.getIpBlock()).isNull();
                                assertThat(peer.getNamespaceSelector()).isNull();
                                if (!kafkaClients && !sparkJobs) {
                                    assertThat(m.selectedBy(peer.getPodSelector().getMatchLabels())).isNotEmpty();
                                }
                            });
                    if (sparkJobs) {
                        // A spark job's driver calls back on the analytics pod that submitted it: its port only.
                        assertThat(module).isEqualTo("analytics-service");
                        assertThat(rule.getPorts()).singleElement().satisfies(port -> assertThat(
                                port.getPort().getIntVal()).isEqualTo(port(container, "http")));
                    }
                    if (kafkaClients) {
                        // Pods a user labels as Kafka clients (no workload of ours): ingest's Kafka port only.
                        assertThat(module).isEqualTo("ingest-service");
                        assertThat(rule.getPorts()).singleElement().satisfies(port -> assertThat(
                                port.getPort().getIntVal()).isEqualTo(port(container, "kafka")));
                        kafkaPolicies++;
                    }
                }
            }
        }
        assertThat(kafkaPolicies).as("one policy admits labelled Kafka clients to ingest's Kafka port").isEqualTo(1);
        // Only the gateway is admitted without a pod selector; the services admit the gateway.
        Map<String, Set<String>> admitted = new java.util.TreeMap<>();
        for (NetworkPolicy p : policies) {
            Map<String, String> selector = p.getSpec().getPodSelector().getMatchLabels();
            if (selector == null || selector.isEmpty()) {
                continue;
            }
            if (selector.equals(SPARK_JOBS)) {
                continue;
            }
            String target = serviceOf(containers(m.selectedBy(selector).get(0)).get(0)).module();
            for (var rule : p.getSpec().getIngress()) {
                if (rule.getFrom().isEmpty()) {
                    admitted.computeIfAbsent(target, k -> new java.util.TreeSet<>()).add("anywhere");
                }
                for (NetworkPolicyPeer peer : rule.getFrom()) {
                    m.selectedBy(peer.getPodSelector().getMatchLabels()).forEach(w -> admitted
                            .computeIfAbsent(target, k -> new java.util.TreeSet<>())
                            .add(serviceOf(containers(w).get(0)).module()));
                }
            }
        }
        assertThat(admitted.entrySet()).filteredOn(e -> e.getValue().contains("anywhere"))
                .extracting(Map.Entry::getKey).containsExactly("gateway");
        assertThat(admitted.get("ingest-service")).containsExactlyInAnyOrder("gateway", "stream-clean-service",
                "analytics-service", "ingest-service");
        // analytics reads stream-clean's reference tables (ANALYTICS_CLEAN_URL)
        assertThat(admitted.get("stream-clean-service")).containsExactlyInAnyOrder("gateway", "analytics-service");
        assertThat(admitted.get("analytics-service")).containsExactly("gateway");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldPointUpstreamUrlsAtServicesOnTheirPorts(String name) {
        Manifests m = overlay(name);
        for (Manifests.Workload w : m.workloads()) {
            for (Container c : containers(w)) {
                for (Map.Entry<String, String> e : m.environment(c).entrySet()) {
                    if (e.getValue() == null || !e.getValue().startsWith("http://")) {
                        continue;
                    }
                    for (URI url : urls(e.getValue())) {
                        String[] host = url.getHost().split("\\.");
                        String serviceName = host[host.length - 1];
                        Service service = m.service(serviceName).orElseThrow(() -> new AssertionError(
                                e.getKey() + "=" + e.getValue() + " names no Service"));
                        assertThat(service.getSpec().getPorts()).as("%s port", e.getKey())
                                .extracting(ServicePort::getPort).contains(url.getPort());
                        Manifests.Workload upstream = m.selectedBy(service.getSpec().getSelector()).get(0);
                        assertThat(serviceOf(containers(upstream).get(0)).port()).as("%s reaches the service's port",
                                e.getKey()).isEqualTo(url.getPort());
                        if (host.length == 2) {
                            assertThat(host[0]).as("%s names a pod of %s", e.getKey(), upstream.name())
                                    .startsWith(upstream.name() + "-");
                        }
                    }
                }
            }
        }
    }

    /**
     * Issue 11: no service depends on one ingest pod. A setting that reaches ingest names either a
     * Service that balances over every ingest pod, or (a comma-separated list, failed over by the client)
     * every pod of the StatefulSet by its name in the headless Service.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldReachIngestThroughItsServiceOrEveryPod(String name) {
        Manifests m = overlay(name);
        StatefulSet ingest = m.all(StatefulSet.class).stream().filter(s -> "ingest-service".equals(
                IMAGES.moduleOf(s.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())))
                .findFirst().orElseThrow();
        String headless = ingest.getSpec().getServiceName();
        Set<String> everyPod = new java.util.TreeSet<>();
        for (int i = 0; i < ingest.getSpec().getReplicas(); i++) {
            everyPod.add(ingest.getMetadata().getName() + "-" + i + "." + headless);
        }
        int settings = 0;
        for (Manifests.Workload w : m.workloads()) {
            if (w.name().equals(ingest.getMetadata().getName())) {
                continue;
            }
            for (Container c : containers(w)) {
                for (Map.Entry<String, String> e : m.environment(c).entrySet()) {
                    if (e.getValue() == null || !e.getValue().startsWith("http://")) {
                        continue;
                    }
                    List<String> hosts = urls(e.getValue()).stream().map(URI::getHost).toList();
                    boolean reachesIngest = hosts.stream().anyMatch(h -> {
                        String service = h.substring(h.lastIndexOf('.') + 1);
                        return m.service(service).map(s -> m.selectedBy(s.getSpec().getSelector()).stream()
                                .anyMatch(u -> u.name().equals(ingest.getMetadata().getName()))).orElse(false);
                    });
                    if (!reachesIngest) {
                        continue;
                    }
                    settings++;
                    if (hosts.size() == 1 && !hosts.get(0).contains(".")) {
                        Service service = m.service(hosts.get(0)).orElseThrow();
                        assertThat(service.getSpec().getClusterIP()).as("%s of %s: a balancing Service",
                                e.getKey(), w.name()).isNotEqualTo("None");
                    } else {
                        assertThat(hosts).as("%s of %s lists every ingest pod", e.getKey(), w.name())
                                .containsExactlyInAnyOrderElementsOf(everyPod);
                    }
                }
            }
        }
        assertThat(settings).as("stream-clean, analytics and the gateway reach ingest").isEqualTo(3);
    }

    /** The URLs of a setting: one, or several separated by commas (ingest-client's bootstrap list). */
    private static List<URI> urls(String value) {
        return java.util.Arrays.stream(value.split(",")).map(String::strip).filter(v -> !v.isEmpty())
                .map(URI::create).toList();
    }

    private static int port(Container c, String name) {
        return c.getPorts().stream().filter(p -> name.equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + " has no port " + name)).getContainerPort();
    }

    private static boolean resolves(IntOrString port, List<ContainerPort> open) {
        return open.stream().anyMatch(p -> matches(port, p));
    }

    private static boolean matches(IntOrString port, ContainerPort p) {
        return port.getIntVal() != null ? port.getIntVal().equals(p.getContainerPort())
                : port.getStrVal().equals(p.getName());
    }
}
