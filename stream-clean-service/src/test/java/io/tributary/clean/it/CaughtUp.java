package io.tributary.clean.it;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import io.tributary.client.IngestClient;
import tools.jackson.databind.JsonNode;

/**
 * The positive sign that a pipeline has done everything its source holds now, instead of sleeping and hoping nothing
 * more arrives: on every source partition its committed offset (the status' {@code partitions}) has reached the
 * partition's end. A worker commits only after its outputs were acknowledged, so from then on every output exists
 * and no more can come.
 */
final class CaughtUp {

    private CaughtUp() {
    }

    /** Waits until the pipeline whose status {@code status} reads has committed the whole of {@code source}. */
    static void await(IngestClient client, String source, Callable<JsonNode> status) {
        await(client, source, Duration.ofSeconds(60), status);
    }

    /** As above, waiting at most {@code limit}. */
    static void await(IngestClient client, String source, Duration limit, Callable<JsonNode> status) {
        Map<Integer, Long> ends = new HashMap<>();
        client.describeTopic(source).partitionDetails().forEach(d -> ends.put(d.partition(), d.highWatermark()));
        AtomicReference<JsonNode> last = new AtomicReference<>();
        try {
            Awaitility.await("committed up to " + ends + " of " + source).atMost(limit)
                    .pollInterval(Duration.ofMillis(200)).until(() -> {
                        JsonNode now = status.call();
                        last.set(now);
                        Map<Integer, Long> committed = new HashMap<>();
                        // a partition never committed reports -1: caught up only if it is empty
                        now.path("partitions").forEach(p -> committed.put(p.path("partition").asInt(),
                                Math.max(0, p.path("committedOffset").asLong())));
                        return committed.equals(ends);
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "; last status: " + last.get(), e);
        }
    }
}
