package io.tributary.client.producer;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.client.IngestClient;
import io.tributary.client.IngestException;
import io.tributary.client.ProblemKind;
import io.tributary.client.ProducerIdentity;
import io.tributary.client.TopicPartition;
import io.tributary.client.internal.HttpTransport;
import io.tributary.client.internal.Json;

/**
 * An asynchronous, batching, idempotent producer. Thread-safe: any number of threads may call
 * {@link #send}.
 *
 * <p>Records are routed to a partition on the client ({@link io.tributary.client.Partitioner} for
 * keyed records, round-robin otherwise), collected into per-partition batches and sent by a
 * background thread when a batch is full ({@code batchSize} / {@code maxBatchBytes}) or has
 * waited {@code linger}. Each partition has at most one request in flight, which keeps the
 * order of records per partition.
 *
 * <p>With idempotence (the default) the producer registers a producer id at start and gives each
 * batch a base sequence once; retries resend the same sequence, so the service never writes a
 * batch twice. Network failures, 5xx answers and problems marked {@code retriable} are retried
 * with exponential backoff; other problems fail the batch's futures with an
 * {@link IngestException}. A {@code duplicate-sequence} answer means the batch was already
 * written by an earlier attempt: its futures complete normally with {@link RecordMetadata#UNKNOWN}
 * offsets. A {@code producer-fenced} answer is final: later sends fail with the same exception.
 *
 * <p>For a named producer ({@link ProducerSettings#producerName()}) the service remembers
 * sequences across epochs, so each epoch numbers its batches from {@code epoch << 32}: a new
 * instance always continues above what its predecessors sent, without asking the service.
 */
public final class IngestProducer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IngestProducer.class);

    private final ProducerSettings settings;
    private final ProducerIdentity identity;
    private final SequenceCounters sequences;
    private final PartitionRouter router;
    private final MemoryLimiter memory;
    private final RecordAccumulator accumulator;
    private final BatchDispatcher dispatcher;
    private final ScheduledExecutorService retryScheduler;
    private final Thread sender;
    private volatile IngestException fatalError;
    private volatile boolean closed;

    private IngestProducer(ProducerSettings settings) {
        this.settings = settings;
        HttpTransport transport = new HttpTransport(settings.client());
        IngestClient client = IngestClient.create(settings.client());
        this.identity = settings.idempotent() ? client.initProducer(settings.producerName()) : null;
        long firstSequence = identity != null && settings.producerName() != null
                ? (long) identity.producerEpoch() << 32 : 0;
        this.sequences = new SequenceCounters(firstSequence);
        this.router = new PartitionRouter(topic -> client.describeTopic(topic).partitions(), settings.metadataMaxAge());
        this.memory = new MemoryLimiter(settings.bufferMemory());
        this.accumulator = new RecordAccumulator(settings.batchSize(), settings.maxBatchBytes(), settings.linger());
        this.retryScheduler = Executors.newSingleThreadScheduledExecutor(daemon("ingest-producer-retry"));
        this.dispatcher = new BatchDispatcher(transport, settings, retryScheduler);
        this.sender = daemon("ingest-producer-sender").newThread(this::runSender);
        sender.start();
    }

    /**
     * Creates a producer and, when idempotent, registers its producer id (a blocking call).
     *
     * @throws IngestException when the producer id cannot be obtained
     */
    public static IngestProducer create(ProducerSettings settings) {
        return new IngestProducer(settings);
    }

    /**
     * Queues a record for sending. Blocks only to look up a topic's partition count the first
     * time, or up to {@code maxBlock} when {@code bufferMemory} is used up.
     *
     * @return completes with the record's offset once its batch is written, or exceptionally
     *         with an {@link IngestException}, a {@link BufferExhaustedException} or an
     *         {@link IllegalArgumentException} for a value that is not valid JSON
     * @throws IllegalStateException when the producer is closed
     */
    public CompletableFuture<RecordMetadata> send(String topic, ProducerRecord record) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(record, "record");
        if (closed) {
            throw new IllegalStateException("producer is closed");
        }
        CompletableFuture<RecordMetadata> future = new CompletableFuture<>();
        try {
            if (fatalError != null) {
                throw fatalError;
            }
            Json.requireSingleValue(record.valueJson());
            TopicPartition partition = new TopicPartition(topic, router.partitionFor(topic, record));
            int bytes = record.estimatedBytes();
            memory.acquire(bytes, settings.maxBlock());
            try {
                accumulator.append(partition, record, bytes, future);
            } catch (RuntimeException e) {
                memory.release(bytes);
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.completeExceptionally(e);
        } catch (RuntimeException e) {
            future.completeExceptionally(e);
        }
        return future;
    }

    /**
     * Sends records to one partition as a single request under an identity and base sequence the
     * caller chooses ("derived sequences", e.g. from source offsets). Record {@code i} gets
     * sequence {@code baseSequence + i}. Retries follow the producer's settings and resend the
     * same sequence, so a batch is written at most once. This bypasses batching and the buffer
     * limit; to keep order, wait for one batch of a partition before sending the next.
     *
     * @param identity from {@link IngestClient#initProducer(String)}
     * @return the offsets in record order ({@link RecordMetadata#UNKNOWN} for an old duplicate)
     */
    public CompletableFuture<List<RecordMetadata>> sendBatch(String topic, int partition, List<ProducerRecord> records,
                                                             ProducerIdentity identity, long baseSequence) {
        Objects.requireNonNull(identity, "identity");
        if (closed) {
            throw new IllegalStateException("producer is closed");
        }
        try {
            records.forEach(record -> Json.requireSingleValue(record.valueJson()));
            TopicPartition target = new TopicPartition(topic, partition);
            ProduceRequest request = ProduceRequest.encode(target, records, settings.acks(), identity, baseSequence, null);
            return dispatcher.dispatch(ProducerBatch.of(target, records), request);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Sends records to one partition as a single request under the caller's identity, each record
     * with its own sequence ({@link SequencedRecord#sequence()}, e.g. its source offset; gaps are
     * allowed, they must increase). Retries and duplicate handling are as for
     * {@link #sendBatch}. A batch whose sequences overlap what the identity already wrote fails
     * with an {@link IngestException} of kind {@link ProblemKind#OUT_OF_ORDER_SEQUENCE}; ask
     * {@link IngestClient#lastSequences} what is there and send the rest.
     *
     * @param identity from {@link IngestClient#initProducer(String)}
     * @return the offsets in record order ({@link RecordMetadata#UNKNOWN} for an old duplicate)
     */
    public CompletableFuture<List<RecordMetadata>> sendSequenced(String topic, int partition,
                                                                 List<SequencedRecord> records,
                                                                 ProducerIdentity identity) {
        Objects.requireNonNull(identity, "identity");
        if (closed) {
            throw new IllegalStateException("producer is closed");
        }
        try {
            if (records.isEmpty()) {
                throw new IllegalArgumentException("no records to send");
            }
            records.forEach(record -> Json.requireSingleValue(record.record().valueJson()));
            TopicPartition target = new TopicPartition(topic, partition);
            ProduceRequest request = ProduceRequest.encodeSequenced(target, records, settings.acks(), identity);
            return dispatcher.dispatch(ProducerBatch.of(target, records.stream().map(SequencedRecord::record).toList()),
                    request);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * As {@link #sendSequenced}, for values the caller holds as Jackson trees (e.g. records it
     * transformed): each tree is written straight into the request body, which spares turning
     * every value into a string and checking that string again.
     *
     * @param identity from {@link IngestClient#initProducer(String)}
     * @return the offsets in record order ({@link RecordMetadata#UNKNOWN} for an old duplicate)
     */
    public CompletableFuture<List<RecordMetadata>> sendSequencedTrees(String topic, int partition,
                                                                      List<SequencedTree> records,
                                                                      ProducerIdentity identity) {
        Objects.requireNonNull(identity, "identity");
        if (closed) {
            throw new IllegalStateException("producer is closed");
        }
        try {
            if (records.isEmpty()) {
                throw new IllegalArgumentException("no records to send");
            }
            TopicPartition target = new TopicPartition(topic, partition);
            ProduceRequest request = TreeRequestEncoder.encode(target, records, settings.acks(), identity);
            // The batch's records only provide timestamps for the answer to an old duplicate.
            List<ProducerRecord> stamps = records.stream()
                    .map(record -> new ProducerRecord(record.key(), null, Map.of(), partition, record.timestamp()))
                    .toList();
            return dispatcher.dispatch(ProducerBatch.of(target, stamps), request);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The registered identity, empty when idempotence is off. */
    public Optional<ProducerIdentity> identity() {
        return Optional.ofNullable(identity);
    }

    /**
     * Sends every record accepted so far without waiting for linger and blocks until each has
     * completed (successfully or not).
     */
    public void flush() {
        List<CompletableFuture<?>> pending = accumulator.sealAll();
        CompletableFuture.allOf(pending.stream()
                .map(future -> future.handle((result, error) -> null))
                .toArray(CompletableFuture[]::new)).join();
    }

    /**
     * Stops accepting records, delivers everything already accepted (retrying up to
     * {@code deliveryTimeout}) and stops the background threads. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        accumulator.close();
        try {
            sender.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        retryScheduler.shutdown();
    }

    private void runSender() {
        try {
            List<ProducerBatch> ready;
            while ((ready = accumulator.awaitReady()) != null) {
                ready.forEach(this::start);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("Producer sender stopped unexpectedly", e);
        }
    }

    private void start(ProducerBatch batch) {
        batch.done().whenComplete((metadata, error) -> {
            if (error instanceof IngestException ingest && ingest.kind() == ProblemKind.PRODUCER_FENCED) {
                fatalError = ingest;
            }
            memory.release(batch.bytes());
            accumulator.completed(batch);
            batch.markSettled();
        });
        try {
            dispatcher.dispatch(batch, requestFor(batch));
        } catch (RuntimeException e) {
            batch.fail(e);
        }
    }

    /** Fixes the batch's sequence (or idempotency key) once; retries reuse the request. */
    private ProduceRequest requestFor(ProducerBatch batch) {
        List<ProducerRecord> records = batch.records();
        if (identity != null) {
            long baseSequence = sequences.reserve(batch.partition(), records.size());
            return ProduceRequest.encode(batch.partition(), records, settings.acks(), identity, baseSequence, null);
        }
        return ProduceRequest.encode(batch.partition(), records, settings.acks(), null, 0, UUID.randomUUID().toString());
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
