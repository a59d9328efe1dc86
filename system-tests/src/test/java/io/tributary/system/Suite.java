package io.tributary.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import io.tributary.testkit.LocalPorts;
import io.tributary.testkit.ServiceProcess;
import io.tributary.testkit.ThrowawayPostgres;

/**
 * The whole suite on 127.0.0.1, each process from its own jar: a 3-node ingest cluster, two stream-clean and two
 * analytics instances (each pair sharing a PostgreSQL database, the {@code prod} overlay's shape) and the gateway in
 * front, on its development API key. stream-clean and analytics know every ingest node and fail over between them;
 * the gateway routes to one node and one instance of each service (a Kubernetes Service would spread the calls; on
 * loopback the nodes behind it forward what they do not lead). Timings are shortened the way the services' own
 * crash tests shorten them (group sessions, leases, Raft elections), so a fault is noticed in seconds.
 */
final class Suite implements AutoCloseable {

    /** The kinds of process, each of which the nemesis kills in turn. */
    enum Role { INGEST, CLEAN, ANALYTICS, GATEWAY }

    static final String KEY = "tributary-dev-key";
    /** A start on the loaded 2-core machine, with seven other JVMs busy, takes up to a minute. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);

    private final List<ServiceProcess> ingest = new ArrayList<>();
    private final List<ServiceProcess> clean = new ArrayList<>();
    private final List<ServiceProcess> analytics = new ArrayList<>();
    private final ServiceProcess gateway;

    private final Path runDir;

    private Suite(Path runDir) throws IOException {
        this.runDir = runDir;
        int[] http = new int[3];
        int[] raft = new int[3];
        List<String> peers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            http[i] = LocalPorts.freePort();
            raft[i] = LocalPorts.freePort();
            // host:http:raft:kafka(none):replica; the replica port named, as the Raft port plus one may be taken
            peers.add((i + 1) + "=127.0.0.1:" + http[i] + ":" + raft[i] + ":0:" + LocalPorts.freePort());
        }
        for (int i = 0; i < 3; i++) {
            ingest.add(process("ingest-" + (i + 1), "ingest-service", http[i], List.of(
                    "--ingest.node-id=" + (i + 1),
                    "--ingest.kafka.port=0", // no Kafka listener: the suite talks REST (and 9092 would clash)
                    "--ingest.cluster.peers=" + String.join(",", peers),
                    "--ingest.replication.election-timeout=1s",
                    "--ingest.replication.request-timeout=8s",
                    "--logging.level.org.apache.ratis=WARN")));
        }
        String ingestUrls = ingest.stream().map(ServiceProcess::url).collect(Collectors.joining(","));
        ThrowawayPostgres postgres = ThrowawayPostgres.server();
        List<String> cleanDb = postgres.freshDatabase("chaos_clean").springArgs();
        List<String> analyticsDb = postgres.freshDatabase("chaos_analytics").springArgs();
        for (int i = 1; i <= 2; i++) {
            List<String> args = new ArrayList<>(List.of(
                    "--clean.ingest-url=" + ingestUrls,
                    "--clean.runner.reconcile-interval=500ms",
                    "--clean.runner.session-timeout=3s",
                    "--clean.runner.heartbeat-interval=500ms",
                    "--clean.mask-salt=chaos-salt"));
            args.addAll(cleanDb);
            clean.add(process("stream-clean-" + i, "stream-clean-service", LocalPorts.freePort(), args));
        }
        for (int i = 1; i <= 2; i++) {
            List<String> args = new ArrayList<>(List.of(
                    "--analytics.ingest-url=" + ingestUrls,
                    "--analytics.clean-url=" + clean.getFirst().url(),
                    "--analytics.leases.instance-id=analytics-" + i,
                    "--analytics.leases.ttl=4s",
                    "--analytics.leases.renew-interval=1s"));
            args.addAll(analyticsDb);
            analytics.add(process("analytics-" + i, "analytics-service", LocalPorts.freePort(), args));
        }
        gateway = process("gateway", "gateway", LocalPorts.freePort(), List.of(
                "--gateway.ingest-url=" + ingest.getFirst().url(),
                "--gateway.clean-url=" + clean.getFirst().url(),
                "--gateway.analytics-url=" + analytics.getFirst().url(),
                // the generator and the oracle's reads share the one key; the limit is not under test here
                "--gateway.security.rate-limit.limit-for-period=5000"));
    }

    /** {@code module}'s jar as process {@code name}: working folder {@code <runDir>/<name>}, log {@code <name>.log}. */
    private ServiceProcess process(String name, String module, int port, List<String> args) throws IOException {
        // every service listens on 127.0.0.1 by default (server.address): nothing to add for loopback
        return ServiceProcess.fromJar(name, ServiceJars.of(module), port, Files.createDirectories(runDir.resolve(name)),
                runDir.resolve(name + ".log"), args);
    }

    /** Waits until {@code process} answers its readiness probe. */
    static void awaitReady(ServiceProcess process) throws InterruptedException {
        process.awaitReady(READY_TIMEOUT);
    }

    /** Starts every process (the ingest nodes first) and waits until each is ready. */
    static Suite start(Path runDir) throws IOException, InterruptedException {
        Suite suite = new Suite(runDir);
        try {
            for (ServiceProcess node : suite.ingest) {
                node.start();
            }
            for (ServiceProcess node : suite.ingest) {
                awaitReady(node);
            }
            List<ServiceProcess> rest = new ArrayList<>(suite.clean);
            rest.addAll(suite.analytics);
            rest.add(suite.gateway);
            for (ServiceProcess process : rest) {
                process.start();
            }
            for (ServiceProcess process : rest) {
                awaitReady(process);
            }
            return suite;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            suite.close();
            throw e;
        }
    }

    List<ServiceProcess> processes(Role role) {
        return switch (role) {
            case INGEST -> ingest;
            case CLEAN -> clean;
            case ANALYTICS -> analytics;
            case GATEWAY -> List.of(gateway);
        };
    }

    List<ServiceProcess> all() {
        List<ServiceProcess> all = new ArrayList<>(ingest);
        all.addAll(clean);
        all.addAll(analytics);
        all.add(gateway);
        return all;
    }

    String gatewayUrl() {
        return gateway.url();
    }

    /** Stops every process: all asked at once, then each waited for (a stop is not under test). */
    @Override
    public void close() throws InterruptedException {
        List<ServiceProcess> all = all();
        all.forEach(ServiceProcess::terminate);
        for (ServiceProcess process : all) {
            process.close();
        }
    }
}
