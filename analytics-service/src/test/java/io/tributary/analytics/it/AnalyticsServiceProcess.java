package io.tributary.analytics.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import io.tributary.testkit.ServiceProcess;

/**
 * The analytics service as a separate JVM, so a test can SIGKILL it. Its H2 database lives in a
 * folder that outlives each process (unless the test passes its own datasource URL).
 */
final class AnalyticsServiceProcess {

    private AnalyticsServiceProcess() {
    }

    static ServiceProcess start(String ingestUrl, Path dataDir, Path log, String... extraArgs) throws IOException {
        List<String> args = new ArrayList<>(List.of("--analytics.ingest-url=" + ingestUrl));
        args.addAll(List.of(extraArgs));
        if (args.stream().noneMatch(arg -> arg.startsWith("--spring.datasource.url="))) {
            args.add("--spring.datasource.url=jdbc:h2:file:" + dataDir.resolve("analytics").toAbsolutePath());
        }
        return ServiceProcess.start("the analytics service", "io.tributary.analytics.AnalyticsApplication", log, args);
    }
}
