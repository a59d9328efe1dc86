package io.tributary.analytics.spark;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A spark job as the Kubernetes deployment runs it: submitted in cluster mode (here to a Spark standalone master
 * and worker on loopback, from the same Spark home) by one of two analytics instances that share their database
 * (H2 in AUTO_SERVER mode) and the checkpoint folder. The worker, not analytics-service, runs the driver, which
 * takes its token from its Spark conf. Results equal the oracle throughout; a stop ends spark-submit only, and the
 * driver stops by itself when the service answers that its run is over; a start submits a new driver that resumes
 * from the checkpoint; when the instance running the job is SIGKILLed, its driver stops for want of answers and
 * the other instance takes the job over and resumes it — every record read once.
 */
class SparkClusterModeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JOB = "orders-on-a-cluster";

    @TempDir
    Path dir;
    private ServiceJar ingest;
    private SparkStandalone cluster;
    private final Map<String, ServiceJar> instances = new LinkedHashMap<>();

    @AfterEach
    void stop() throws Exception {
        for (ServiceJar instance : instances.values()) {
            instance.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (ingest != null) {
            ingest.close();
        }
    }

    @Test
    void theWorkerRunsTheDriverWhichEndsWithItsRunAndTheOtherInstanceTakesOver() throws Exception {
        int kafkaPort = ServiceJar.freePort();
        String bootstrap = "127.0.0.1:" + kafkaPort;
        ingest = ServiceJar.ingest(dir, kafkaPort);
        cluster = SparkStandalone.start(dir.resolve("cluster"), 2, "1500m");
        for (String name : List.of("alpha", "beta")) {
            instances.put(name, ServiceJar.start("tributary.analytics.jar", dir.resolve(name + ".log"),
                    ServiceJar.freePort(), ServiceJar.with(ServiceJar.sparkEngine(bootstrap, dir.resolve("spark")),
                            "--analytics.ingest-url=" + ingest.url(), "--analytics.spark.master=" + cluster.url(),
                            "--analytics.spark.deploy-mode=cluster",
                            "--analytics.spark.conf[spark.standalone.submit.waitAppCompletion]=true",
                            "--analytics.spark.conf[spark.cores.max]=1",
                            "--analytics.spark.conf[spark.executor.memory]=512m",
                            "--analytics.spark.conf[spark.executor.extraJavaOptions]=-XX:TieredStopAtLevel=1 "
                                    + "-XX:+UseSerialGC",
                            "--spring.datasource.url=jdbc:h2:file:" + dir.resolve("shared/analytics")
                                    + ";AUTO_SERVER=TRUE;WRITE_DELAY=0",
                            "--analytics.leases.instance-id=" + name, "--analytics.leases.ttl=PT5S",
                            "--analytics.leases.renew-interval=PT1S")));
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic("orders", 2, (short) 1))).all().get();
        }
        Properties settings = new Properties();
        settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(settings, new StringSerializer(),
                new StringSerializer())) {
            OrderStream orders = new OrderStream(producer, "orders");
            ServiceJar alpha = instances.get("alpha");
            assertThat(alpha.post("/api/v1/jobs", OrderStream.JOB_DEFINITION.formatted(JOB, "orders")).statusCode())
                    .isEqualTo(201);
            assertThat(alpha.post("/api/v1/jobs/" + JOB + "/start", null).statusCode()).isEqualTo(200);
            long base = (System.currentTimeMillis() / OrderStream.WINDOW) * OrderStream.WINDOW - 300_000;
            orders.produce(base, 0, 300);
            orders.awaitResults(alpha, JOB, Duration.ofSeconds(240), this::logs);
            awaitInputRows(alpha, orders.sent());

            ProcessHandle first = driver().orElseThrow(() -> new AssertionError("no driver runs\n" + logs()));
            assertThat(first.parent().map(ProcessHandle::pid)).as("the worker runs the driver")
                    .contains(cluster.workerPid());
            assertThat(alpha.post("/api/v1/jobs/" + JOB + "/stop", null).statusCode()).isEqualTo(200);
            // spark-submit ends at once; the driver learns that its run is over when it next asks
            assertThat(first.onExit().get(30, TimeUnit.SECONDS).isAlive()).as("the driver stops with its run")
                    .isFalse();

            orders.produce(base, 300, 200);
            assertThat(alpha.post("/api/v1/jobs/" + JOB + "/start", null).statusCode()).isEqualTo(200);
            orders.awaitResults(alpha, JOB, Duration.ofSeconds(240), this::logs);
            awaitInputRows(alpha, orders.sent());
            ProcessHandle second = driver().orElseThrow(() -> new AssertionError("no driver runs\n" + logs()));
            assertThat(second.pid()).as("a new driver").isNotEqualTo(first.pid());

            // The instance running the job SIGKILLed: its driver gets no answers and stops after half the lease
            // TTL (2.5 s here), before the other instance may take the job over (30 s: room for a loaded machine).
            String owner = job(alpha).path("owner").asText();
            assertThat(owner).isIn("alpha", "beta");
            ServiceJar survivor = instances.get(owner.equals("alpha") ? "beta" : "alpha");
            instances.remove(owner).kill();
            assertThat(second.onExit().get(30, TimeUnit.SECONDS).isAlive())
                    .as("the driver of a dead instance stops by itself").isFalse();
            orders.produce(base, 500, 200);
            orders.awaitResults(survivor, JOB, Duration.ofSeconds(240), this::logs);
            awaitInputRows(survivor, orders.sent());
            JsonNode job = job(survivor);
            assertThat(job.path("owner").asText()).isNotEqualTo(owner);
            assertThat(job.path("status").asText()).isEqualTo("RUNNING");
            assertThat(driver().map(ProcessHandle::pid)).as("the survivor's driver").isPresent()
                    .isNotEqualTo(Optional.of(second.pid()));
        }
    }

    /** Progress follows each batch's commit: every record counted once across the drivers (none read twice). */
    private static void awaitInputRows(ServiceJar analytics, long sent) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (OrderStream.inputRows(analytics, JOB) < sent && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        assertThat(OrderStream.inputRows(analytics, JOB)).as("records the batches read, each batch once; progress: %s",
                analytics.get("/api/v1/jobs/" + JOB + "/progress?size=1000").body()).isEqualTo(sent);
    }

    private JsonNode job(ServiceJar analytics) throws Exception {
        return JSON.readTree(analytics.get("/api/v1/jobs/" + JOB).body());
    }

    /** The driver the worker runs for the job (Spark's DriverWrapper around SparkJobDriver). */
    private Optional<ProcessHandle> driver() {
        return ProcessHandle.allProcesses().filter(process -> process.info().commandLine()
                .map(line -> line.contains("DriverWrapper") && line.contains("/internal/spark/jobs/" + JOB))
                .orElse(false)).findFirst();
    }

    private String logs() {
        return OrderStream.tail(dir.resolve("spark").resolve(JOB + ".driver.log"), 40) + "\n"
                + OrderStream.tail(dir.resolve("alpha.log"), 30) + "\n" + OrderStream.tail(dir.resolve("beta.log"), 30)
                + "\n" + OrderStream.tail(dir.resolve("cluster/worker.log"), 30);
    }
}
