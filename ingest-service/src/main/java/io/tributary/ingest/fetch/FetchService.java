package io.tributary.ingest.fetch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.ingest.cluster.ClusterOps;
import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.log.FetchResult;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.log.Record;
import io.tributary.ingest.log.RecordBatch;
import io.tributary.ingest.log.RegionFetchResult;
import io.tributary.ingest.log.StoredBatch;
import io.tributary.ingest.problem.ProblemException;
import io.tributary.problem.ProblemType;
import io.tributary.ingest.topic.TopicRegistry;
import jakarta.annotation.PreDestroy;
import org.springframework.stereotype.Service;

/**
 * Reads records for fetch requests and group polls, with long-polling: when nothing is there
 * yet, the request parks on the partitions' data futures (no thread held) and is completed by
 * a small pool when data arrives or the wait runs out. The pool keeps the follow-up read off
 * the producer's thread that made the data visible.
 */
@Service
public class FetchService {

    /** How often a waiting read of a partition held by other nodes looks again. */
    private static final long REMOTE_RECHECK_MS = 200;

    private final TopicRegistry topics;
    private final MeterRegistry meters;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final long maxWaitMs;
    private final ExecutorService completions;
    /** Says which partitions are hosted here, and reads the others from their replicas. */
    private final ClusterOps cluster;
    /** Fetches parked right now, bounded by ingest.limits.max-parked-fetches. */
    private final AtomicInteger parked = new AtomicInteger();
    private final int maxParked;
    private final Counter parkRefused;

    public FetchService(TopicRegistry topics, MeterRegistry meters, IngestProperties props, ClusterOps cluster) {
        this.cluster = cluster;
        this.topics = topics;
        this.meters = meters;
        this.maxWaitMs = props.fetch().maxWait().toMillis();
        this.maxParked = props.limits().maxParkedFetches();
        Gauge.builder("ingest.fetch.parked", parked, AtomicInteger::get)
                .description("long-poll fetches and polls waiting for data (bounded by ingest.limits.max-parked-fetches)")
                .register(meters);
        this.parkRefused = Counter.builder("ingest.fetch.parked.refused")
                .description("fetches answered at once because ingest.limits.max-parked-fetches were parked")
                .register(meters);
        this.completions = Executors.newFixedThreadPool(props.fetch().threads(),
                Thread.ofPlatform().name("fetch-completion-", 1).daemon().factory());
    }

    /**
     * A partition's bounds (log start, high watermark, log end) with no batches: from this node's
     * log, or on a cluster from a replica when this node hosts none.
     */
    public FetchResult bounds(String topic, int partition) {
        if (isRemote(topic, partition)) {
            return cluster.readFromReplica(topic, partition, -1, 0);
        }
        cluster.awaitCommitted(topics.get(topic), partition);
        PartitionLog log = topics.partition(topic, partition);
        return new FetchResult(List.of(), log.highWatermark(), log.logStartOffset(), log.logEndOffset());
    }

    /**
     * True when reads of the partition go to another node: this node hosts no replica of it (a
     * cluster topic with a smaller replication factor; it keeps no log of it) or its replica failed.
     *
     * @throws io.tributary.ingest.topic.UnknownTopicException no such topic or partition
     */
    private boolean isRemote(String topic, int partition) {
        return !cluster.servesReads(topics.checkPartition(topic, partition), partition);
    }

    /** Reads one partition now, without waiting. */
    public PartitionFetch read(FetchPosition position, int maxRecords, int maxBytes) {
        FetchResult result;
        if (isRemote(position.topic(), position.partition())) {
            result = cluster.readFromReplica(position.topic(), position.partition(), position.offset(), maxBytes);
        } else {
            PartitionLog log = topics.partition(position.topic(), position.partition());
            // Records below the local high watermark are final, but an answer that stops there may end
            // before what the leader acknowledged (a follower applies a little later).
            result = log.readConfirmed(position.offset(), maxRecords, maxBytes,
                    () -> cluster.awaitCommitted(topics.get(position.topic()), position.partition()));
        }
        List<Record> records = new ArrayList<>(Math.min(maxRecords, 1024));
        long next = position.offset();
        outer:
        for (RecordBatch batch : result.batches()) {
            for (Record r : batch) {
                if (r.offset() < position.offset()) {
                    continue;
                }
                if (records.size() >= maxRecords) {
                    break outer;
                }
                records.add(r);
                next = r.offset() + 1;
            }
            // A batch's tail may be compacted away; resume after its range either way.
            if (records.size() < maxRecords) {
                next = Math.max(next, batch.nextOffset());
            }
        }
        if (!records.isEmpty()) {
            long bytes = 0;
            for (Record r : records) {
                bytes += r.value() == null ? 0 : r.value().length();
            }
            counter("ingest.fetch.records", position.topic()).increment(records.size());
            counter("ingest.fetch.bytes", position.topic()).increment(bytes);
        }
        return new PartitionFetch(position.topic(), position.partition(), records, next, result.highWatermark(),
                topics.get(position.topic()).config().binaryValues());
    }

    /**
     * Reads one partition's stored batches from {@code position.offset()} on, up to about
     * {@code maxBytes} (the batch holding that offset comes whole, so it may start before it: the
     * caller skips the earlier records), with the partition's bounds. For the Kafka listener, which
     * sends batches as they are stored. Reads its writes like {@link #read}.
     *
     * @throws io.tributary.ingest.log.OffsetOutOfRangeException outside the partition's range
     * @throws io.tributary.ingest.topic.UnknownTopicException no such topic or partition
     */
    public FetchResult readBatches(FetchPosition position, int maxBytes) {
        FetchResult result;
        if (isRemote(position.topic(), position.partition())) {
            result = cluster.readFromReplica(position.topic(), position.partition(), position.offset(), maxBytes);
        } else {
            PartitionLog log = topics.partition(position.topic(), position.partition());
            result = log.readConfirmed(position.offset(), Long.MAX_VALUE, maxBytes,
                    () -> cluster.awaitCommitted(topics.get(position.topic()), position.partition()));
        }
        countRecords(position.topic(), result.batches());
        return result;
    }

    /**
     * {@link #readBatches} as regions of this node's segment files ({@link io.tributary.ingest.log.BatchRegion}),
     * for the Kafka listener, which sends them to the socket from the file. Only for a partition this
     * node hosts (the listener answers fetches on the leader only).
     *
     * @throws io.tributary.ingest.problem.ProblemException 503 partition-not-hosted when this node holds no replica
     */
    public RegionFetchResult readRegions(FetchPosition position, int maxBytes) {
        if (isRemote(position.topic(), position.partition())) {
            throw new ProblemException(ProblemType.PARTITION_NOT_HOSTED,
                    position.topic() + "-" + position.partition() + " has no replica on this node");
        }
        PartitionLog log = topics.partition(position.topic(), position.partition());
        RegionFetchResult result = log.readRegionsConfirmed(position.offset(), maxBytes,
                () -> cluster.awaitCommitted(topics.get(position.topic()), position.partition()));
        countRecords(position.topic(), result.regions());
        return result;
    }

    /** The records a fetch of stored batches answers, in {@code ingest.fetch.records}. */
    private void countRecords(String topic, List<? extends StoredBatch> batches) {
        long records = 0;
        for (StoredBatch b : batches) {
            records += b.recordCount();
        }
        if (records > 0) {
            counter("ingest.fetch.records", topic).increment(records);
        }
    }

    /**
     * The first offset whose record timestamp is at or after {@code timestamp} (the high watermark
     * when none is), after the same read barrier as {@link #bounds}.
     *
     * @throws io.tributary.ingest.problem.ProblemException 503 partition-not-hosted when this node
     *         holds no replica of it (a lookup by time reads the partition's time index)
     */
    public long offsetForTimestamp(String topic, int partition, long timestamp) {
        if (isRemote(topic, partition)) {
            throw new ProblemException(ProblemType.PARTITION_NOT_HOSTED,
                    topic + "-" + partition + " has no replica on this node");
        }
        bounds(topic, partition);
        return topics.partition(topic, partition).offsetForTimestamp(timestamp);
    }

    /**
     * Completes when any of the partitions has data at its position, or after {@code waitMs}
     * (capped by {@code ingest.fetch.max-wait}), whichever is first; at once when no parking slot
     * is free ({@code ingest.limits.max-parked-fetches}), as an empty long poll ends.
     */
    public CompletableFuture<Void> awaitAny(List<FetchPosition> positions, long waitMs) {
        long wait = Math.min(Math.max(waitMs, 0), maxWaitMs);
        if (wait == 0 || positions.isEmpty() || !tryPark()) {
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<Void>> arrivals = new ArrayList<>(positions.size());
        for (FetchPosition p : positions) {
            arrivals.add(isRemote(p.topic(), p.partition())
                    ? CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(REMOTE_RECHECK_MS,
                            TimeUnit.MILLISECONDS))
                    : topics.partition(p.topic(), p.partition()).awaitData(p.offset()));
        }
        return CompletableFuture.anyOf(arrivals.toArray(CompletableFuture[]::new))
                .completeOnTimeout(null, wait, TimeUnit.MILLISECONDS)
                .handleAsync((v, e) -> {
                    unpark();
                    arrivals.forEach(f -> f.cancel(false));
                    return (Void) null;
                }, completions);
    }

    /**
     * Reads one partition, waiting up to {@code waitMs} (capped by {@code ingest.fetch.max-wait})
     * for data when there is none at the offset yet.
     */
    public CompletableFuture<PartitionFetch> fetch(FetchPosition position, int maxRecords, int maxBytes, long waitMs) {
        return fetchMany(List.of(position), maxRecords, maxBytes, waitMs).thenApply(list -> list.get(0));
    }

    /**
     * Reads several partitions, sharing {@code maxRecords} and {@code maxBytes} among them in
     * order; when all are empty, waits until any has data or the wait runs out.
     */
    public CompletableFuture<List<PartitionFetch>> fetchMany(List<FetchPosition> positions, int maxRecords,
                                                             int maxBytes, long waitMs) {
        List<PartitionFetch> first = readAll(positions, maxRecords, maxBytes);
        if (waitMs <= 0 || positions.isEmpty() || first.stream().anyMatch(f -> !f.records().isEmpty())) {
            return CompletableFuture.completedFuture(first);
        }
        // Over the parking cap, awaitAny ends at once: the answer is then what is there (nothing), as if
        // the wait had run out; the client polls again, as after any empty long poll (Kafka-like, no error).
        return awaitAny(positions, waitMs).thenApply(ignored -> readAll(positions, maxRecords, maxBytes));
    }

    /**
     * Takes one of the {@code ingest.limits.max-parked-fetches} slots for a request about to wait
     * (fetches here, idle group polls in the coordinator); false, counted as refused, when none is
     * free: the caller then answers at once. A taken slot is given back with {@link #unpark()}.
     */
    public boolean tryPark() {
        if (parked.incrementAndGet() > maxParked) {
            parked.decrementAndGet();
            parkRefused.increment();
            return false;
        }
        return true;
    }

    public void unpark() {
        parked.decrementAndGet();
    }

    private List<PartitionFetch> readAll(List<FetchPosition> positions, int maxRecords, int maxBytes) {
        List<PartitionFetch> out = new ArrayList<>(positions.size());
        int recordsLeft = maxRecords;
        int bytesLeft = maxBytes;
        for (FetchPosition p : positions) {
            if (recordsLeft <= 0 || bytesLeft <= 0) {
                // Not read: the high watermark as known here (0 for a partition hosted elsewhere).
                out.add(new PartitionFetch(p.topic(), p.partition(), List.of(), p.offset(),
                        isRemote(p.topic(), p.partition()) ? 0 : topics.partition(p.topic(), p.partition())
                                .highWatermark()));
                continue;
            }
            PartitionFetch f = read(p, recordsLeft, bytesLeft);
            out.add(f);
            recordsLeft -= f.records().size();
            for (Record r : f.records()) {
                bytesLeft -= (r.value() == null ? 0 : r.value().length()) + (r.key() == null ? 0 : r.key().length());
            }
        }
        return out;
    }

    private Counter counter(String name, String topic) {
        return counters.computeIfAbsent(name + '\u0000' + topic,
                k -> Counter.builder(name).tag("topic", topic).register(meters));
    }

    @PreDestroy
    void shutdown() {
        completions.shutdownNow();
    }
}
