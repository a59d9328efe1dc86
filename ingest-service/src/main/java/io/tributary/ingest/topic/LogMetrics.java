package io.tributary.ingest.topic;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.tributary.ingest.log.PartitionLog;
import org.springframework.stereotype.Component;

/**
 * Per-partition gauges: bytes on disk, segment count, log start / end offsets, high
 * watermark and idempotent producers remembered, tagged by topic and partition. Registered when
 * a topic appears, removed when it is deleted. Node-wide: partitions, and counters of the
 * producer entries partitions forgot (expired, evicted).
 */
@Component
class LogMetrics implements TopicRegistry.Listener {

    private final MeterRegistry registry;
    private final Map<String, List<Meter>> meters = new ConcurrentHashMap<>();

    LogMetrics(MeterRegistry registry, TopicRegistry topics) {
        this.registry = registry;
        topics.addListener(this);
        Gauge.builder("ingest.partitions", topics, TopicRegistry::partitionCount)
                .description("partitions on the node (bounded by ingest.limits.max-partitions)").register(registry);
        FunctionCounter.builder("ingest.producer.state.expired", topics, TopicRegistry::producerStateExpired)
                .description("idempotent-producer entries partitions forgot after ingest.limits.producer-state-retention"
                        + " of log time without a write").register(registry);
        FunctionCounter.builder("ingest.producer.state.evicted", topics, TopicRegistry::producerStateEvicted)
                .description("idempotent-producer entries partitions forgot to stay within"
                        + " ingest.limits.max-producers-per-partition").register(registry);
    }

    @Override
    public void topicCreated(TopicRegistry.Topic topic) {
        List<Meter> created = new ArrayList<>();
        for (PartitionLog p : topic.hostedPartitions()) {
            Tags tags = Tags.of("topic", topic.name(), "partition", String.valueOf(p.partition()));
            created.add(Gauge.builder("ingest.log.size", p, PartitionLog::sizeInBytes).baseUnit("bytes").tags(tags)
                    .description("bytes of all segments of the partition").register(registry));
            created.add(Gauge.builder("ingest.log.segments", p, PartitionLog::segmentCount).tags(tags)
                    .register(registry));
            created.add(Gauge.builder("ingest.log.start.offset", p, PartitionLog::logStartOffset).tags(tags)
                    .register(registry));
            created.add(Gauge.builder("ingest.log.end.offset", p, PartitionLog::logEndOffset).tags(tags)
                    .register(registry));
            created.add(Gauge.builder("ingest.log.high.watermark", p, PartitionLog::highWatermark).tags(tags)
                    .register(registry));
            created.add(Gauge.builder("ingest.log.producers", p, PartitionLog::producerCount).tags(tags)
                    .description("idempotent producers the partition remembers (bounded by"
                            + " ingest.limits.max-producers-per-partition)").register(registry));
        }
        meters.put(topic.name(), created);
    }

    @Override
    public void hostingChanged(TopicRegistry.Topic before, TopicRegistry.Topic after) {
        topicDeleted(before);
        topicCreated(after);
    }

    @Override
    public void topicDeleted(TopicRegistry.Topic topic) {
        List<Meter> gone = meters.remove(topic.name());
        if (gone != null) {
            gone.forEach(registry::remove);
        }
    }
}
