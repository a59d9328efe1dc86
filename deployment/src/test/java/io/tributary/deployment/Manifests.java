package io.tributary.deployment;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One overlay rendered by {@code kubectl kustomize} and parsed strictly, with lookups the tests share. */
final class Manifests {

    /** A Deployment or StatefulSet: what the checks need of either. */
    record Workload(String kind, String name, Map<String, String> selector, PodTemplateSpec template, int replicas,
                    HasMetadata resource) {

        Map<String, String> podLabels() {
            return template.getMetadata().getLabels();
        }

        boolean selectedBy(Map<String, String> selector) {
            return selector != null && !selector.isEmpty() && podLabels().entrySet().containsAll(selector.entrySet());
        }
    }

    private final String overlay;
    private final List<HasMetadata> resources;

    private Manifests(String overlay, List<HasMetadata> resources) {
        this.overlay = overlay;
        this.resources = resources;
    }

    static Manifests render(String overlay) {
        String yaml = Commands.output(List.of("kubectl", "kustomize", "k8s/overlays/" + overlay));
        return new Manifests(overlay, StrictKubernetes.parse(yaml));
    }

    String overlay() {
        return overlay;
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return resources.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
        return all(type).stream().filter(r -> r.getMetadata().getName().equals(name)).findFirst();
    }

    List<Workload> workloads() {
        List<Workload> out = new java.util.ArrayList<>();
        for (Deployment d : all(Deployment.class)) {
            out.add(new Workload("Deployment", d.getMetadata().getName(), d.getSpec().getSelector().getMatchLabels(),
                    d.getSpec().getTemplate(), replicas(d.getSpec().getReplicas()), d));
        }
        for (StatefulSet s : all(StatefulSet.class)) {
            out.add(new Workload("StatefulSet", s.getMetadata().getName(), s.getSpec().getSelector().getMatchLabels(),
                    s.getSpec().getTemplate(), replicas(s.getSpec().getReplicas()), s));
        }
        return out;
    }

    Workload workload(String name) {
        return workloads().stream().filter(w -> w.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(overlay + ": no workload " + name));
    }

    List<Workload> selectedBy(Map<String, String> selector) {
        return workloads().stream().filter(w -> w.selectedBy(selector)).toList();
    }

    Optional<Service> service(String name) {
        return find(Service.class, name);
    }

    /**
     * The environment a container gets: its env entries with literal values (null for valueFrom) and every
     * key of the ConfigMaps and Secrets it takes with envFrom. A missing non-optional source fails.
     */
    Map<String, String> environment(Container container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : container.getEnvFrom()) {
            if (from.getConfigMapRef() != null) {
                Optional<ConfigMap> map = find(ConfigMap.class, from.getConfigMapRef().getName());
                if (map.isEmpty() && !Boolean.TRUE.equals(from.getConfigMapRef().getOptional())) {
                    throw new AssertionError(overlay + ": " + container.getName() + " needs the missing ConfigMap "
                            + from.getConfigMapRef().getName());
                }
                map.ifPresent(m -> env.putAll(m.getData()));
            }
            if (from.getSecretRef() != null) {
                Optional<Secret> secret = find(Secret.class, from.getSecretRef().getName());
                if (secret.isEmpty() && !Boolean.TRUE.equals(from.getSecretRef().getOptional())) {
                    throw new AssertionError(overlay + ": " + container.getName() + " needs the missing Secret "
                            + from.getSecretRef().getName());
                }
                secret.ifPresent(s -> {
                    s.getData().forEach((k, v) -> env.put(k, new String(java.util.Base64.getMimeDecoder().decode(v),
                            java.nio.charset.StandardCharsets.UTF_8)));
                });
            }
        }
        for (EnvVar var : container.getEnv()) {
            env.put(var.getName(), var.getValue());
        }
        return env;
    }

    /**
     * The files of ConfigMaps a container of {@code workload} has mounted at {@code folder} (by file name): e.g.
     * the {@code config/application.yml} Spring Boot reads from its working folder.
     */
    Map<String, String> mountedFiles(Workload workload, Container container, java.nio.file.Path folder) {
        Map<String, String> files = new LinkedHashMap<>();
        for (io.fabric8.kubernetes.api.model.VolumeMount mount : container.getVolumeMounts()) {
            if (!java.nio.file.Path.of(mount.getMountPath()).equals(folder)) {
                continue;
            }
            workload.template().getSpec().getVolumes().stream()
                    .filter(v -> v.getName().equals(mount.getName()) && v.getConfigMap() != null)
                    .forEach(v -> files.putAll(find(ConfigMap.class, v.getConfigMap().getName()).orElseThrow(
                            () -> new AssertionError(overlay + ": no ConfigMap " + v.getConfigMap().getName()))
                            .getData()));
        }
        return files;
    }

    private static int replicas(Integer replicas) {
        return replicas == null ? 1 : replicas;
    }
}
