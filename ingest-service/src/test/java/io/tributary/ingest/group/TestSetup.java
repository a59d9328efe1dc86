package io.tributary.ingest.group;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.ingest.acl.AclProperties;
import io.tributary.ingest.acl.AclStore;
import io.tributary.ingest.cluster.ClusterOps;
import io.tributary.ingest.cluster.SingleNodeOps;
import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.produce.ProducerIds;
import io.tributary.ingest.topic.TopicRegistry;

/** Settings for tests that build the group machinery by hand. */
final class TestSetup {

    private TestSetup() {
    }

    /** What a node without {@code ingest.cluster.peers} gets: everything local. */
    static ClusterOps singleNode(TopicRegistry topics, IngestProperties props) {
        return new SingleNodeOps(topics, new ProducerIds(props, new SimpleMeterRegistry()),
                new AclStore(props, new AclProperties(List.of(), null, false)), props.nodeId());
    }

    static IngestProperties props(Path dataDir) {
        return new IngestProperties(dataDir, 1, new IngestProperties.Cluster("", ""), 1, 1,
                new IngestProperties.Produce(Duration.ofMinutes(10), 100_000, 128, 64 << 20, 100_000, 100,
                        Duration.ofHours(1), Duration.ZERO),
                new IngestProperties.Fetch(Duration.ofSeconds(30), 1 << 20, 16 << 20, 10_000, 2),
                new IngestProperties.Maintenance(Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(30),
                        Duration.ofSeconds(15)),
                new IngestProperties.Groups(Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofMinutes(5), 4, 8),
                new IngestProperties.Limits(4000, 1000, 10_000, 10_000, 1000, Duration.ofDays(7), 10_000,
                        Duration.ofDays(7), 1000));
    }
}
