package io.tributary.analytics.spark;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

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
 * A spark job on two analytics instances that share their database (H2 in AUTO_SERVER mode) and the Spark
 * checkpoint folder: SIGKILL the instance that runs the job, and its driver ends by itself; the other instance
 * takes the lease over once it expires, starts a driver that resumes from the checkpoint, and the results equal
 * the oracle — nothing lost, nothing counted twice.
 */
class SparkJobFailoverTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JOB = "orders-failover";

    @TempDir
    Path dir;
    private ServiceJar ingest;
    private final Map<String, ServiceJar> instances = new LinkedHashMap<>();

    @AfterEach
    void stop() throws Exception {
        for (ServiceJar instance : instances.values()) {
            instance.close();
        }
        if (ingest != null) {
            ingest.close();
        }
    }

    @Test
    void theSurvivingInstanceResumesTheJobFromTheCheckpoint() throws Exception {
        int kafkaPort = ServiceJar.freePort();
        String bootstrap = "127.0.0.1:" + kafkaPort;
        ingest = ServiceJar.ingest(dir, kafkaPort);
        for (String name : List.of("alpha", "beta")) {
            List<String> args = ServiceJar.with(ServiceJar.sparkEngine(bootstrap, dir.resolve("spark")),
                    "--analytics.ingest-url=" + ingest.url(),
                    "--spring.datasource.url=jdbc:h2:file:" + dir.resolve("shared/analytics")
                            + ";AUTO_SERVER=TRUE;WRITE_DELAY=0",
                    "--analytics.leases.instance-id=" + name, "--analytics.leases.ttl=PT5S",
                    "--analytics.leases.renew-interval=PT1S");
            instances.put(name, ServiceJar.start("tributary.analytics.jar", dir.resolve(name + ".log"),
                    ServiceJar.freePort(), args));
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
            orders.produce(base, 0, 400);
            orders.awaitResults(alpha, JOB, Duration.ofSeconds(180), this::logs);
            // The batch's progress report follows its commit: wait for it, or the kill may take it along.
            awaitInputRows(alpha, orders.sent());

            String owner = job(alpha).path("owner").asText();
            assertThat(owner).isIn("alpha", "beta");
            ServiceJar survivor = instances.get(owner.equals("alpha") ? "beta" : "alpha");
            ProcessHandle driver = driverOf(instances.get(owner).pid());
            instances.remove(owner).kill();
            assertThat(driver.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS).isAlive())
                    .as("the driver of the killed instance ends with it").isFalse();

            orders.produce(base, 400, 300);
            orders.awaitResults(survivor, JOB, Duration.ofSeconds(180), this::logs);
            awaitInputRows(survivor, orders.sent());
            JsonNode job = job(survivor);
            assertThat(job.path("owner").asText()).isNotEqualTo(owner);
            assertThat(job.path("status").asText()).isEqualTo("RUNNING");
        }
    }

    /** Progress follows each batch's commit: wait for it to count every order once (none read twice). */
    static void awaitInputRows(ServiceJar analytics, long sent) throws Exception {
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

    /** The Spark driver the analytics instance with process id {@code parent} started. */
    private static ProcessHandle driverOf(long parent) {
        return ProcessHandle.allProcesses().filter(process -> process.parent().map(p -> p.pid() == parent)
                .orElse(false) && process.info().commandLine().map(line -> line.contains("SparkJobDriver"))
                .orElse(false)).findFirst().orElseThrow(() -> new AssertionError("no driver under " + parent));
    }

    private String logs() {
        return OrderStream.tail(dir.resolve("spark").resolve(JOB + ".driver.log"), 40) + "\n"
                + OrderStream.tail(dir.resolve("alpha.log"), 30) + "\n" + OrderStream.tail(dir.resolve("beta.log"), 30);
    }
}
