package io.tributary.ingest.replication;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.tributary.ingest.IngestApplication;
import io.tributary.ingest.testing.LocalResources;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Ingest nodes as Spring contexts in one JVM on 127.0.0.1, each with its own HTTP port, Raft
 * port and data folder under {@code root}, all with the same peer list. Stopping a node closes
 * its context with {@code server.shutdown=immediate} and no final snapshot, the closest an
 * in-JVM test gets to a crash.
 */
public final class LoopbackCluster implements AutoCloseable {

    private final Path root;
    private final int[] httpPorts;
    private final int[] raftPorts;
    /** 0 for a node without a Kafka listener. */
    private final int[] kafkaPorts;
    /** The replication listeners' ports, named in the peer list when fetched writes are on; else 0. */
    private final int[] replicaPorts;
    private final String peers;
    /** Nodes 1..founders are in the peer list; higher ids are spares, started as nodes to be added. */
    private final int founders;
    /** More command-line arguments for every node: keys not among the defaults (a repeated key would join both values). */
    private final List<String> extraArgs;
    private final Map<Integer, ConfigurableApplicationContext> nodes = new TreeMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public LoopbackCluster(Path root, int size) throws IOException {
        this(root, size, new String[0]);
    }

    /** A cluster whose nodes all get {@code extraArgs} ({@code --key=value}, keys not among the defaults). */
    public LoopbackCluster(Path root, int size, String... extraArgs) throws IOException {
        this(root, size, 0, extraArgs);
    }

    /**
     * A cluster of {@code size} founding nodes (ids 1..size, the peer list) and {@code spares} more
     * (the next ids): a spare starts with {@code ingest.cluster.self-address} and no Raft group, to be
     * added through {@code POST /api/v1/cluster/nodes} ({@link #nodeJson}).
     */
    public LoopbackCluster(Path root, int size, int spares, String... extraArgs) throws IOException {
        this(root, size, spares, false, extraArgs);
    }

    /**
     * @param kafka give every node a Kafka listener on a port of its own, named in the peer list
     *              ({@code id=host:http:raft:kafka}), a spare's self-address and {@link #nodeJson}
     */
    public LoopbackCluster(Path root, int size, int spares, boolean kafka, String... extraArgs) throws IOException {
        this.root = root;
        this.extraArgs = List.of(extraArgs);
        this.founders = size;
        this.httpPorts = new int[size + spares + 1];
        this.raftPorts = new int[size + spares + 1];
        this.kafkaPorts = new int[size + spares + 1];
        this.replicaPorts = new int[size + spares + 1];
        StringBuilder sb = new StringBuilder();
        for (int id = 1; id <= size + spares; id++) {
            httpPorts[id] = LocalResources.freePort();
            raftPorts[id] = LocalResources.freePort();
            kafkaPorts[id] = kafka ? LocalResources.freePort() : 0;
            // named, not left to the Raft port plus one, which may be another node's free port here
            replicaPorts[id] = LocalResources.freePort();
            if (id <= size) {
                sb.append(sb.isEmpty() ? "" : ",").append(id).append('=').append(address(id));
            }
        }
        this.peers = sb.toString();
    }

    /** {@code host:httpPort:raftPort[:kafkaPort[:replicaPort]]} of node {@code id}, as a peer entry or self-address gives it. */
    private String address(int id) {
        return "127.0.0.1:" + httpPorts[id] + ":" + raftPorts[id] + ":" + kafkaPorts[id] + ":" + replicaPorts[id];
    }

    /**
     * The body that adds node {@code id} ({@code POST /api/v1/cluster/nodes}), with its replica port and its Kafka
     * port if it has one.
     */
    public String nodeJson(int id) {
        return "{\"id\":" + id + ",\"host\":\"127.0.0.1\",\"httpPort\":" + httpPorts[id] + ",\"raftPort\":"
                + raftPorts[id] + (kafkaPorts[id] == 0 ? "" : ",\"kafkaPort\":" + kafkaPorts[id]) + ",\"replicaPort\":"
                + replicaPorts[id] + "}";
    }

    /** Node {@code id}'s Kafka listener port; 0 on a cluster made without {@code kafka}. */
    public int kafkaPort(int id) {
        return kafkaPorts[id];
    }

    /**
     * Starts every founding node, one after the other (a node does not wait for the others), then
     * waits until each is ready: a new node joins only once a peer confirmed its empty data folder
     * is new to the cluster (StorageGuard), so the first one started is ready only after the next.
     */
    public LoopbackCluster startAll() {
        for (int id = 1; id <= founders; id++) {
            start(id);
        }
        for (int id = 1; id <= founders; id++) {
            awaitReady(id);
        }
        return this;
    }

    /** Waits (at most a minute) until the node answers {@code /actuator/health/readiness} with 200. */
    public void awaitReady(int id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int status = -1;
        while (System.nanoTime() < deadline) {
            try {
                status = send(id, "GET", "/actuator/health/readiness", null).statusCode();
                if (status == 200) {
                    return;
                }
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for node " + id, e);
            } catch (Exception e) {
                status = -1; // not listening (yet)
            }
        }
        throw new IllegalStateException("node " + id + " not ready within a minute (last status " + status + ")");
    }

    /** Starts a node with {@code more} arguments after the cluster's own (for this start only). */
    public synchronized void start(int id, String... more) {
        // Command-line arguments win over application.yml (builder properties would not).
        List<String> args = new ArrayList<>(List.of(
                "--server.port=" + httpPorts[id],
                "--server.address=127.0.0.1",
                "--server.shutdown=immediate",
                "--ingest.data-dir=" + root.resolve("node-" + id),
                "--ingest.node-id=" + id,
                "--ingest.kafka.port=" + kafkaPorts[id],
                "--ingest.cluster.peers=" + peers,
                "--ingest.replication.election-timeout=1s",
                "--ingest.replication.request-timeout=8s",
                "--ingest.replication.snapshot-on-stop=false",
                "--spring.main.banner-mode=off",
                "--spring.jmx.enabled=false",
                "--springdoc.api-docs.enabled=false",
                "--logging.level.org.apache.ratis=WARN"));
        if (id > founders) {
            args.add("--ingest.cluster.self-address=" + address(id));
        }
        args.addAll(extraArgs);
        args.addAll(List.of(more));
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(IngestApplication.class)
                .run(args.toArray(String[]::new));
        nodes.put(id, ctx);
    }

    public synchronized void stop(int id) {
        ConfigurableApplicationContext ctx = nodes.remove(id);
        if (ctx != null) {
            ctx.close();
        }
    }

    public synchronized Set<Integer> running() {
        return Set.copyOf(nodes.keySet());
    }

    public synchronized ConfigurableApplicationContext context(int id) {
        return nodes.get(id);
    }

    /** The data folder of a node (what a wiped disk loses). */
    public Path dataDir(int id) {
        return root.resolve("node-" + id);
    }

    public String baseUrl(int id) {
        return "http://127.0.0.1:" + httpPorts[id];
    }

    /** One HTTP request to a node ({@code json} null: no body), answered as text. */
    public HttpResponse<String> send(int node, String method, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl(node) + path)).timeout(Duration.ofSeconds(30));
        b = json == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A produce request to a node under an {@code Idempotency-Key}: a retry after a 503 (which may have written) is
     * answered with the first write's offsets instead of writing again.
     */
    public HttpResponse<String> produceKeyed(int node, String topic, String json, String key) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(baseUrl(node) + "/api/v1/topics/" + topic + "/records"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * {@link #produceKeyed}, sent again under the same key while answered 503 (retriable: an election, an in-sync
     * set changing under the write) for up to {@code within}, 200 ms apart; each retry is printed with the answer
     * it follows. The key makes a retry of a 503 that came after the write safe: it is answered with the first
     * write's offsets. Answers the last response.
     */
    public HttpResponse<String> produceKeyedRetrying(int node, String topic, String json, String key, Duration within)
            throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        HttpResponse<String> r = produceKeyed(node, topic, json, key);
        while (r.statusCode() == 503 && System.nanoTime() < deadline) {
            System.out.printf("[loopback] produce %s through node %d answered 503, retried: %s%n", key, node, r.body());
            Thread.sleep(200);
            r = produceKeyed(node, topic, json, key);
        }
        return r;
    }

    /**
     * Creates a topic through a node, trying again for up to a minute while it answers 503 (right
     * after a start the metadata group may still be electing); answers the last response.
     */
    public HttpResponse<String> createTopic(int node, String name, int partitions, int replicationFactor)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        HttpResponse<String> created;
        do {
            created = send(node, "POST", "/api/v1/topics", "{\"name\":\"" + name + "\",\"partitions\":" + partitions
                    + ",\"replicationFactor\":" + replicationFactor + "}");
        } while (created.statusCode() == 503 && System.nanoTime() < deadline);
        return created;
    }

    @Override
    public void close() {
        List<Integer> ids;
        synchronized (this) {
            ids = new ArrayList<>(nodes.keySet());
        }
        ids.forEach(this::stop);
    }
}
