package io.tributary.clean.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import io.tributary.testkit.ServiceProcess;

/**
 * The cleaning service as a separate JVM, so a test can SIGKILL it. It runs in {@code dataDir}:
 * unless the test passes its own datasource URL, its H2 database is the default
 * {@code ./data/stream-clean} there, which outlives each process.
 */
final class CleanServiceProcess {

    private CleanServiceProcess() {
    }

    static ServiceProcess start(String ingestUrl, Path dataDir, Path log, String... extraArgs) throws IOException {
        List<String> args = new ArrayList<>(List.of(
                "--clean.ingest-url=" + ingestUrl,
                "--clean.runner.reconcile-interval=500ms",
                "--clean.runner.session-timeout=3s",
                "--clean.runner.heartbeat-interval=500ms",
                "--clean.mask-salt=crash-salt"));
        args.addAll(List.of(extraArgs));
        return ServiceProcess.start("the cleaning service", "io.tributary.clean.StreamCleanApplication", dataDir, log,
                args);
    }
}
