package io.tributary.analytics.spark;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A service started from its executable jar in its own JVM (the suite's Java, not the 17 or 21 these tests and
 * Spark run on), with a small REST client for its API. Nothing of the services is on this module's class path.
 */
final class ServiceJar implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Process process;
    private final int port;
    private final Path log;

    private ServiceJar(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts the jar named by system property {@code jarProperty} with {@code --server.port} and {@code args}. */
    static ServiceJar start(String jarProperty, Path log, int port, List<String> args) throws Exception {
        Path jar = Path.of(System.getProperty(jarProperty, "missing.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("executable jar not built: " + jar + " (./mvnw install -DskipTests first)");
        }
        List<String> command = new ArrayList<>(List.of(System.getProperty("tributary.service.java", "java"),
                "-Xmx384m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(), "--server.port=" + port,
                "--spring.jmx.enabled=false"));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ServiceJar service = new ServiceJar(process, port, log);
        service.awaitReady(Duration.ofSeconds(120));
        return service;
    }

    /** An ingest-service with its data under {@code dir/ingest} and its Kafka listener on {@code kafkaPort}. */
    static ServiceJar ingest(Path dir, int kafkaPort) throws Exception {
        return start("tributary.ingest.jar", dir.resolve("ingest.log"), freePort(),
                List.of("--ingest.data-dir=" + dir.resolve("ingest"), "--ingest.kafka.port=" + kafkaPort,
                        "--ingest.kafka.advertised-host=127.0.0.1"));
    }

    /**
     * The settings that give an analytics-service the Spark engine: this module's Spark home (target/spark-home:
     * Spark's jars, our spark-submit, the driver application), the Spark tests' JDK, the ingest Kafka listener at
     * {@code bootstrap}, checkpoints under {@code checkpoints}.
     */
    static List<String> sparkEngine(String bootstrap, Path checkpoints) {
        return List.of("--analytics.spark.spark-home=" + System.getProperty("tributary.spark.home"),
                "--analytics.spark.java-home=" + Path.of(System.getProperty("tributary.spark.java")).getParent()
                        .getParent(),
                "--analytics.spark.kafka.bootstrap.servers=" + bootstrap,
                // as the services here: a short-lived JVM spends less CPU on the C1 compiler alone
                "--analytics.spark.conf[spark.driver.extraJavaOptions]=-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
                "--analytics.spark.checkpoint-dir=" + checkpoints);
    }

    /** {@code base} followed by {@code more}. */
    static List<String> with(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of(more));
        return all;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> put(String path, String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("service exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                if (get("/actuator/health/readiness").statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        kill(); // a process the test gives up on must not outlive it
        throw new IllegalStateException("service did not get ready within " + timeout + " (killed):\n"
                + Files.readString(log));
    }

    /** SIGKILL: no shutdown hook runs, nothing is handed over. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
