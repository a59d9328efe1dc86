package io.tributary.ingest.replication;

import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import io.tributary.ingest.topic.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Conditional;
import org.springframework.stereotype.Component;

/**
 * The partitions whose local replica failed while applying a committed entry or taking a snapshot (a
 * storage error: the partition log could not be written or flushed). Ratis closes such a replica's group
 * member (its state machine updater stops), so the other replicas go on without it, electing a
 * new leader if it led. This node then
 * <ul>
 *   <li>reports itself not ready ({@code /actuator/health/readiness} 503), so that a load balancer
 *       or a Kubernetes Service stops sending it clients, and shows the failed partitions in
 *       {@code /actuator/health} (component {@code replicas}, DOWN);</li>
 *   <li>no longer serves the partition from its own log: reads of it are answered by a healthy
 *       replica, as for a partition it does not host ({@link ReplicaReads}).</li>
 * </ul>
 * A restart (after the disk is repaired or replaced) rebuilds the replica from its log and the
 * leader. Failures are not remembered across restarts.
 */
@Component("replicas")
@Conditional(ReplicationEnabledCondition.class)
public class FailedReplicas implements HealthIndicator {

    private static final Logger log = LoggerFactory.getLogger(FailedReplicas.class);

    private final Map<TopicPartition, String> failures = new ConcurrentHashMap<>();
    private final ApplicationEventPublisher events;

    FailedReplicas(ApplicationEventPublisher events) {
        this.events = events;
    }

    /** Records that the local replica of {@code tp} failed; the first failure of a partition is kept. */
    void markFailed(TopicPartition tp, Throwable cause) {
        if (failures.putIfAbsent(tp, cause.getClass().getSimpleName() + ": " + cause.getMessage()) == null) {
            log.error("the replica of {} on this node failed in its storage and left its group; this node reports"
                    + " itself not ready and reads of {} go to the other replicas", tp, tp, cause);
            AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
        }
    }

    /** True when the local replica of the partition failed (serve it from another replica). */
    public boolean hasFailed(String topic, int partition) {
        return !failures.isEmpty() && failures.containsKey(new TopicPartition(topic, partition));
    }

    /** The partitions whose local replica failed, in topic and partition order. */
    public SortedSet<TopicPartition> failed() {
        return new TreeSet<>(failures.keySet());
    }

    @Override
    public Health health() {
        if (failures.isEmpty()) {
            return Health.up().build();
        }
        Map<String, String> details = new TreeMap<>();
        failures.forEach((tp, why) -> details.put(tp.topic() + "-" + tp.partition(), why));
        return Health.down().withDetail("failedReplicas", details).build();
    }
}
