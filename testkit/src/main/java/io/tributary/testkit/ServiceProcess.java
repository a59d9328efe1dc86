package io.tributary.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A service of the suite as a separate JVM, so a test can SIGKILL it and start it again on the same data: either a
 * main class on the test's class path ({@link #start}) or a module's runnable jar ({@link #fromJar}). It keeps its
 * port and working folder across restarts; output is appended to a log file the test names, each start marked.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final List<String> command;
    private final int port;
    private final Path workingDir;
    private final Path log;
    private Process process;
    private int starts;

    private ServiceProcess(String name, List<String> launch, int port, Path workingDir, Path log, List<String> args) {
        this.name = name;
        this.port = port;
        this.workingDir = workingDir;
        this.log = log;
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(launch);
        command.addAll(List.of("--server.port=" + port, "--spring.jmx.enabled=false"));
        command.addAll(args);
        this.command = List.copyOf(command);
    }

    /**
     * Starts {@code mainClass} in {@code workingDir} with {@code --server.port=<free port>} and
     * {@code args}, with a small heap and a fast-starting JIT (the tests restart services often).
     * A service left on its default configuration keeps its {@code ./data} folder in
     * {@code workingDir}, exactly as when a user starts it.
     */
    public static ServiceProcess start(String name, String mainClass, Path workingDir, Path log, List<String> args)
            throws IOException {
        ServiceProcess service = new ServiceProcess(name, List.of("-Xmx384m", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), mainClass), LocalPorts.freePort(),
                workingDir, log, args);
        service.start();
        return service;
    }

    /**
     * A service run from its runnable jar on {@code port} and in {@code workingDir} (its {@code ./data}); not started
     * yet. Heap 256 MiB (the containers' cap) and a fast-starting JIT. The jar runs in Spring Boot's extracted layout
     * ({@link ExtractedJar}), as the container images run it, because a start then costs about 40% less CPU than
     * from the nested jars — which counts in tests that start and restart many services on two cores.
     */
    public static ServiceProcess fromJar(String name, Path jar, int port, Path workingDir, Path log, List<String> args)
            throws IOException {
        return new ServiceProcess(name, List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar",
                ExtractedJar.of(jar).toString()), port, workingDir, log, args);
    }

    /** Starts the process (it must not be running); does not wait for it to be ready. */
    public void start() throws IOException {
        if (isAlive()) {
            throw new IllegalStateException(name + " already runs");
        }
        starts++;
        Files.writeString(log, "\n===== start " + starts + " of " + name + " =====\n", StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        process = new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    public String name() {
        return name;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Waits until the service answers its readiness probe with 200. */
    public ServiceProcess awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!isAlive()) {
                throw new IllegalStateException(name + " exited during start-up; see " + log.toAbsolutePath());
            }
            try {
                HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(URI.create(url()
                        + "/actuator/health/readiness")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        kill(); // a process the test gives up on must not outlive it
        throw new IllegalStateException(name + " was not ready within " + timeout + " (killed); see "
                + log.toAbsolutePath());
    }

    /** SIGKILL: no shutdown hooks, no leaving groups, no commits. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    /** SIGTERM: asks for a clean stop and does not wait ({@link #close()} waits). */
    public void terminate() {
        if (isAlive()) {
            process.destroy();
        }
    }

    /** Asks for a clean stop and waits for it up to 20 s, then kills. */
    @Override
    public void close() throws InterruptedException {
        terminate();
        if (process != null && !process.waitFor(20, TimeUnit.SECONDS)) {
            kill();
        }
    }
}
