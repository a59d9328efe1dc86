package io.tributary.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The prod overlay's Spark jobs (k8s/components/spark, docs/spark.md "On Kubernetes"), rendered offline: the
 * analytics pods submit each spark job to the cluster in cluster mode, so what analytics-service is configured
 * with must agree with the analytics-spark image Jib builds, the accounts and Role that let the submission create
 * pods, the claim the checkpoints live on and the network policies the job's pods pass.
 */
class SparkOnKubernetesTest {

    private static final Manifests PROD = Manifests.render("prod");
    private static final JibImages IMAGES = new JibImages();
    private static final Pattern JIB_INTO = Pattern.compile(
            "<from>\\$\\{project.build.directory}/spark-home</from>\\s*<into>([^<]+)</into>");

    private final Manifests.Workload analytics = PROD.workload("analytics");
    private final Container service = analytics.template().getSpec().getContainers().get(0);
    /** analytics.spark.* of the config/application.yml mounted in the analytics pods. */
    private final Map<String, Object> spark = sparkSettings();

    @Test
    void shouldCopyASparkHomeAndAJava17FromTheAnalyticsSparkImage() {
        Container init = analytics.template().getSpec().getInitContainers().stream()
                .filter(c -> c.getImage().equals(sparkImage())).findFirst()
                .orElseThrow(() -> new AssertionError("no init container runs " + sparkImage()));
        assertThat(init.getArgs()).hasSize(2).first().isEqualTo("copy-runtime");
        assertThat(RepoFiles.read("analytics-spark/src/spark-home/bin/k8s-entrypoint"))
                .as("the image's entry point copies its runtime").contains("copy-runtime)");
        String target = init.getArgs().get(1);
        VolumeMount copiedInto = mountAt(init, target);
        VolumeMount readFrom = mountAt(service, target);
        assertThat(readFrom.getName()).as("the service reads the volume the init container fills")
                .isEqualTo(copiedInto.getName());
        assertThat(spark.get("spark-home")).isEqualTo(target + "/spark-home");
        assertThat(spark.get("java-home")).isEqualTo(target + "/java");
        assertThat(init.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(init.getResources().getLimits()).containsKeys("cpu", "memory");
    }

    @Test
    void shouldSubmitInClusterModeTheApplicationTheImageHolds() {
        assertThat(spark.get("master").toString()).startsWith("k8s://https://");
        assertThat(spark.get("deploy-mode")).isEqualTo("cluster");
        Matcher into = JIB_INTO.matcher(RepoFiles.read("analytics-spark/pom.xml"));
        assertThat(into.find()).as("Jib puts target/spark-home into the image").isTrue();
        assertThat(RepoFiles.read("analytics-spark/pom.xml")).as("the build puts the application there")
                .contains("spark-home/app/analytics-spark.jar");
        assertThat(spark.get("application")).isEqualTo("local://" + into.group(1) + "/app/analytics-spark.jar");
        assertThat(conf("spark.kubernetes.container.image")).isEqualTo(sparkImage());
    }

    @Test
    void shouldSetOnlySettingsAnalyticsKnows() {
        assertThat(spark.keySet()).isSubsetOf(sparkSettingNames());
    }

    @Test
    void shouldLetTheAnalyticsAndDriverAccountsCreateTheJobsPods() {
        String submitter = analytics.template().getSpec().getServiceAccountName();
        String driver = conf("spark.kubernetes.authenticate.driver.serviceAccountName");
        for (String account : List.of(submitter, driver)) {
            assertThat(PROD.find(ServiceAccount.class, account)).as("service account %s", account).isPresent();
            Set<String> granted = new TreeSet<>();
            for (RoleBinding binding : PROD.all(RoleBinding.class)) {
                if (binding.getSubjects().stream().map(Subject::getName).anyMatch(account::equals)) {
                    Role role = PROD.find(Role.class, binding.getRoleRef().getName()).orElseThrow();
                    for (PolicyRule rule : role.getRules()) {
                        for (String resource : rule.getResources()) {
                            rule.getVerbs().forEach(verb -> granted.add(resource + ":" + verb));
                        }
                    }
                }
            }
            assertThat(granted).as("what %s may do", account).contains("pods:create", "pods:delete", "pods:watch",
                    "pods:list", "services:create", "services:delete", "configmaps:create", "configmaps:delete");
        }
    }

    @Test
    void shouldCallBackOnTheSubmittingPodAndReadIngestsKafkaListener() {
        URI callback = URI.create(spark.get("callback-url").toString().replace("${POD_IP}", "pod-ip"));
        assertThat(callback.getHost()).as("the instance itself, not the Service").isEqualTo("pod-ip");
        assertThat(fieldOf("POD_IP")).isEqualTo("status.podIP");
        assertThat(conf("spark.kubernetes.namespace")).isEqualTo("${POD_NAMESPACE}");
        assertThat(fieldOf("POD_NAMESPACE")).isEqualTo("metadata.namespace");
        int http = service.getPorts().stream().filter(p -> "http".equals(p.getName())).findFirst().orElseThrow()
                .getContainerPort();
        assertThat(callback.getPort()).isEqualTo(http);
        for (String role : List.of("driver", "executor")) {
            Map<String, String> labels = new java.util.HashMap<>();
            conf().forEach((key, value) -> {
                String prefix = "spark.kubernetes." + role + ".label.";
                if (key.startsWith(prefix)) {
                    labels.put(key.substring(prefix.length()), value);
                }
            });
            assertThat(labels).as("%s pods: the network policies' labels", role)
                    .containsAllEntriesOf(KubernetesManifestsTest.SPARK_JOBS)
                    .containsEntry("tributary.io/kafka-client", "true");
        }
        @SuppressWarnings("unchecked")
        String bootstrap = ((Map<String, Object>) spark.get("kafka")).get("[bootstrap.servers]").toString();
        String[] hostPort = bootstrap.split(":");
        assertThat(PROD.service(hostPort[0]).orElseThrow().getSpec().getPorts()).extracting(ServicePort::getPort)
                .contains(Integer.parseInt(hostPort[1]));
    }

    @Test
    void shouldKeepCheckpointsOnAClaimEveryJobPodMounts() {
        String checkpoints = spark.get("checkpoint-dir").toString();
        for (String role : List.of("driver", "executor")) {
            String prefix = "spark.kubernetes." + role + ".volumes.persistentVolumeClaim.checkpoints.";
            assertThat(conf(prefix + "mount.path")).isEqualTo(checkpoints);
            PersistentVolumeClaim claim = PROD.find(PersistentVolumeClaim.class, conf(prefix + "options.claimName"))
                    .orElseThrow(() -> new AssertionError("no claim for the " + role + "s' checkpoints"));
            assertThat(claim.getSpec().getAccessModes()).contains("ReadWriteMany");
        }
        assertThat(spark.get("log-dir").toString()).as("driver logs on the pod's data volume")
                .startsWith("./data/");
    }

    /** The image analytics-spark's Jib builds: named as the services' images, in the same version. */
    private static String sparkImage() {
        String pom = RepoFiles.read("analytics-spark/pom.xml");
        assertThat(pom).contains("<image>tributary/${project.artifactId}:${project.version}</image>");
        String image = IMAGES.image("analytics-spark");
        assertThat(pom).contains("<version>" + image.substring(image.indexOf(':') + 1) + "</version>");
        return image;
    }

    private Map<String, Object> sparkSettings() {
        Map<String, String> files = PROD.mountedFiles(analytics, service, IMAGES.workingDirectory().resolve("config"));
        assertThat(files).as("config/application.yml in the analytics pods").containsKey("application.yml");
        @SuppressWarnings("unchecked")
        Map<String, Object> settings = (Map<String, Object>) StrictYaml.at(
                StrictYaml.document(files.get("application.yml")), "analytics.spark");
        assertThat(settings).as("analytics.spark in the mounted application.yml").isNotNull();
        return settings;
    }

    @SuppressWarnings("unchecked")
    private Map<String, String> conf() {
        Map<String, String> conf = new java.util.LinkedHashMap<>();
        ((Map<String, Object>) spark.get("conf")).forEach((key, value) ->
                conf.put(key.replaceAll("^\\[(.*)]$", "$1"), value.toString()));
        return conf;
    }

    private String conf(String key) {
        String value = conf().get(key);
        assertThat(value).as("analytics.spark.conf[%s]", key).isNotNull();
        return value;
    }

    private String fieldOf(String variable) {
        EnvVar env = service.getEnv().stream().filter(e -> e.getName().equals(variable)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + variable + " in the analytics container"));
        return env.getValueFrom().getFieldRef().getFieldPath();
    }

    private static VolumeMount mountAt(Container container, String path) {
        return container.getVolumeMounts().stream().filter(m -> Path.of(m.getMountPath()).equals(Path.of(path)))
                .findFirst().orElseThrow(() -> new AssertionError(container.getName() + " mounts nothing at " + path));
    }

    /** The settings of {@code analytics.spark}: the components of AnalyticsProperties.Spark, in kebab case. */
    private static Set<String> sparkSettingNames() {
        String source = RepoFiles.read(
                "analytics-service/src/main/java/io/tributary/analytics/config/AnalyticsProperties.java");
        int start = source.indexOf("public record Spark(");
        assertThat(start).as("AnalyticsProperties.Spark").isNotNegative();
        String components = source.substring(start, source.indexOf(") {", start));
        Set<String> names = new TreeSet<>();
        Matcher name = Pattern.compile("\\s(\\w+)[,)]?\\s*$", Pattern.MULTILINE).matcher(components);
        while (name.find()) {
            names.add(name.group(1).replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT));
        }
        assertThat(names).contains("spark-home", "master", "conf");
        return names;
    }
}
