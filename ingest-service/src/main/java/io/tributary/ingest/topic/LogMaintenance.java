package io.tributary.ingest.topic;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.log.LogCompactor;
import io.tributary.ingest.log.PartitionLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Background housekeeping of every partition: time-based flushes ({@code flush.ms}),
 * recovery-point checkpoints, retention and compaction. Each task catches its own failures so
 * one bad partition never stops the others.
 */
@Component
class LogMaintenance implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(LogMaintenance.class);

    private final TopicRegistry registry;
    private final IngestProperties.Maintenance settings;
    private volatile boolean running;
    private ScheduledFuture<?>[] tasks = new ScheduledFuture<?>[0];

    LogMaintenance(TopicRegistry registry, IngestProperties props) {
        this.registry = registry;
        this.settings = props.maintenance();
    }

    @Override
    public void start() {
        tasks = new ScheduledFuture<?>[] {
            every(settings.flushCheckInterval(), p -> p.maybeFlushByTime(System.currentTimeMillis())),
            every(settings.recoveryCheckpointInterval(), PartitionLog::checkpointRecoveryPoint),
            every(settings.retentionCheckInterval(), p -> {
                int deleted = p.enforceRetention(System.currentTimeMillis());
                if (deleted > 0) {
                    log.info("retention removed {} segments of {}; log now starts at {}", deleted, p, p.logStartOffset());
                }
            }),
            every(settings.compactionInterval(), p -> {
                LogCompactor.Stats stats = p.compact(System.currentTimeMillis());
                if (stats.segmentsRewritten() > 0) {
                    log.info("compacted {}: {} segments rewritten, {} records removed, {} -> {} bytes", p,
                            stats.segmentsRewritten(), stats.recordsRemoved(), stats.bytesBefore(), stats.bytesAfter());
                }
            })
        };
        running = true;
    }

    private ScheduledFuture<?> every(Duration interval, Consumer<PartitionLog> task) {
        long ms = interval.toMillis();
        return registry.scheduler().scheduleWithFixedDelay(() -> {
            for (TopicRegistry.Topic topic : registry.list()) {
                for (PartitionLog p : topic.hostedPartitions()) {
                    try {
                        task.accept(p);
                    } catch (RuntimeException e) {
                        log.warn("housekeeping of {} failed; will retry", p, e);
                    }
                }
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        for (ScheduledFuture<?> t : tasks) {
            t.cancel(false);
        }
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
