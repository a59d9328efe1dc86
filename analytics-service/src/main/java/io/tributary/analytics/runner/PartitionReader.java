package io.tributary.analytics.runner;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.tributary.client.FetchOptions;
import io.tributary.client.IngestClient;
import io.tributary.client.TopicPartition;
import io.tributary.client.ValueFetch;
import io.tributary.client.ValueReader;

/**
 * Reads one batch of a job's source: one fetch per partition, all in flight at once and each
 * answer read on the HTTP client's threads ({@link IngestClient#fetchValuesAsync}), never past a
 * partition's end (available-now). Reading has no side effects, so a batch may be started before
 * the previous one commits and simply dropped when that commit fails.
 */
final class PartitionReader {

    /**
     * @param values what the reader made of the records, partition by partition in offset order
     * @param next   the position after the batch, per partition
     */
    record Batch<T>(List<T> values, Map<Integer, Long> next) {
    }

    private PartitionReader() {
    }

    /** A batch whose fetches are in flight; {@link #await} collects it. */
    static final class Pending<T> {
        private final Map<Integer, Long> positions;
        private final Map<Integer, Long> ends;
        private final Map<Integer, CompletableFuture<ValueFetch<T>>> fetches;

        private Pending(Map<Integer, Long> positions, Map<Integer, Long> ends,
                        Map<Integer, CompletableFuture<ValueFetch<T>>> fetches) {
            this.positions = Map.copyOf(positions);
            this.ends = ends;
            this.fetches = fetches;
        }

        /** The positions this batch reads from. */
        Map<Integer, Long> positions() {
            return positions;
        }

        Batch<T> await() {
            List<T> values = new ArrayList<>();
            Map<Integer, Long> next = new TreeMap<>(positions);
            for (Map.Entry<Integer, CompletableFuture<ValueFetch<T>>> entry : fetches.entrySet()) {
                int partition = entry.getKey();
                long end = end(ends, partition);
                ValueFetch<T> fetched = join(entry.getValue());
                long position = positions.get(partition);
                long[] offsets = fetched.offsets();
                for (int i = 0; i < offsets.length && offsets[i] < end; i++) {
                    values.add(fetched.values().get(i));
                    position = offsets[i] + 1;
                }
                next.put(partition, Math.max(position, Math.min(fetched.nextOffset(), end)));
            }
            return new Batch<>(values, next);
        }

        /** Drops the batch (its answers are read and thrown away). */
        void cancel() {
            fetches.values().forEach(fetch -> fetch.cancel(true));
        }
    }

    /**
     * Sends the batch's fetches, one per partition that has not reached its end.
     *
     * @param ends  exclusive end per partition, or null for none
     * @param share records asked from each partition
     */
    static <T> Pending<T> start(IngestClient ingest, String topic, Map<Integer, Long> positions,
                                Map<Integer, Long> ends, int share, int maxBytes, ValueReader<T> reader) {
        Map<Integer, CompletableFuture<ValueFetch<T>>> fetches = new TreeMap<>();
        FetchOptions options = new FetchOptions(share, maxBytes, java.time.Duration.ZERO);
        positions.forEach((partition, position) -> {
            if (position < end(ends, partition)) {
                fetches.put(partition, ingest.fetchValuesAsync(new TopicPartition(topic, partition), position,
                        options, reader));
            }
        });
        return new Pending<>(positions, ends, fetches);
    }

    private static long end(Map<Integer, Long> ends, int partition) {
        return ends == null ? Long.MAX_VALUE : ends.get(partition);
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }
}
