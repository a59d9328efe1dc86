package io.tributary.analytics.runner;

import java.time.Duration;
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
import tools.jackson.core.JsonParser;

/**
 * Reads one batch of a job's source: one fetch per partition, all in flight at once and each
 * answer read on the HTTP client's threads ({@link IngestClient#fetchValuesAsync}), never past a
 * partition's end (available-now). Reading has no side effects, so a batch may be started before
 * the previous one commits and simply dropped when that commit fails.
 *
 * <p>A record whose value cannot be read (nested deeper than the parser allows, a number too long,
 * anything the job's reader throws on) makes the whole fetch answer unreadable. It never blocks the
 * partition: the reader notes which value of the answer failed, the records before it are fetched
 * again on their own ({@code maxRecords} = their count) and make up this batch's share of the
 * partition, and when the unreadable record is the first one it is confirmed with a one-record fetch
 * and skipped ({@link Batch#unreadable()}; the job counts it invalid). Offsets are taken as dense: on
 * a compacted topic, an unreadable record right after offsets removed by compaction is counted once
 * per missing offset before it.
 */
final class PartitionReader {

    /**
     * @param values     what the reader made of the records, partition by partition in offset order
     * @param next       the position after the batch, per partition
     * @param unreadable records skipped because their value could not be read
     */
    record Batch<T>(List<T> values, Map<Integer, Long> next, long unreadable) {
    }

    /** Thrown by a {@link Guarded} reader: value {@code index} of the answer could not be read. */
    static final class UnreadableValueException extends RuntimeException {
        final int index;

        UnreadableValueException(int index, RuntimeException cause) {
            super("value " + index + " of the fetch answer is unreadable: " + cause.getMessage(), cause);
            this.index = index;
        }
    }

    /**
     * Counts the values it reads and turns any failure inside one into an
     * {@link UnreadableValueException} naming it (not a Jackson exception, so the answer reader
     * does not mistake it for a broken answer).
     */
    static final class Guarded<T> implements ValueReader<T> {
        private final ValueReader<T> reader;
        private int read;

        Guarded(ValueReader<T> reader) {
            this.reader = reader;
        }

        @Override
        public T read(JsonParser value) {
            try {
                T result = reader.read(value);
                read++;
                return result;
            } catch (RuntimeException e) {
                throw new UnreadableValueException(read, e);
            }
        }
    }

    private PartitionReader() {
    }

    /** A batch whose fetches are in flight; {@link #await} collects it. */
    static final class Pending<T> {
        private final IngestClient ingest;
        private final String topic;
        private final Map<Integer, Long> positions;
        private final Map<Integer, Long> ends;
        private final Map<Integer, CompletableFuture<ValueFetch<T>>> fetches;
        private final int maxBytes;
        private final ValueReader<T> reader;

        private Pending(IngestClient ingest, String topic, Map<Integer, Long> positions, Map<Integer, Long> ends,
                        Map<Integer, CompletableFuture<ValueFetch<T>>> fetches, int maxBytes, ValueReader<T> reader) {
            this.ingest = ingest;
            this.topic = topic;
            this.positions = Map.copyOf(positions);
            this.ends = ends;
            this.fetches = fetches;
            this.maxBytes = maxBytes;
            this.reader = reader;
        }

        /** The positions this batch reads from. */
        Map<Integer, Long> positions() {
            return positions;
        }

        Batch<T> await() {
            List<T> values = new ArrayList<>();
            Map<Integer, Long> next = new TreeMap<>(positions);
            long unreadable = 0;
            for (Map.Entry<Integer, CompletableFuture<ValueFetch<T>>> entry : fetches.entrySet()) {
                int partition = entry.getKey();
                long end = end(ends, partition);
                long position = positions.get(partition);
                ValueFetch<T> fetched;
                try {
                    fetched = join(entry.getValue());
                } catch (UnreadableValueException e) {
                    fetched = isolate(partition, position, e.index);
                    if (fetched == null) { // the first record is unreadable: skip it
                        unreadable++;
                        next.put(partition, position + 1);
                        continue;
                    }
                }
                long[] offsets = fetched.offsets();
                for (int i = 0; i < offsets.length && offsets[i] < end; i++) {
                    values.add(fetched.values().get(i));
                    position = offsets[i] + 1;
                }
                next.put(partition, Math.max(position, Math.min(fetched.nextOffset(), end)));
            }
            return new Batch<>(values, next, unreadable);
        }

        /**
         * The readable records before the unreadable value {@code failed} of an answer from
         * {@code position}; null when the record at {@code position} itself is unreadable (confirmed
         * by fetching it alone).
         */
        private ValueFetch<T> isolate(int partition, long position, int failed) {
            TopicPartition tp = new TopicPartition(topic, partition);
            int count = Math.max(1, failed);
            while (true) {
                try {
                    return join(ingest.fetchValuesAsync(tp, position, new FetchOptions(count, maxBytes, Duration.ZERO),
                            new Guarded<>(reader)));
                } catch (UnreadableValueException again) {
                    if (again.index == 0) {
                        return null;
                    }
                    count = again.index; // fewer than asked: a record before the first one failed
                }
            }
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
        FetchOptions options = new FetchOptions(share, maxBytes, Duration.ZERO);
        positions.forEach((partition, position) -> {
            if (position < end(ends, partition)) {
                fetches.put(partition, ingest.fetchValuesAsync(new TopicPartition(topic, partition), position,
                        options, new Guarded<>(reader)));
            }
        });
        return new Pending<>(ingest, topic, positions, ends, fetches, maxBytes, reader);
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
