package io.tributary.deployment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command line tool in the repository root and returns what it printed. */
final class Commands {

    record Result(int exitCode, String output) {
    }

    private Commands() {
    }

    static Result run(List<String> command) {
        return run(command, Map.of());
    }

    /** {@link #run(List)} with these variables added to the environment. */
    static Result run(List<String> command, Map<String, String> environment) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(RepoFiles.root().toFile())
                    .redirectErrorStream(true);
            builder.environment().putAll(environment);
            Process process = builder.start();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " did not finish within 120 s");
            }
            return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(command.get(0) + " cannot run here (" + e.getMessage()
                    + "); install it: test.sh does", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The output of a command that must succeed. */
    static String output(List<String> command) {
        return output(command, Map.of());
    }

    /** The output of a command that must succeed, run with these variables added to the environment. */
    static String output(List<String> command, Map<String, String> environment) {
        Result result = run(command, environment);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + result.exitCode() + "):\n"
                    + result.output());
        }
        return result.output();
    }
}
