package io.tributary.analytics.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The analytics service as a separate JVM (the test's classpath, {@code AnalyticsApplication}),
 * so a test can SIGKILL it. Its H2 database lives in a folder that outlives each process.
 */
final class AnalyticsServiceProcess implements AutoCloseable {

    private final Process process;
    private final String url;

    private AnalyticsServiceProcess(Process process, int port) {
        this.process = process;
        this.url = "http://127.0.0.1:" + port;
    }

    static AnalyticsServiceProcess start(String ingestUrl, Path dataDir, Path log, String... extraArgs) throws IOException {
        int port = freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), "io.tributary.analytics.AnalyticsApplication",
                "--server.port=" + port,
                "--analytics.ingest-url=" + ingestUrl,
                "--spring.jmx.enabled=false"));
        command.addAll(List.of(extraArgs));
        if (command.stream().noneMatch(arg -> arg.startsWith("--spring.datasource.url="))) {
            command.add("--spring.datasource.url=jdbc:h2:file:" + dataDir.resolve("analytics").toAbsolutePath());
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new AnalyticsServiceProcess(process, port);
    }

    String url() {
        return url;
    }

    /** Waits until the service answers its readiness probe. */
    AnalyticsServiceProcess awaitReady(Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the analytics service exited with " + process.exitValue());
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url
                        + "/actuator/health/readiness")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the analytics service did not get ready within " + timeout);
    }

    /** SIGKILL: no shutdown hooks, no leaving the group, no commit. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
            kill();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
