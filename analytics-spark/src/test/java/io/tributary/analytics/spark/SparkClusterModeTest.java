package io.tributary.analytics.spark;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

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
 * A spark job submitted in cluster mode to a Spark standalone cluster (a master and a worker on loopback): the
 * worker, not analytics-service, runs the driver, which fetches its plan with the token from its Spark conf.
 * Results equal the oracle; a stop ends spark-submit only, and the driver stops by itself when the service answers
 * that its run is over; a start submits a new driver that resumes from the checkpoint, counting nothing twice.
 */
class SparkClusterModeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JOB = "orders-on-a-cluster";

    @TempDir
    Path dir;
    private ServiceJar ingest;
    private ServiceJar analytics;
    private SparkStandalone cluster;

    @AfterEach
    void stop() throws Exception {
        if (analytics != null) {
            analytics.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (ingest != null) {
            ingest.close();
        }
    }

    @Test
    void theWorkerRunsTheDriverWhichStopsWithItsRun() throws Exception {
        int kafkaPort = ServiceJar.freePort();
        String bootstrap = "127.0.0.1:" + kafkaPort;
        ingest = ServiceJar.ingest(dir, kafkaPort);
        cluster = SparkStandalone.start(dir.resolve("cluster"), 2, "1500m");
        analytics = ServiceJar.start("tributary.analytics.jar", dir.resolve("analytics.log"), ServiceJar.freePort(),
                ServiceJar.with(ServiceJar.sparkEngine(bootstrap, dir.resolve("spark")),
                        "--analytics.ingest-url=" + ingest.url(), "--analytics.spark.master=" + cluster.url(),
                        "--analytics.spark.deploy-mode=cluster",
                        "--analytics.spark.conf[spark.standalone.submit.waitAppCompletion]=true",
                        "--analytics.spark.conf[spark.cores.max]=1", "--analytics.spark.conf[spark.executor.memory]=512m",
                        "--analytics.spark.conf[spark.executor.extraJavaOptions]=-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
                        "--spring.datasource.url=jdbc:h2:file:" + dir.resolve("analytics-db/analytics")));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic("orders", 2, (short) 1))).all().get();
        }
        Properties settings = new Properties();
        settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(settings, new StringSerializer(),
                new StringSerializer())) {
            OrderStream orders = new OrderStream(producer, "orders");
            assertThat(analytics.post("/api/v1/jobs", OrderStream.JOB_DEFINITION.formatted(JOB, "orders"))
                    .statusCode()).isEqualTo(201);
            assertThat(analytics.post("/api/v1/jobs/" + JOB + "/start", null).statusCode()).isEqualTo(200);
            long base = (System.currentTimeMillis() / OrderStream.WINDOW) * OrderStream.WINDOW - 300_000;
            orders.produce(base, 0, 300);
            orders.awaitResults(analytics, JOB, Duration.ofSeconds(240), this::logs);
            awaitInputRows(orders.sent());

            ProcessHandle driver = driver().orElseThrow(() -> new AssertionError("no driver runs\n" + logs()));
            assertThat(driver.parent().map(ProcessHandle::pid)).as("the worker runs the driver")
                    .contains(cluster.workerPid());
            assertThat(analytics.post("/api/v1/jobs/" + JOB + "/stop", null).statusCode()).isEqualTo(200);
            // spark-submit ends at once; the driver learns that its run is over when it next asks (every 5 s)
            assertThat(driver.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS).isAlive())
                    .as("the driver stops with its run").isFalse();

            orders.produce(base, 300, 200);
            assertThat(analytics.post("/api/v1/jobs/" + JOB + "/start", null).statusCode()).isEqualTo(200);
            orders.awaitResults(analytics, JOB, Duration.ofSeconds(240), this::logs);
            awaitInputRows(orders.sent());
            assertThat(driver().map(ProcessHandle::pid)).as("a new driver").isPresent()
                    .isNotEqualTo(Optional.of(driver.pid()));
        }
    }

    /** Every record read once across both drivers: the second resumed from the checkpoint. */
    private void awaitInputRows(long sent) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (OrderStream.inputRows(analytics, JOB) < sent && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        assertThat(OrderStream.inputRows(analytics, JOB)).as("records the batches read, each batch once")
                .isEqualTo(sent);
    }

    /** The driver the worker runs for the job (Spark's DriverWrapper around SparkJobDriver). */
    private Optional<ProcessHandle> driver() {
        return ProcessHandle.allProcesses().filter(process -> process.info().commandLine()
                .map(line -> line.contains("DriverWrapper") && line.contains("/internal/spark/jobs/" + JOB))
                .orElse(false)).findFirst();
    }

    private String logs() {
        return OrderStream.tail(dir.resolve("spark").resolve(JOB + ".driver.log"), 40) + "\n"
                + OrderStream.tail(dir.resolve("analytics.log"), 30) + "\n"
                + OrderStream.tail(dir.resolve("cluster/worker.log"), 30);
    }
}
