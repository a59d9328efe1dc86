package io.tributary.ingest.produce;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.client.Partitioner;
import io.tributary.ingest.cluster.ClusterOps;
import io.tributary.ingest.log.AppendResult;
import io.tributary.ingest.log.Bytes;
import io.tributary.ingest.log.LogRecord;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.log.PreparedBatch;
import io.tributary.ingest.log.ProducerFencedException;
import io.tributary.ingest.log.ProducerBatch;
import io.tributary.ingest.topic.TopicRegistry;
import org.springframework.stereotype.Service;

/**
 * Turns a produce request into one batch per partition and appends them.
 *
 * <p>All-or-nothing: every record is placed, every batch encoded and checked (size, keys on
 * compacted topics) before the first byte is written; a bad record fails the whole request
 * with nothing stored. Placement: an explicit partition wins; else a key hashes with Kafka's
 * murmur2; keyless records of one request all go to one partition, which rotates per request
 * (one batch instead of many small ones, as Kafka's sticky partitioner does).
 *
 * <p>Idempotence: with a producer id, record {@code i} of the request has sequence
 * {@code baseSequence + i}, or its own {@code sequence}; each partition's batch covers the
 * sequences of its first to its last record, so a retry of the request produces identical
 * batches that the log recognises.
 *
 * <p>{@code Idempotency-Key} on a cluster ({@link #produce(String, ProduceRequest, IdempotencyKey)}):
 * each batch carries the key into its partition's Raft entry, where the replicas remember it
 * (docs/replication.md). The keyless records of such a request go to a partition chosen from the
 * key instead of the rotation, so a retry through any node splits the same way: after a partial
 * write, only the partitions the first attempt missed are written.
 */
@Service
public class ProduceService {

    private final TopicRegistry topics;
    private final AtomicInteger keylessRotation = new AtomicInteger();
    private final MeterRegistry meters;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final ProducerIds producerIds;
    /** Appends to the local log, or through the partition's Raft group on a cluster. */
    private final ClusterOps cluster;

    public ProduceService(TopicRegistry topics, MeterRegistry meters, ProducerIds producerIds, ClusterOps cluster) {
        this.topics = topics;
        this.meters = meters;
        this.producerIds = producerIds;
        this.cluster = cluster;
    }

    public ProduceResponse produce(String topicName, ProduceRequest request) {
        return produce(topicName, request, null);
    }

    /**
     * A produce under an {@code Idempotency-Key} (null: none). On a single node the key changes
     * nothing here ({@link IdempotencyKeys} answers retries); on a cluster it places keyless records
     * and travels with every batch.
     */
    public ProduceResponse produce(String topicName, ProduceRequest request, IdempotencyKey key) {
        IdempotencyKey replicatedKey = cluster.replicated() ? key : null;
        TopicRegistry.Topic topic = topics.get(topicName);
        if (request.idempotent()) {
            // A re-initialised named producer fences its older epochs at once, not only on the
            // partitions its new epoch has written to yet.
            short latest = producerIds.latestEpoch(request.producerId());
            if (request.producerEpoch() < latest) {
                throw new ProducerFencedException(request.producerId(), request.producerEpoch(), latest);
            }
        }
        int partitions = topic.partitions().size();
        List<IncomingRecord> records = request.records();
        int[] placement = place(records, partitions, replicatedKey);

        List<List<Integer>> indexesByPartition = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            indexesByPartition.add(new ArrayList<>());
        }
        for (int i = 0; i < placement.length; i++) {
            indexesByPartition.get(placement[i]).add(i);
        }

        long now = System.currentTimeMillis();
        List<PreparedBatch> prepared = new ArrayList<>(partitions);
        long[] payloadBytes = new long[partitions];
        for (int p = 0; p < partitions; p++) {
            List<Integer> indexes = indexesByPartition.get(p);
            if (indexes.isEmpty()) {
                prepared.add(null);
                continue;
            }
            List<LogRecord> batch = new ArrayList<>(indexes.size());
            for (int i : indexes) {
                IncomingRecord r = records.get(i);
                batch.add(new LogRecord(r.key(), r.value(), r.headers(), r.timestamp() == IncomingRecord.NOW ? now
                        : r.timestamp()));
                payloadBytes[p] += r.value() == null ? 0 : r.value().length();
            }
            ProducerBatch identity = identityFor(request, indexes);
            // A partition hosted elsewhere is checked against the topic's config.
            PartitionLog log = topic.partitions().get(p);
            prepared.add(log != null ? log.prepare(batch, identity)
                    : PartitionLog.prepare(topicName, topic.config(), batch, identity));
        }

        if (request.idempotent()) {
            // Refuse a fenced epoch or a bad sequence on any partition before writing to any.
            // (Two concurrent requests of one producer could still interleave; a producer keeps
            // one request in flight per partition, as the client does.)
            for (int p = 0; p < partitions; p++) {
                if (prepared.get(p) != null && topic.hosts(p)) {
                    topic.partitions().get(p).checkProducer(prepared.get(p));
                }
            }
        }
        ProduceResponse.RecordOffset[] offsets = new ProduceResponse.RecordOffset[records.size()];
        AppendResult[] results = cluster.appendAll(topic, prepared.toArray(new PreparedBatch[0]), replicatedKey);
        long appended = 0;
        long appendedBytes = 0;
        for (int p = 0; p < partitions; p++) {
            AppendResult result = results[p];
            if (result == null) {
                continue;
            }
            List<Integer> indexes = indexesByPartition.get(p);
            for (int j = 0; j < indexes.size(); j++) {
                offsets[indexes.get(j)] = new ProduceResponse.RecordOffset(p, result.baseOffset() + j,
                        result.timestamps()[j]);
            }
            if (!result.duplicate()) { // a retry answered with its original offsets adds nothing to the log
                appended += indexes.size();
                appendedBytes += payloadBytes[p];
            }
        }
        counter("ingest.produce.records", topicName).increment(appended);
        counter("ingest.produce.bytes", topicName).increment(appendedBytes);
        return new ProduceResponse(List.of(offsets));
    }

    /**
     * Appends one batch of records that arrived already split by partition (a Kafka client's
     * produced batch), with the same checks as a REST produce: a fenced producer epoch, the
     * sequence, the batch size and keys on compacted topics. Timestamps are the records' own.
     *
     * <p>Does not wait for the append: when it returns, the batch has its place in the partition's
     * order, so a connection's next batch can be handed over while this one is on its way and the
     * two can share a Raft entry (the Kafka listener pipelines a producer's requests this way). The
     * producer's sequence is therefore checked where the batch is appended (the apply on a cluster),
     * not against this node's replica beforehand, which may not have applied the batch before it.
     *
     * @throws io.tributary.ingest.topic.UnknownTopicException no such topic or partition
     * @return the offsets, or exceptionally what a REST produce of the batch would have been refused with
     */
    public CompletableFuture<AppendResult> appendBatch(String topicName, int partition, List<LogRecord> records,
                                                       ProducerBatch producer) {
        TopicRegistry.Topic topic = topics.checkPartition(topicName, partition);
        if (producer.isIdempotent()) {
            short latest = producerIds.latestEpoch(producer.producerId());
            if (producer.producerEpoch() < latest) {
                throw new ProducerFencedException(producer.producerId(), producer.producerEpoch(), latest);
            }
        }
        PartitionLog log = topic.partitions().get(partition);
        PreparedBatch prepared = log != null ? log.prepare(records, producer)
                : PartitionLog.prepare(topicName, topic.config(), records, producer);
        int count = records.size();
        long payloadBytes = 0;
        for (LogRecord r : records) {
            payloadBytes += r.value() == null ? 0 : r.value().length();
        }
        long bytes = payloadBytes; // counted here, so that the records are not held until the answer
        return cluster.appendAsync(topic, partition, prepared).thenApply(result -> {
            if (!result.duplicate()) { // a retry answered with its original offsets adds nothing to the log
                counter("ingest.produce.records", topicName).increment(count);
                counter("ingest.produce.bytes", topicName).increment(bytes);
            }
            return result;
        });
    }

    private static ProducerBatch identityFor(ProduceRequest request, List<Integer> indexes) {
        if (!request.idempotent()) {
            return ProducerBatch.NONE;
        }
        int first = indexes.get(0);
        int last = indexes.get(indexes.size() - 1);
        if (request.perRecordSequences()) {
            return new ProducerBatch(request.producerId(), request.producerEpoch(),
                    request.records().get(first).sequence(), request.records().get(last).sequence());
        }
        return new ProducerBatch(request.producerId(), request.producerEpoch(), request.baseSequence() + first,
                request.baseSequence() + last);
    }

    private int[] place(List<IncomingRecord> records, int partitions, IdempotencyKey idempotencyKey) {
        int[] placement = new int[records.size()];
        int keyless = -1;
        for (int i = 0; i < placement.length; i++) {
            IncomingRecord r = records.get(i);
            if (r.partition() != IncomingRecord.ANY_PARTITION) {
                if (r.partition() >= partitions) {
                    throw new InvalidProduceRequestException("records[" + i + "].partition is " + r.partition()
                            + " but the topic has " + partitions + " partitions (numbered from 0)");
                }
                placement[i] = r.partition();
            } else if (r.key() != null) {
                Bytes key = r.key();
                placement[i] = Partitioner.partitionForKey(key.offset() == 0 && key.array().length == key.length() ? key.array()
                        : key.toArray(), partitions);
            } else {
                if (keyless < 0) {
                    // Under a replicated key: the same partition on every retry, through any node.
                    keyless = idempotencyKey != null
                            ? Partitioner.partitionForKey(idempotencyKey.id().getBytes(StandardCharsets.UTF_8), partitions)
                            : Math.floorMod(keylessRotation.getAndIncrement(), partitions);
                }
                placement[i] = keyless;
            }
        }
        return placement;
    }

    private Counter counter(String name, String topic) {
        // Looked up once per (name, topic): building and registering a meter on every request shows in profiles.
        return counters.computeIfAbsent(name + '\u0000' + topic,
                k -> Counter.builder(name).tag("topic", topic).register(meters));
    }
}
