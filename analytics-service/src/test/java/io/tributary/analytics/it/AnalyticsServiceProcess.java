package io.tributary.analytics.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import io.tributary.testkit.ServiceProcess;

/**
 * The analytics service as a separate JVM, so a test can SIGKILL it. It runs in {@code dataDir}
 * on its default configuration, so its H2 database ({@code ./data/analytics}) outlives each
 * process and the test exercises the durability settings a user gets.
 */
final class AnalyticsServiceProcess {

    private AnalyticsServiceProcess() {
    }

    static ServiceProcess start(String ingestUrl, Path dataDir, Path log, String... extraArgs) throws IOException {
        List<String> args = new ArrayList<>(List.of("--analytics.ingest-url=" + ingestUrl));
        args.addAll(List.of(extraArgs));
        return ServiceProcess.start("the analytics service", "io.tributary.analytics.AnalyticsApplication", dataDir, log,
                args);
    }
}
