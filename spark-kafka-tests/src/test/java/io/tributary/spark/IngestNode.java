package io.tributary.spark;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One ingest-service node started from its executable jar (as a user runs it) in its own JVM, with
 * the Kafka listener on a free port advertised as 127.0.0.1. Nothing of the service is on this
 * module's class path: Spark and the service each keep their own dependency versions.
 */
final class IngestNode implements AutoCloseable {

    private final Process process;
    private final int httpPort;
    private final int kafkaPort;
    private final Path log;

    private IngestNode(Process process, int httpPort, int kafkaPort, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.kafkaPort = kafkaPort;
        this.log = log;
    }

    static IngestNode start(Path dir) throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("tributary.ingest.jar", "../ingest-service/target/missing.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("ingest-service's executable jar is not built: " + jar
                    + " (run ./mvnw -pl ingest-service -am package -DskipTests first)");
        }
        int httpPort = freePort();
        int kafkaPort = freePort();
        Path log = dir.resolve("ingest.log");
        // the service's release (25), not the Java 17 or 21 these Spark tests run on
        String java = System.getProperty("tributary.ingest.java",
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process process = new ProcessBuilder(List.of(java, "-Xmx512m", "-XX:TieredStopAtLevel=1", "-jar",
                jar.toString(), "--server.port=" + httpPort, "--spring.jmx.enabled=false",
                "--ingest.data-dir=" + dir.resolve("data"), "--ingest.kafka.port=" + kafkaPort,
                "--ingest.kafka.advertised-host=127.0.0.1", "--ingest.kafka.group-initial-rebalance-delay=0s"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        IngestNode node = new IngestNode(process, httpPort, kafkaPort, log);
        node.awaitReady(Duration.ofSeconds(90));
        return node;
    }

    String bootstrap() {
        return "127.0.0.1:" + kafkaPort;
    }

    String url() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** A GET of the REST API, answered 200, as a string. */
    String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url() + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    private void awaitReady(Duration timeout) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("ingest-service exited with " + process.exitValue() + ":\n"
                        + Files.readString(log));
            }
            try {
                get("/actuator/health/readiness");
                return;
            } catch (IOException | IllegalStateException notYet) {
                Thread.sleep(200);
            }
        }
        process.destroyForcibly().waitFor(); // a process the test gives up on must not outlive it
        throw new IllegalStateException("ingest-service did not get ready within " + timeout + " (killed)");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
