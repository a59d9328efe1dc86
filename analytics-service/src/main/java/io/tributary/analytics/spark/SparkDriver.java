package io.tributary.analytics.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.tributary.analytics.config.AnalyticsProperties;
import tools.jackson.databind.json.JsonMapper;

/**
 * Starts a job's Spark driver: {@code <spark java> -cp <analytics.spark.class-path>
 * io.tributary.analytics.spark.SparkJobDriver <job>.plan.json}, with the run's token in its environment and its
 * output appended to {@code <checkpoint dir>/<job>.driver.log}. The plan file lies beside the job's checkpoint.
 */
final class SparkDriver {

    static final String MAIN_CLASS = "io.tributary.analytics.spark.SparkJobDriver";
    static final String TOKEN_ENV = "TRIBUTARY_SPARK_RUN_TOKEN";

    /** The module openings Spark 4.0 needs on Java 17 and 21 (the list its own launch scripts pass). */
    private static final List<String> JVM_OPTIONS = List.of("-XX:+IgnoreUnrecognizedVMOptions",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED", "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED", "-Djdk.reflect.useDirectMethodHandle=false",
            "-Dio.netty.tryReflectionSetAccessible=true");

    private final AnalyticsProperties.Spark settings;
    private final JsonMapper json;

    SparkDriver(AnalyticsProperties.Spark settings, JsonMapper json) {
        this.settings = settings;
        this.json = json;
    }

    Path checkpointRoot() {
        return Path.of(settings.checkpointDir()).toAbsolutePath();
    }

    Path checkpoint(String job) {
        return checkpointRoot().resolve(job);
    }

    Path log(String job) {
        return checkpointRoot().resolve(job + ".driver.log");
    }

    Process start(SparkPlan plan, String token) throws IOException {
        Path root = checkpointRoot();
        Files.createDirectories(root);
        Path planFile = root.resolve(plan.job() + ".plan.json");
        Files.writeString(planFile, json.writeValueAsString(plan));
        List<String> command = new ArrayList<>();
        command.add(Path.of(javaHome(), "bin", "java").toString());
        command.add("-Xmx" + settings.driverMemory());
        command.addAll(JVM_OPTIONS);
        command.add("-cp");
        command.add(settings.classPath());
        command.add(MAIN_CLASS);
        command.add(planFile.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(plan.job()).toFile()));
        builder.environment().put(TOKEN_ENV, token);
        return builder.start();
    }

    /** The last lines of a job's driver log, for a FAILED job's {@code lastError}. */
    String tail(String job, int lines) {
        try {
            List<String> all = Files.readAllLines(log(job));
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no driver log: " + e.getMessage() + ")";
        }
    }

    private String javaHome() {
        if (!settings.javaHome().isBlank()) {
            return settings.javaHome();
        }
        String fromEnvironment = System.getenv("TRIBUTARY_SPARK_JAVA_HOME");
        return fromEnvironment != null && !fromEnvironment.isBlank() ? fromEnvironment
                : System.getProperty("java.home");
    }
}
