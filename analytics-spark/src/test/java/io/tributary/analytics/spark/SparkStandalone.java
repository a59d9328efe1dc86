package io.tributary.analytics.spark;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Spark standalone cluster on loopback for the tests: one master and one worker, started from this module's
 * Spark home (target/spark-home) on the Spark tests' JDK, their output under the given folder.
 */
final class SparkStandalone implements AutoCloseable {

    private final List<Process> processes = new ArrayList<>();
    private final int port;

    private SparkStandalone(int port) {
        this.port = port;
    }

    /** Starts a master and a worker with {@code cores} cores and {@code memory} for executors and drivers. */
    static SparkStandalone start(Path dir, int cores, String memory) throws Exception {
        SparkStandalone cluster = new SparkStandalone(ServiceJar.freePort());
        Files.createDirectories(dir);
        cluster.processes.add(cluster.daemon(dir.resolve("master.log"), "org.apache.spark.deploy.master.Master",
                "--host", "127.0.0.1", "--port", Integer.toString(cluster.port), "--webui-port",
                Integer.toString(ServiceJar.freePort())));
        cluster.awaitPort(Duration.ofSeconds(60));
        Path work = dir.resolve("worker");
        cluster.processes.add(cluster.daemon(dir.resolve("worker.log"), "org.apache.spark.deploy.worker.Worker",
                "--host", "127.0.0.1", "--cores", Integer.toString(cores), "--memory", memory, "--work-dir",
                work.toString(), "--webui-port", Integer.toString(ServiceJar.freePort()), cluster.url()));
        return cluster;
    }

    /** {@code spark://127.0.0.1:<port>} */
    String url() {
        return "spark://127.0.0.1:" + port;
    }

    /** The worker's process id: the parent of the drivers it runs in cluster mode. */
    long workerPid() {
        return processes.get(1).pid();
    }

    private Process daemon(Path log, String mainClass, String... args) throws IOException {
        Path sparkHome = Path.of(System.getProperty("tributary.spark.home"));
        List<String> command = new ArrayList<>(List.of(System.getProperty("tributary.spark.java"), "-Xmx256m",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", sparkHome.resolve("jars") + "/*", mainClass));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // what the worker's command builder needs to start drivers and executors from the same Spark home
        builder.environment().put("SPARK_HOME", sparkHome.toString());
        builder.environment().put("SPARK_SCALA_VERSION", "2.13");
        builder.environment().put("JAVA_HOME", Path.of(System.getProperty("tributary.spark.java")).getParent()
                .getParent().toString());
        return builder.start();
    }

    private void awaitPort(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(250);
            }
        }
        throw new IllegalStateException("the Spark master did not listen on " + port + " within " + timeout);
    }

    @Override
    public void close() throws InterruptedException {
        for (int i = processes.size() - 1; i >= 0; i--) { // the worker first
            Process process = processes.get(i);
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
