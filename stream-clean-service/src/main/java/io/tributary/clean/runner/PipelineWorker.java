package io.tributary.clean.runner;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.clean.config.CleanProperties;
import io.tributary.clean.dedupe.DedupeClaim;
import io.tributary.clean.dedupe.DedupeSave;
import io.tributary.clean.dedupe.DedupeStore;
import io.tributary.clean.process.Outcome;
import io.tributary.client.ClientSettings;
import io.tributary.client.ConsumedRecord;
import io.tributary.client.IngestException;
import io.tributary.client.Partitioner;
import io.tributary.client.ProblemKind;
import io.tributary.client.ProducerIdentity;
import io.tributary.client.TopicDescription;
import io.tributary.client.TopicPartition;
import io.tributary.client.consumer.AutoOffsetReset;
import io.tributary.client.consumer.CommitFailedException;
import io.tributary.client.consumer.ConsumerSettings;
import io.tributary.client.consumer.GroupConsumer;
import io.tributary.client.consumer.RebalanceListener;
import io.tributary.client.consumer.WakeupException;
import io.tributary.client.producer.ProducerRecord;
import io.tributary.client.producer.SequencedRecord;
import tools.jackson.databind.json.JsonMapper;

/**
 * One member of a pipeline's consumer group ({@code clean-<pipeline>}), on its own thread.
 *
 * <p><b>Exactly once.</b> Each owned source partition writes under its own named producer
 * ({@link PipelineDefinition#producerName}); taking a partition over bumps that producer's epoch,
 * fencing any previous owner still writing. Every output record (to the sink or the dead-letter
 * topic) is sent to an explicit partition (the key's murmur2 partition, or the source partition
 * modulo the partition count for keyless records — so a replay picks the same one) with
 * {@code sequence} = its source offset. Before the first write the worker asks what that
 * producer already wrote to each target partition and skips outputs at or below it; the log
 * itself refuses overlapping writes. Source offsets are committed only after every write of the
 * poll was acknowledged. So after a crash anywhere, the records after the committed offset are
 * processed again, and what was already written is skipped rather than duplicated.
 *
 * <p><b>Failures.</b> Any failure while processing (ingest unavailable after retries, fenced
 * by a newer owner, a rebalance in the middle) abandons the uncommitted work: the consumer
 * leaves the group, the worker backs off and joins again, continuing from committed offsets.
 */
final class PipelineWorker implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineWorker.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MAX_REASON_CHARS = 1_000;
    private static final Duration LAG_INTERVAL = Duration.ofSeconds(2);
    private static final int SENDER_THREADS = 8;

    private final PipelineDefinition pipeline;
    private final int index;
    private final IngestGateway ingest;
    private final DedupeStore dedupeStore;
    private final PipelineRuntime runtime;
    private final CleanProperties.Runner settings;
    private final ClientSettings client;
    private final Object sleeper = new Object();
    private final Map<Integer, PartitionState> partitions = new HashMap<>();
    private final Map<Integer, Long> committed = new HashMap<>();
    /** Sends a poll's batches concurrently; the worker thread waits for all of them. */
    private final ExecutorService senders;
    private volatile boolean stopping;
    private volatile GroupConsumer consumer;
    private int sinkPartitions;
    private int deadLetterPartitions;
    private long nextLagCheck;

    PipelineWorker(PipelineDefinition pipeline, int index, IngestGateway ingest, DedupeStore dedupeStore,
                   PipelineRuntime runtime, CleanProperties.Runner settings, ClientSettings client) {
        this.pipeline = pipeline;
        this.index = index;
        this.ingest = ingest;
        this.dedupeStore = dedupeStore;
        this.runtime = runtime;
        this.settings = settings;
        this.client = client;
        this.senders = Executors.newFixedThreadPool(SENDER_THREADS, runnable -> {
            Thread thread = new Thread(runnable, "clean-" + pipeline.name() + "-" + index + "-sender");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Makes the worker finish its current batch, leave the group and end. Any thread. */
    void stop() {
        stopping = true;
        GroupConsumer current = consumer;
        if (current != null) {
            current.wakeup();
        }
        synchronized (sleeper) {
            sleeper.notifyAll();
        }
    }

    @Override
    public void run() {
        long backoffMillis = 250;
        while (!stopping) {
            try {
                prepareTopics();
                consume();
            } catch (WakeupException e) {
                // stop() was called
            } catch (SourceMissingException e) {
                report(WorkerState.WAITING_FOR_SOURCE, e.getMessage());
            } catch (IngestUnavailableException e) {
                report(WorkerState.INGEST_UNAVAILABLE, e.getMessage());
            } catch (IngestException e) {
                if (e.retriable() || e.kind() == ProblemKind.NETWORK) {
                    // From the group consumer, whose calls do not go through the gateway.
                    report(WorkerState.INGEST_UNAVAILABLE, "ingest service unavailable: " + e.getMessage());
                } else {
                    LOG.warn("Pipeline {} worker {} failed; restarting from committed offsets", pipeline.name(), index,
                            e);
                    report(WorkerState.FAILING, e.getMessage());
                }
            } catch (RuntimeException e) {
                LOG.warn("Pipeline {} worker {} failed; restarting from committed offsets", pipeline.name(), index, e);
                report(WorkerState.FAILING, e.toString());
            } finally {
                closeConsumer();
            }
            if (!stopping) {
                pause(backoffMillis);
                backoffMillis = Math.min(backoffMillis * 2, 5_000);
            }
        }
        senders.shutdown();
        runtime.state(index, WorkerState.STOPPED);
    }

    private void prepareTopics() {
        TopicDescription source;
        try {
            source = ingest.describeTopic(pipeline.source());
        } catch (IngestException e) {
            if (e.kind() == ProblemKind.NOT_FOUND) {
                throw new SourceMissingException("source topic " + pipeline.source() + " does not exist");
            }
            throw e;
        }
        sinkPartitions = ingest.ensureTopic(pipeline.sink(), source.partitions()).partitions();
        deadLetterPartitions = ingest.ensureTopic(pipeline.deadLetter(), source.partitions()).partitions();
    }

    private void consume() {
        ConsumerSettings consumerSettings = ConsumerSettings.builder(client, pipeline.group(), List.of(pipeline.source()))
                .autoOffsetReset(AutoOffsetReset.EARLIEST)
                .maxPollRecords(settings.maxPollRecords())
                .pollWait(settings.pollWait())
                .sessionTimeout(settings.sessionTimeout())
                .heartbeatInterval(settings.heartbeatInterval())
                .build();
        consumer = new GroupConsumer(consumerSettings, new Listener());
        if (stopping) {
            return;
        }
        while (!stopping) {
            List<ConsumedRecord> records = consumer.poll(settings.pollWait());
            runtime.state(index, WorkerState.RUNNING);
            if (!records.isEmpty()) {
                Map<TopicPartition, Long> next = process(records);
                try {
                    consumer.commitSync(next);
                    next.forEach((tp, offset) -> committed.put(tp.partition(), offset));
                } catch (CommitFailedException e) {
                    // Written already; whoever owns the partitions now skips those outputs.
                    LOG.info("Pipeline {} worker {}: commit refused after a rebalance: {}", pipeline.name(), index,
                            e.getMessage());
                }
            }
            updateLag();
        }
    }

    /** Runs the steps, writes the outputs, and returns the offsets to commit. */
    private Map<TopicPartition, Long> process(List<ConsumedRecord> records) {
        Map<Integer, List<ConsumedRecord>> bySource = new LinkedHashMap<>();
        for (ConsumedRecord record : records) {
            bySource.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record);
        }
        Map<TopicPartition, Long> next = new HashMap<>();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (Map.Entry<Integer, List<ConsumedRecord>> entry : bySource.entrySet()) {
            int sourcePartition = entry.getKey();
            PartitionState state = partitions.computeIfAbsent(sourcePartition, this::takeOver);
            Map<Target, List<SequencedRecord>> batches = new LinkedHashMap<>();
            for (ConsumedRecord record : entry.getValue()) {
                if (state.processedBefore(record.offset())) {
                    continue;
                }
                Outcome outcome = pipeline.processor().process(record.key(), record.value(), record.headers(),
                        record.timestamp(), record.offset(), state.keyMemory());
                runtime.metrics().record(outcome);
                ProducerRecord output = toOutput(record, outcome);
                if (output == null) {
                    continue;
                }
                String topic = outcome instanceof Outcome.Output ? pipeline.sink() : pipeline.deadLetter();
                int partitionCount = outcome instanceof Outcome.Output ? sinkPartitions : deadLetterPartitions;
                int partition = record.key() == null ? sourcePartition % partitionCount
                        : Partitioner.partitionForKey(record.key(), partitionCount);
                if (state.written(topic, partition, record.offset())) {
                    runtime.metrics().alreadyWritten();
                } else {
                    batches.computeIfAbsent(new Target(topic, partition), t -> new ArrayList<>())
                            .add(new SequencedRecord(output.withPartition(partition), record.offset()));
                }
            }
            for (Map.Entry<Target, List<SequencedRecord>> batch : batches.entrySet()) {
                Target target = batch.getKey();
                List<SequencedRecord> sequenced = batch.getValue();
                writes.add(CompletableFuture.runAsync(() -> {
                    ingest.send(target.topic(), target.partition(), sequenced, state.identity());
                    state.wrote(target.topic(), target.partition(), sequenced.get(sequenced.size() - 1).sequence());
                }, senders));
            }
            List<ConsumedRecord> done = entry.getValue();
            next.put(new TopicPartition(pipeline.source(), sourcePartition), done.get(done.size() - 1).offset() + 1);
        }
        awaitAll(writes);
        saveDedupeState(next);
        return next;
    }

    /**
     * After the sink acknowledged the poll and before the group commit: stores what the dedupe
     * steps learned, with the offsets they are complete up to, in one transaction.
     */
    private void saveDedupeState(Map<TopicPartition, Long> next) {
        if (pipeline.processor().dedupeStates().isEmpty()) {
            return;
        }
        List<DedupeSave> saves = new ArrayList<>();
        next.forEach((tp, nextOffset) -> {
            PartitionState state = partitions.get(tp.partition());
            Map<String, DedupeSave.StateChanges> changes = new HashMap<>();
            state.keyMemory().states().forEach((name, keys) ->
                    changes.put(name, new DedupeSave.StateChanges(keys.drainChanges(), keys.newestTimestamp())));
            // A poll of only records skipped as processed before must not move the stored offset back.
            saves.add(new DedupeSave(state.dedupe(), Math.max(nextOffset, state.dedupe().nextOffset()), changes));
        });
        dedupeStore.save(saves);
    }

    /**
     * Waits for every write of a poll (they run concurrently: one per target partition and source
     * partition, so no producer ever has two batches in flight to one partition) and rethrows the
     * first failure once all have finished.
     */
    private static void awaitAll(List<CompletableFuture<Void>> writes) {
        RuntimeException first = null;
        for (CompletableFuture<Void> write : writes) {
            try {
                write.join();
            } catch (CompletionException e) {
                if (first == null) {
                    first = e.getCause() instanceof RuntimeException cause ? cause : e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Registers as the writer of a source partition (fencing its previous owner) and reads what is written. */
    private PartitionState takeOver(int sourcePartition) {
        ProducerIdentity identity = ingest.initProducer(pipeline.producerName(sourcePartition));
        DedupeClaim dedupe = pipeline.processor().dedupeStates().isEmpty() ? null
                : dedupeStore.claim(pipeline.name(), pipeline.source(), sourcePartition, identity,
                        pipeline.processor().dedupeStates());
        PartitionState state = new PartitionState(identity, dedupe);
        long producerId = identity.producerId();
        state.knownSequences(pipeline.sink(), ingest.lastSequences(producerId, pipeline.sink()));
        state.knownSequences(pipeline.deadLetter(), ingest.lastSequences(producerId, pipeline.deadLetter()));
        return state;
    }

    private ProducerRecord toOutput(ConsumedRecord record, Outcome outcome) {
        if (outcome instanceof Outcome.Output out) {
            return new ProducerRecord(record.key(), JSON.writeValueAsString(out.value()), out.headers(), null,
                    record.timestamp());
        }
        if (outcome instanceof Outcome.DeadLettered dead) {
            Map<String, String> headers = new LinkedHashMap<>(record.headers());
            headers.put("step", dead.step());
            String reason = dead.reason() == null ? "" : dead.reason();
            headers.put("reason", reason.length() <= MAX_REASON_CHARS ? reason
                    : reason.substring(0, MAX_REASON_CHARS) + "...");
            headers.put("source.topic", record.topic());
            headers.put("source.partition", Integer.toString(record.partition()));
            headers.put("source.offset", Long.toString(record.offset()));
            headers.put("timestamp", Instant.now().toString());
            return new ProducerRecord(record.key(), JSON.writeValueAsString(record.value()), headers, null,
                    record.timestamp());
        }
        return null;
    }

    private void updateLag() {
        long now = System.nanoTime();
        if (now < nextLagCheck || consumer.assignment().isEmpty()) {
            return;
        }
        nextLagCheck = now + LAG_INTERVAL.toNanos();
        try {
            TopicDescription source = ingest.describeTopic(pipeline.source());
            for (TopicPartition owned : consumer.assignment()) {
                long committedOffset = committed.getOrDefault(owned.partition(), -1L);
                source.partitionDetails().stream().filter(d -> d.partition() == owned.partition()).findFirst()
                        .ifPresent(d -> runtime.lag(new PipelineStatus.PartitionLag(owned.partition(), committedOffset,
                                d.highWatermark(), committedOffset < 0 ? -1 : Math.max(0, d.highWatermark()
                                - committedOffset))));
            }
        } catch (RuntimeException e) {
            LOG.debug("Could not update lag of pipeline {}: {}", pipeline.name(), e.getMessage());
        }
    }

    private void report(WorkerState state, String message) {
        runtime.state(index, state);
        runtime.error(message);
        LOG.info("Pipeline {} worker {}: {}", pipeline.name(), index, message);
    }

    private void closeConsumer() {
        GroupConsumer current = consumer;
        consumer = null;
        if (current != null) {
            try {
                current.close();
            } catch (RuntimeException e) {
                LOG.debug("Closing the consumer of pipeline {} failed: {}", pipeline.name(), e.getMessage());
            }
        }
        partitions.clear();
    }

    private void pause(long millis) {
        synchronized (sleeper) {
            if (stopping) {
                return;
            }
            try {
                sleeper.wait(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            }
        }
    }

    /** Forgets what it knew about partitions it loses; a partition it gains is taken over on first use. */
    private final class Listener implements RebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> lost) {
            lost.forEach(tp -> {
                partitions.remove(tp.partition());
                committed.remove(tp.partition());
                runtime.unassigned(tp.partition());
            });
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> gained) {
            gained.forEach(tp -> partitions.remove(tp.partition()));
        }
    }

    private record Target(String topic, int partition) {
    }

    private static final class SourceMissingException extends RuntimeException {
        SourceMissingException(String message) {
            super(message);
        }
    }
}
