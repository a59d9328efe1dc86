package io.tributary.system;

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
import java.util.stream.Stream;

/**
 * One process of the suite started from its module's jar, as {@code ./run.sh} starts it: a fixed port and working
 * folder (its {@code ./data}) kept across restarts, so a SIGKILLed process comes back as the same member on the same
 * data. Its output is appended to {@code <name>.log} in the run's folder.
 */
final class SuiteProcess implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Path jar;
    private final int port;
    private final Path workDir;
    private final Path log;
    private final List<String> args;
    private Process process;
    private int starts;

    SuiteProcess(String name, String module, int port, Path runDir, List<String> args) throws IOException {
        this.name = name;
        this.jar = jarOf(module);
        this.port = port;
        this.workDir = Files.createDirectories(runDir.resolve(name));
        this.log = runDir.resolve(name + ".log");
        this.args = List.copyOf(args);
    }

    /** The module's runnable jar, as {@code mvn package} left it (the Spring Boot repackaged one). */
    static Path jarOf(String module) throws IOException {
        Path target = RepoRoot.path().resolve(module).resolve("target");
        try (Stream<Path> files = Files.list(target)) {
            List<Path> jars = files.map(Path::getFileName).map(Path::toString)
                    .filter(f -> f.startsWith(module + "-") && f.endsWith(".jar") && !f.endsWith("-sources.jar")
                            && !f.endsWith("-tests.jar"))
                    .sorted((a, b) -> Boolean.compare(b.endsWith("-exec.jar"), a.endsWith("-exec.jar")))
                    .map(target::resolve).toList();
            if (jars.isEmpty()) {
                throw new IllegalStateException("no jar of " + module + " under " + target + ": run mvn package first");
            }
            return jars.getFirst();
        }
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    Path log() {
        return log;
    }

    /** Starts the process (it must not be running); does not wait for it. */
    void start() throws IOException {
        if (isAlive()) {
            throw new IllegalStateException(name + " already runs");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-jar", jar.toString(), "--server.port=" + port, "--server.address=127.0.0.1",
                "--spring.jmx.enabled=false"));
        command.addAll(args);
        starts++;
        Files.writeString(log, "\n===== start " + starts + " of " + name + " =====\n", StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Waits until the process answers its readiness probe with 200. */
    void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!isAlive()) {
                throw new AssertionError(name + " exited during start-up; see " + log.toAbsolutePath());
            }
            try {
                HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(URI.create(url()
                        + "/actuator/health/readiness")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError(name + " was not ready within " + READY_TIMEOUT + "; see " + log.toAbsolutePath());
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed, committed or handed over. */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    /** SIGTERM: the process shuts down on its own (see {@link #close()}). */
    void terminate() {
        if (isAlive()) {
            process.destroy();
        }
    }

    /** Asks for a clean stop and waits for it, up to 20 s, then kills. */
    @Override
    public void close() throws InterruptedException {
        terminate();
        if (process != null && !process.waitFor(20, TimeUnit.SECONDS)) {
            kill();
        }
    }
}
