package io.tributary.ingest.log;

import java.time.Duration;

/**
 * Bounds on each partition's idempotent-producer memory ({@link ProducerStateTable}), the same
 * on every node of a cluster (both are node settings, {@code ingest.limits.*}).
 *
 * @param retention    an entry whose last write is older than this, by the partition's log time, is forgotten
 * @param maxProducers most producer ids one partition remembers; a new one beyond it evicts the entry written
 *                     longest ago
 * @param listener     told what was forgotten (metrics)
 */
public record ProducerStateLimits(Duration retention, int maxProducers, Listener listener) {

    /** Kafka's {@code producer.id.expiration.ms} is a day; a week covers a writer down over a weekend. */
    public static final ProducerStateLimits DEFAULTS = new ProducerStateLimits(Duration.ofDays(7), 1000, Listener.NONE);

    public ProducerStateLimits {
        if (retention == null || retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("producer-state retention must be positive, was " + retention);
        }
        if (maxProducers < 1) {
            throw new IllegalArgumentException("max producers per partition must be at least 1, was " + maxProducers);
        }
        if (listener == null) {
            listener = Listener.NONE;
        }
    }

    public ProducerStateLimits(Duration retention, int maxProducers) {
        this(retention, maxProducers, Listener.NONE);
    }

    /** Hears about entries a partition forgot; called under the partition's write lock, so it must be quick. */
    public interface Listener {

        Listener NONE = new Listener() {
        };

        /** {@code count} entries were forgotten because their last write was older than the retention. */
        default void expired(int count) {
        }

        /** One entry was forgotten to make room for a new producer id. */
        default void evicted() {
        }
    }
}
