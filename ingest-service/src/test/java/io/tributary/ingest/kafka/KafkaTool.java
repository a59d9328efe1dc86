package io.tributary.ingest.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs one of Kafka's command-line tools (a main class of {@code kafka-tools}) as a user would: in a JVM of its own. */
public final class KafkaTool {

    private KafkaTool() {
    }

    /** Runs the tool on this test's class path; answers its output once it exited with status 0. */
    public static String run(String mainClass, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx512m", "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(180, TimeUnit.SECONDS)).as("%s finished", mainClass).isTrue();
        String output = new String(out, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("%s exit status; output:%n%s", mainClass, output).isZero();
        return output;
    }
}
