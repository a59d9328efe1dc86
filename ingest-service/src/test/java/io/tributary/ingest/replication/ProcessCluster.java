package io.tributary.ingest.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

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

import io.tributary.ingest.IngestApplication;
import io.tributary.ingest.log.RecordBatch;
import io.tributary.ingest.log.StoredBatches;
import io.tributary.ingest.testing.LocalResources;

/**
 * Ingest nodes as separate JVMs on 127.0.0.1 (the test class path, as {@code CrashRecoveryTest}
 * starts one), for tests that kill, stop and pause real processes. Node {@code i} (1-based) keeps
 * its HTTP and Raft ports and its data folder {@code <dataRoot>/node-i} across restarts; its
 * output is appended to {@code target/<logFolder>/node-i-<stamp>.log}. {@link #close()} kills
 * whatever is still running.
 */
final class ProcessCluster implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(60);

    private final Path dataRoot;
    private final int size;
    private final List<String> settings;
    private final int[] httpPorts;
    private final Process[] children;
    private final boolean[] paused;
    private final Path[] childLogs;
    private final int[] raftPorts;
    /** 0 for a node without a Kafka listener. */
    private final int[] kafkaPorts;
    private final int[] replicaPorts;
    private final String peers;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * @param settings extra {@code --key=value} arguments for every node, after the defaults
     *                 (which they override)
     */
    ProcessCluster(Path dataRoot, String logFolder, int size, String... settings) throws IOException {
        this(dataRoot, logFolder, size, 0, settings);
    }

    /**
     * A cluster of {@code size} founding nodes (ids 1..size, the peer list) and {@code spares} more
     * ids: a spare starts with {@code ingest.cluster.self-address} and no Raft group, to be added
     * through {@code POST /api/v1/cluster/nodes} ({@link #nodeJson}).
     */
    ProcessCluster(Path dataRoot, String logFolder, int size, int spares, String... settings) throws IOException {
        this(dataRoot, logFolder, size, spares, false, settings);
    }

    /**
     * @param kafka give every founding node a Kafka listener on a port of its own, named in the peer
     *              list ({@code id=host:http:raft:kafka}); {@link #kafkaBootstrap()}
     */
    ProcessCluster(Path dataRoot, String logFolder, int size, int spares, boolean kafka, String... settings)
            throws IOException {
        this.dataRoot = dataRoot;
        this.size = size;
        this.settings = List.of(settings);
        this.httpPorts = new int[size + spares + 1];
        this.raftPorts = new int[size + spares + 1];
        this.kafkaPorts = new int[size + spares + 1];
        this.replicaPorts = new int[size + spares + 1];
        this.children = new Process[size + spares + 1];
        this.paused = new boolean[size + spares + 1];
        this.childLogs = new Path[size + spares + 1];
        Path logs = Path.of("target", logFolder);
        Files.createDirectories(logs);
        long stamp = System.currentTimeMillis();
        StringBuilder sb = new StringBuilder();
        for (int id = 1; id < httpPorts.length; id++) {
            httpPorts[id] = LocalResources.freePort();
            raftPorts[id] = LocalResources.freePort();
            kafkaPorts[id] = kafka && id <= size ? LocalResources.freePort() : 0;
            // named, not left to the Raft port plus one, which may be another node's free port here
            replicaPorts[id] = LocalResources.freePort();
            childLogs[id] = logs.resolve("node-" + id + "-" + stamp + ".log");
            if (id <= size) {
                sb.append(sb.isEmpty() ? "" : ",").append(id).append('=').append(address(id));
            }
        }
        this.peers = sb.toString();
    }

    int size() {
        return size;
    }

    /** Starts every node and waits until each answers its health check. */
    ProcessCluster startAll() throws IOException, InterruptedException {
        for (int id = 1; id <= size; id++) {
            start(id);
        }
        for (int id = 1; id <= size; id++) {
            awaitHealthy(id);
        }
        return this;
    }

    /** Starts node {@code id} on its data folder (the one it had before, if any); does not wait. */
    void start(int id) throws IOException {
        assertThat(children[id] == null || !children[id].isAlive()).as("node %d already runs", id).isTrue();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), IngestApplication.class.getName(),
                "--server.port=" + httpPorts[id],
                "--server.address=127.0.0.1",
                "--ingest.data-dir=" + dataDir(id),
                "--ingest.node-id=" + id,
                "--ingest.kafka.port=" + kafkaPorts[id],
                "--ingest.cluster.peers=" + peers,
                "--ingest.replication.election-timeout=1s",
                "--ingest.replication.request-timeout=8s",
                "--ingest.replication.snapshot-threshold=50",
                "--spring.jmx.enabled=false",
                "--springdoc.api-docs.enabled=false",
                "--logging.level.org.apache.ratis=WARN"));
        if (id > size) {
            command.add("--ingest.cluster.self-address=" + address(id));
        }
        command.addAll(settings);
        Files.writeString(childLogs[id], "\n===== start node " + id + " =====\n", StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        children[id] = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(childLogs[id].toFile()))
                .start();
        paused[id] = false;
    }

    /** Waits until node {@code id} answers {@code /actuator/health} with 200; fails if it exits or takes too long. */
    void awaitHealthy(int id) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!children[id].isAlive()) {
                fail("node %d exited with %d during start-up; see %s", id, children[id].exitValue(),
                        childLogs[id].toAbsolutePath());
            }
            if (isHealthy(id)) {
                return;
            }
            Thread.sleep(200);
        }
        fail("node %d did not become healthy within %s; see %s", id, START_TIMEOUT, childLogs[id].toAbsolutePath());
    }

    /** Whether node {@code id} runs, is not paused and answers its health check with 200 right now. */
    boolean isHealthy(int id) {
        if (children[id] == null || !children[id].isAlive() || paused[id]) {
            return false;
        }
        try {
            return get(id, "/actuator/health", Duration.ofSeconds(5)).statusCode() == 200;
        } catch (IOException e) {
            return false; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The body that adds node {@code id} ({@code POST /api/v1/cluster/nodes}). */
    String nodeJson(int id) {
        return "{\"id\":" + id + ",\"host\":\"127.0.0.1\",\"httpPort\":" + httpPorts[id] + ",\"raftPort\":"
                + raftPorts[id] + ",\"replicaPort\":" + replicaPorts[id] + "}";
    }

    /** {@code host:httpPort:raftPort:kafkaPort:replicaPort} of node {@code id}, as a peer entry or self-address. */
    private String address(int id) {
        return "127.0.0.1:" + httpPorts[id] + ":" + raftPorts[id] + ":" + kafkaPorts[id] + ":" + replicaPorts[id];
    }

    /** Whether node {@code id} answers HTTP at all (a node not added yet is not healthy, but answers). */
    boolean isAnswering(int id) {
        try {
            get(id, "/actuator/health", Duration.ofSeconds(5));
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Deletes a stopped node's data folder (a lost disk). */
    void wipe(int id) throws IOException {
        assertThat(isRunning(id)).as("node %d must be stopped to wipe it", id).isFalse();
        if (Files.exists(dataDir(id))) {
            try (var walk = Files.walk(dataDir(id))) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    boolean isRunning(int id) {
        return children[id] != null && children[id].isAlive();
    }

    /** SIGKILL, then waits for the process to be gone. */
    void kill(int id) throws InterruptedException {
        children[id].destroyForcibly();
        assertThat(children[id].waitFor(EXIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("node %d killed", id).isTrue();
        paused[id] = false;
    }

    /** SIGTERM (a graceful stop), then waits for the process to exit. */
    void terminate(int id) throws InterruptedException {
        children[id].destroy();
        assertThat(children[id].waitFor(EXIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("node %d stopped", id).isTrue();
    }

    /** SIGSTOP: the process stays, frozen, its sockets open; nothing it owes anyone is answered. */
    void pause(int id) throws IOException, InterruptedException {
        signal(id, "STOP");
        paused[id] = true;
    }

    /** SIGCONT after {@link #pause}. */
    void resume(int id) throws IOException, InterruptedException {
        signal(id, "CONT");
        paused[id] = false;
    }

    private void signal(int id, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(children[id].pid()))
                .redirectErrorStream(true).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -%s of node %d: %s", signal, id,
                new String(kill.getInputStream().readAllBytes())).isZero();
    }

    Path dataDir(int id) {
        return dataRoot.resolve("node-" + id);
    }

    Path logFile(int id) {
        return childLogs[id].toAbsolutePath();
    }

    /** The founding nodes' Kafka listeners, {@code host:port,...} (a cluster made with {@code kafka}). */
    String kafkaBootstrap() {
        StringBuilder sb = new StringBuilder();
        for (int id = 1; id <= size; id++) {
            sb.append(sb.isEmpty() ? "" : ",").append("127.0.0.1:").append(kafkaPorts[id]);
        }
        return sb.toString();
    }

    int httpPort(int id) {
        return httpPorts[id];
    }

    HttpResponse<String> get(int node, String path) throws IOException, InterruptedException {
        return get(node, path, Duration.ofSeconds(30));
    }

    HttpResponse<String> get(int node, String path, Duration timeout) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(node, path)).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(int node, String path, String json) throws IOException, InterruptedException {
        return post(node, path, json, Duration.ofSeconds(30));
    }

    HttpResponse<String> post(int node, String path, String json, Duration timeout)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(node, path)).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> delete(int node, String path, Duration timeout) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(node, path)).timeout(timeout).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(int node, String path) {
        return URI.create("http://127.0.0.1:" + httpPorts[node] + path);
    }

    /**
     * The batches of a partition as stored in node {@code node}'s data folder, read in this JVM;
     * the node must be stopped.
     */
    List<RecordBatch> batchesOnDisk(int node, String topic, int partition) throws IOException {
        assertThat(isRunning(node)).as("node %d must be stopped to open its log", node).isFalse();
        return StoredBatches.read(dataDir(node), topic, partition);
    }

    /** Kills every node still running (a paused one too: SIGKILL needs no SIGCONT). */
    @Override
    public void close() {
        for (int id = 1; id < children.length; id++) {
            Process p = children[id];
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
