package io.tributary.ingest.replication;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.tributary.ingest.IngestApplication;
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
    private final String peers;
    private final Map<Integer, ConfigurableApplicationContext> nodes = new TreeMap<>();

    public LoopbackCluster(Path root, int size) throws IOException {
        this.root = root;
        this.httpPorts = new int[size + 1];
        this.raftPorts = new int[size + 1];
        StringBuilder sb = new StringBuilder();
        for (int id = 1; id <= size; id++) {
            httpPorts[id] = freePort();
            raftPorts[id] = freePort();
            sb.append(sb.isEmpty() ? "" : ",").append(id).append("=127.0.0.1:").append(httpPorts[id]).append(':')
                    .append(raftPorts[id]);
        }
        this.peers = sb.toString();
    }

    /** Starts every node, one after the other (a node does not wait for the others). */
    public LoopbackCluster startAll() {
        for (int id = 1; id < httpPorts.length; id++) {
            start(id);
        }
        return this;
    }

    public synchronized void start(int id) {
        // Command-line arguments win over application.yml (builder properties would not).
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(IngestApplication.class).run(
                "--server.port=" + httpPorts[id],
                "--server.address=127.0.0.1",
                "--server.shutdown=immediate",
                "--ingest.data-dir=" + root.resolve("node-" + id),
                "--ingest.node-id=" + id,
                "--ingest.cluster.peers=" + peers,
                "--ingest.replication.election-timeout=1s",
                "--ingest.replication.request-timeout=8s",
                "--ingest.replication.snapshot-on-stop=false",
                "--spring.main.banner-mode=off",
                "--spring.jmx.enabled=false",
                "--springdoc.api-docs.enabled=false",
                "--logging.level.org.apache.ratis=WARN");
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

    public String baseUrl(int id) {
        return "http://127.0.0.1:" + httpPorts[id];
    }

    @Override
    public void close() {
        List<Integer> ids;
        synchronized (this) {
            ids = new ArrayList<>(nodes.keySet());
        }
        ids.forEach(this::stop);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
