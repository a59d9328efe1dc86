package io.tributary.deployment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command line tool in the repository root and returns what it printed. */
final class Commands {

    record Result(int exitCode, String output) {
    }

    private Commands() {
    }

    static Result run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).directory(RepoFiles.root().toFile())
                    .redirectErrorStream(true).start();
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
        Result result = run(command);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + result.exitCode() + "):\n"
                    + result.output());
        }
        return result.output();
    }
}
