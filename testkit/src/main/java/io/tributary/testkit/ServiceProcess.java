package io.tributary.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A service of the suite as a separate JVM on the test's classpath, on a free port, so a test
 * can SIGKILL it and start it again on the same data. Output goes to a log file the test names.
 */
public final class ServiceProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final String url;

    private ServiceProcess(String name, Process process, int port) {
        this.name = name;
        this.process = process;
        this.url = "http://127.0.0.1:" + port;
    }

    /**
     * Starts {@code mainClass} in {@code workingDir} with {@code --server.port=<free port>} and
     * {@code args}, with a small heap and a fast-starting JIT (the tests restart services often).
     * A service left on its default configuration keeps its {@code ./data} folder in
     * {@code workingDir}, exactly as when a user starts it.
     */
    public static ServiceProcess start(String name, String mainClass, Path workingDir, Path log, List<String> args)
            throws IOException {
        int port = LocalPorts.freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), mainClass, "--server.port=" + port,
                "--spring.jmx.enabled=false"));
        command.addAll(args);
        Process process = new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new ServiceProcess(name, process, port);
    }

    public String url() {
        return url;
    }

    /** Waits until the service answers its readiness probe. */
    public ServiceProcess awaitReady(Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue());
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
        throw new IllegalStateException(name + " did not get ready within " + timeout);
    }

    /** SIGKILL: no shutdown hooks, no leaving groups, no commits. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            kill();
        }
    }
}
