package io.tributary.ingest.group;

import java.nio.file.Path;
import java.time.Duration;

import io.tributary.ingest.config.IngestProperties;

/** Settings for tests that build the group machinery by hand. */
final class TestSetup {

    private TestSetup() {
    }

    static IngestProperties props(Path dataDir) {
        return new IngestProperties(dataDir, 1, new IngestProperties.Cluster(""), 1, 1,
                new IngestProperties.Produce(Duration.ofMinutes(10), 100_000, 128, 64 << 20, 100_000, 100,
                        Duration.ofHours(1), Duration.ZERO),
                new IngestProperties.Fetch(Duration.ofSeconds(30), 1 << 20, 16 << 20, 10_000, 2),
                new IngestProperties.Maintenance(Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(30),
                        Duration.ofSeconds(15)),
                new IngestProperties.Groups(Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofMinutes(5), 4),
                new IngestProperties.Limits(4000, 1000, 10_000, 10_000, 1000, Duration.ofDays(7), 10_000,
                        Duration.ofDays(7), 1000));
    }
}
