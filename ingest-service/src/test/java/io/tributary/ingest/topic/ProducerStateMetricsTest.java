package io.tributary.ingest.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.log.LogRecord;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.log.ProducerBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's producer-state limits reach every partition it opens, and what they drop is counted. */
class ProducerStateMetricsTest {

    @TempDir
    Path dataDir;

    private TopicRegistry topics;

    @AfterEach
    void close() {
        topics.close();
    }

    @Test
    void evictionsAndExpirationsAreCountedAndTheTableSizeIsAGauge() {
        IngestProperties props = new IngestProperties(dataDir, 1, new IngestProperties.Cluster("", ""), 1, 1,
                new IngestProperties.Produce(Duration.ofMinutes(10), 100_000, 128, 64 << 20, 100_000, 100,
                        Duration.ofHours(1), Duration.ZERO),
                new IngestProperties.Fetch(Duration.ofSeconds(30), 1 << 20, 16 << 20, 10_000, 2),
                new IngestProperties.Maintenance(Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(30),
                        Duration.ofSeconds(15)),
                new IngestProperties.Groups(Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofMinutes(5), 4, 8),
                new IngestProperties.Limits(4000, 1000, 10_000, 10_000, 1000, Duration.ofDays(7), 10_000,
                        Duration.ofMinutes(1), 2));
        topics = new TopicRegistry(props);
        MeterRegistry meters = new SimpleMeterRegistry();
        new LogMetrics(meters, topics);
        topics.create("metered", 2, 1, Map.of());
        PartitionLog p0 = topics.get("metered").partitions().get(0);
        PartitionLog p1 = topics.get("metered").partitions().get(1);

        for (long pid = 1; pid <= 5; pid++) {
            p0.append(List.of(LogRecord.of("k", "{}", 1_000 + pid)), ProducerBatch.startingAt(pid, (short) 0, 0), 0);
        }
        p1.append(List.of(LogRecord.of("k", "{}", 1_000)), ProducerBatch.startingAt(9, (short) 0, 0), 0);
        p1.append(List.of(LogRecord.of("k", "{}", 1_000 + Duration.ofMinutes(2).toMillis())), ProducerBatch.NONE, 0);
        p1.append(List.of(LogRecord.of("k", "{}", 1_000 + Duration.ofMinutes(2).toMillis())),
                ProducerBatch.startingAt(10, (short) 0, 0), 0);

        assertThat(meters.get("ingest.producer.state.evicted").functionCounter().count()).isEqualTo(3);
        assertThat(meters.get("ingest.producer.state.expired").functionCounter().count()).isEqualTo(0);
        assertThat(meters.get("ingest.log.producers").tags("topic", "metered", "partition", "0").gauge().value())
                .isEqualTo(2);
        // producer 9 is past the retention: no longer counted, and removed at the next sweep (here: a roll)
        assertThat(meters.get("ingest.log.producers").tags("topic", "metered", "partition", "1").gauge().value())
                .isEqualTo(1);
        p1.rollNow();
        assertThat(meters.get("ingest.producer.state.expired").functionCounter().count()).isEqualTo(1);
    }
}
