package io.tributary.ingest.produce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.log.Bytes;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.log.ProducerFencedException;
import io.tributary.ingest.acl.AclProperties;
import io.tributary.ingest.acl.AclStore;
import io.tributary.ingest.cluster.SingleNodeOps;
import io.tributary.ingest.topic.TopicRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10: a partition may forget a named producer (expired or evicted), but an older epoch of it
 * stays fenced, because the node's {@link ProducerIds} knows the newest epoch of every name.
 */
class ProducerStateFencingTest {

    private static final long T = 1_000_000;

    @TempDir
    Path dataDir;

    private final MeterRegistry meters = new SimpleMeterRegistry();
    private TopicRegistry topics;
    private ProducerIds ids;
    private ProduceService produce;

    @BeforeEach
    void open() {
        IngestProperties props = new IngestProperties(dataDir, 1, new IngestProperties.Cluster("", ""), 1, 1,
                new IngestProperties.Produce(Duration.ofMinutes(10), 100_000, 128, 64 << 20, 100_000, 100,
                        Duration.ofHours(1), Duration.ZERO),
                new IngestProperties.Fetch(Duration.ofSeconds(30), 1 << 20, 16 << 20, 10_000, 2),
                new IngestProperties.Maintenance(Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(30),
                        Duration.ofSeconds(15)),
                new IngestProperties.Groups(Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofMinutes(5), 4, 8),
                new IngestProperties.Limits(4000, 1000, 10_000, 10_000, 1000, Duration.ofDays(7), 10_000,
                        Duration.ofHours(1), 1));
        topics = new TopicRegistry(props);
        topics.create("orders", 1, 1, Map.of());
        ids = new ProducerIds(props, meters);
        produce = new ProduceService(topics, meters, ids, new SingleNodeOps(topics, ids,
                new AclStore(props, new AclProperties(List.of(), null, false)), props.nodeId()));
    }

    @AfterEach
    void close() {
        topics.close();
    }

    private ProduceResponse write(ProducerIds.Identity who, long sequence, long timestamp) {
        IncomingRecord record = new IncomingRecord(null, Bytes.utf8("{}"), List.of(), 0, timestamp,
                IncomingRecord.NO_SEQUENCE);
        return produce.produce("orders", new ProduceRequest(List.of(record), Acks.ALL,
                who == null ? null : who.producerId(), who == null ? null : who.producerEpoch(), sequence));
    }

    private PartitionLog partition() {
        return topics.get("orders").partitions().get(0);
    }

    @Test
    void anEvictedNamedProducerStaysFencedForItsOlderEpochs() {
        ProducerIds.Identity zombie = ids.init("pipeline-a");
        write(zombie, 0, T);
        ProducerIds.Identity current = ids.init("pipeline-a");
        write(current, 1, T + 1);
        ProducerIds.Identity other = ids.init(null);
        write(other, 0, T + 2); // the cap is one producer: pipeline-a is evicted here
        assertThat(partition().lastSequence(current.producerId())).isEqualTo(-1);

        long end = partition().logEndOffset();
        assertThatThrownBy(() -> write(zombie, 2, T + 3)).isInstanceOf(ProducerFencedException.class);
        assertThat(partition().logEndOffset()).isEqualTo(end);
        // the current epoch carries on
        write(current, 2, T + 4);
        assertThat(partition().lastSequence(current.producerId())).isEqualTo(2);
    }

    @Test
    void anExpiredNamedProducerStaysFencedForItsOlderEpochs() {
        ProducerIds.Identity zombie = ids.init("pipeline-b");
        write(zombie, 0, T);
        ProducerIds.Identity current = ids.init("pipeline-b");
        write(current, 1, T + 1);
        write(null, 0, T + Duration.ofHours(2).toMillis()); // the log time moves two hours past the last write
        assertThat(partition().lastSequence(current.producerId())).isEqualTo(-1);

        long end = partition().logEndOffset();
        assertThatThrownBy(() -> write(zombie, 2, T + 3)).isInstanceOf(ProducerFencedException.class);
        assertThat(partition().logEndOffset()).isEqualTo(end);
        write(current, 2, T + 4);
        assertThat(partition().lastSequence(current.producerId())).isEqualTo(2);
    }
}
