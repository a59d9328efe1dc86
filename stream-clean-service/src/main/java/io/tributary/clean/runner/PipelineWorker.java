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
import io.tributary.client.producer.SequencedTree;

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
 * <p><b>Pipelining.</b> While one poll's writes are in flight, the worker already polls and runs
 * the steps over the next records; then it finishes the first poll (waits for its acknowledgements,
 * saves its dedupe changes, commits its offsets) before it sends the next one's. So at most one
 * batch per target partition is in flight, and commits stay in order behind the writes.
 *
 * <p><b>Incarnations.</b> The group and the producer names carry the source topic's id
 * ({@link PipelineDefinition#group}, {@link PipelineDefinition#producerName}), so offsets,
 * sequences and dedupe state belong to one incarnation of the source. Before each poll's records
 * are processed the worker checks that the source still has the id it started with; when the
 * source was deleted and re-created it abandons the poll and starts over with the new id: a new
 * group reading the new topic from its beginning, new producers (no sequence of the old topic
 * can make a new record look written already), a fresh dedupe state. A re-created sink or
 * dead-letter topic (seen in the periodic check, or as a failed write) also makes the worker start
 * over, which re-reads what its producers wrote there (nothing, in a new topic).
 *
 * <p><b>Failures.</b> Any failure while processing (ingest unavailable after retries, fenced
 * by a newer owner, a rebalance in the middle) abandons the uncommitted work: the consumer
 * leaves the group, the worker backs off and joins again, continuing from committed offsets.
 */
final class PipelineWorker implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineWorker.class);
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
    /** The ids of the topics as this run of the worker found them (null from an older ingest service). */
    private String sourceTopicId;
    private String sinkTopicId;
    private String deadLetterTopicId;
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
            } catch (TopicRecreatedException e) {
                // Not a failure: start over at once with the new incarnation.
                LOG.info("Pipeline {} worker {}: {}", pipeline.name(), index, e.getMessage());
                runtime.state(index, WorkerState.STARTING);
                backoffMillis = 0;
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
                pause(Math.max(backoffMillis, 1));
                backoffMillis = Math.min(Math.max(backoffMillis * 2, 250), 5_000);
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
        TopicDescription sink = ingest.ensureTopic(pipeline.sink(), source.partitions());
        TopicDescription deadLetter = ingest.ensureTopic(pipeline.deadLetter(), source.partitions());
        sinkPartitions = sink.partitions();
        deadLetterPartitions = deadLetter.partitions();
        sourceTopicId = source.topicId();
        sinkTopicId = sink.topicId();
        deadLetterTopicId = deadLetter.topicId();
        if (sourceTopicId != null && runtime.sourceTopicId(sourceTopicId)) {
            LOG.info("Pipeline {} worker {} reads source {} with topic id {} (group {})", pipeline.name(), index,
                    pipeline.source(), sourceTopicId, pipeline.group(sourceTopicId));
        }
    }

    /**
     * Makes sure the source is still the incarnation this run started with, before records of a
     * poll are processed: records of a re-created source must not be matched against the old
     * one's group offsets, producer sequences or dedupe state.
     */
    private void checkSourceIncarnation() {
        if (sourceTopicId == null) {
            return;
        }
        TopicDescription source;
        try {
            source = ingest.describeTopic(pipeline.source());
        } catch (IngestException e) {
            if (e.kind() == ProblemKind.NOT_FOUND) {
                throw new SourceMissingException("source topic " + pipeline.source() + " does not exist");
            }
            throw e;
        }
        checkId("source", pipeline.source(), sourceTopicId, source.topicId());
    }

    private static void checkId(String role, String topic, String known, String now) {
        if (known != null && now != null && !known.equals(now)) {
            throw new TopicRecreatedException(role + " topic " + topic + " was deleted and re-created (topic id "
                    + known + " is now " + now + ")" + (role.equals("source")
                    ? "; reading the new topic from its beginning with a new group and producers" : ""));
        }
    }

    private void consume() {
        ConsumerSettings consumerSettings = ConsumerSettings.builder(client, pipeline.group(sourceTopicId),
                        List.of(pipeline.source()))
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
        InFlightPoll inFlight = null;
        while (!stopping) {
            // While a poll's writes are in flight, only take what is already there, then finish it.
            List<ConsumedRecord> records = consumer.poll(inFlight == null ? settings.pollWait() : Duration.ZERO);
            runtime.state(index, WorkerState.RUNNING);
            PreparedPoll prepared = records.isEmpty() ? null : prepare(records);
            if (inFlight != null) {
                finish(inFlight);
                inFlight = null;
            }
            if (prepared != null) {
                inFlight = dispatch(prepared);
            }
            updateLag();
        }
        if (inFlight != null) {
            finish(inFlight);
        }
    }

    /**
     * Runs the steps over a poll's records and groups the outputs into one batch per source and
     * target partition; sends nothing. Also takes what the dedupe steps changed, so the save after
     * this poll's writes holds exactly this poll's changes.
     */
    private PreparedPoll prepare(List<ConsumedRecord> records) {
        checkSourceIncarnation();
        Map<Integer, List<ConsumedRecord>> bySource = new LinkedHashMap<>();
        for (ConsumedRecord record : records) {
            bySource.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record);
        }
        Map<TopicPartition, Long> next = new HashMap<>();
        List<Write> writes = new ArrayList<>();
        List<DedupeSave> saves = new ArrayList<>();
        for (Map.Entry<Integer, List<ConsumedRecord>> entry : bySource.entrySet()) {
            int sourcePartition = entry.getKey();
            PartitionState state = partitions.computeIfAbsent(sourcePartition, this::takeOver);
            Map<Target, List<SequencedTree>> batches = new LinkedHashMap<>();
            for (ConsumedRecord record : entry.getValue()) {
                if (state.processedBefore(record.offset())) {
                    continue;
                }
                Outcome outcome = pipeline.processor().process(record.key(), record.value(), record.headers(),
                        record.timestamp(), record.offset(), state.keyMemory());
                runtime.metrics().record(outcome);
                SequencedTree output = toOutput(record, outcome);
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
                    batches.computeIfAbsent(new Target(topic, partition), t -> new ArrayList<>()).add(output);
                }
            }
            batches.forEach((target, batch) -> writes.add(new Write(target, batch, state)));
            List<ConsumedRecord> done = entry.getValue();
            long nextOffset = done.get(done.size() - 1).offset() + 1;
            next.put(new TopicPartition(pipeline.source(), sourcePartition), nextOffset);
            if (state.dedupe() != null) {
                saves.add(dedupeSave(state, nextOffset));
            }
        }
        return new PreparedPoll(next, writes, saves);
    }

    /** What one partition's dedupe steps changed since the last save, to be saved with {@code nextOffset}. */
    private static DedupeSave dedupeSave(PartitionState state, long nextOffset) {
        Map<String, DedupeSave.StateChanges> changes = new HashMap<>();
        state.keyMemory().states().forEach((name, keys) ->
                changes.put(name, new DedupeSave.StateChanges(keys.drainChanges(), keys.newestTimestamp())));
        // A poll of only records skipped as processed before must not move the stored offset back.
        return new DedupeSave(state.dedupe(), Math.max(nextOffset, state.dedupe().nextOffset()), changes);
    }

    /**
     * Starts a poll's writes, concurrently: one per source and target partition. The previous
     * poll is finished before, so no producer ever has two batches in flight to one partition.
     */
    private InFlightPoll dispatch(PreparedPoll prepared) {
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (Write write : prepared.writes()) {
            futures.add(CompletableFuture.runAsync(() -> {
                ingest.send(write.target().topic(), write.target().partition(), write.records(),
                        write.state().identity());
                write.state().wrote(write.target().topic(), write.target().partition(),
                        write.records().get(write.records().size() - 1).sequence());
            }, senders));
        }
        return new InFlightPoll(prepared, futures);
    }

    /**
     * Waits until the sink acknowledged every write of the poll, then saves the dedupe state
     * (one transaction) and only then commits the source offsets. Any failure propagates: the
     * worker restarts from the committed offsets and the stored dedupe state.
     */
    private void finish(InFlightPoll inFlight) {
        awaitAll(inFlight.writes());
        PreparedPoll poll = inFlight.poll();
        if (!poll.dedupeSaves().isEmpty()) {
            dedupeStore.save(poll.dedupeSaves());
        }
        try {
            consumer.commitSync(poll.next());
            poll.next().forEach((tp, offset) -> committed.put(tp.partition(), offset));
        } catch (CommitFailedException e) {
            // Written already; whoever owns the partitions now skips those outputs.
            LOG.info("Pipeline {} worker {}: commit refused after a rebalance: {}", pipeline.name(), index,
                    e.getMessage());
        }
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
        ProducerIdentity identity = ingest.initProducer(pipeline.producerName(sourcePartition, sourceTopicId));
        DedupeClaim dedupe = pipeline.processor().dedupeStates().isEmpty() ? null
                : dedupeStore.claim(pipeline.name(), pipeline.source(), sourcePartition, identity,
                        pipeline.processor().dedupeStates());
        PartitionState state = new PartitionState(identity, dedupe);
        long producerId = identity.producerId();
        state.knownSequences(pipeline.sink(), ingest.lastSequences(producerId, pipeline.sink()));
        state.knownSequences(pipeline.deadLetter(), ingest.lastSequences(producerId, pipeline.deadLetter()));
        return state;
    }

    /** The record to write for an outcome, with sequence = the source offset; null when nothing is written. */
    private static SequencedTree toOutput(ConsumedRecord record, Outcome outcome) {
        if (outcome instanceof Outcome.Output out) {
            return new SequencedTree(record.key(), out.value(), out.headers(), record.timestamp(), record.offset());
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
            return new SequencedTree(record.key(), record.value(), headers, record.timestamp(), record.offset());
        }
        return null;
    }

    private void updateLag() {
        long now = System.nanoTime();
        if (now < nextLagCheck || consumer.assignment().isEmpty()) {
            return;
        }
        nextLagCheck = now + LAG_INTERVAL.toNanos();
        checkTargetIncarnations();
        try {
            TopicDescription source = ingest.describeTopic(pipeline.source());
            checkId("source", pipeline.source(), sourceTopicId, source.topicId());
            for (TopicPartition owned : consumer.assignment()) {
                long committedOffset = committed.getOrDefault(owned.partition(), -1L);
                source.partitionDetails().stream().filter(d -> d.partition() == owned.partition()).findFirst()
                        .ifPresent(d -> runtime.lag(new PipelineStatus.PartitionLag(owned.partition(), committedOffset,
                                d.highWatermark(), committedOffset < 0 ? -1 : Math.max(0, d.highWatermark()
                                - committedOffset))));
            }
        } catch (TopicRecreatedException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.debug("Could not update lag of pipeline {}: {}", pipeline.name(), e.getMessage());
        }
    }

    /** A re-created sink or dead-letter topic: start over, re-reading what the producers wrote there. */
    private void checkTargetIncarnations() {
        String sinkNow;
        String deadLetterNow;
        try {
            sinkNow = ingest.describeTopic(pipeline.sink()).topicId();
            deadLetterNow = ingest.describeTopic(pipeline.deadLetter()).topicId();
        } catch (RuntimeException e) {
            // A missing target fails the next write to it, which starts the worker over.
            LOG.debug("Could not check the targets of pipeline {}: {}", pipeline.name(), e.getMessage());
            return;
        }
        checkId("sink", pipeline.sink(), sinkTopicId, sinkNow);
        checkId("dead-letter", pipeline.deadLetter(), deadLetterTopicId, deadLetterNow);
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

    /** One batch for one target partition, written under the identity of its source partition. */
    private record Write(Target target, List<SequencedTree> records, PartitionState state) {
    }

    /** A processed poll: the offsets to commit, its writes and its dedupe changes. */
    private record PreparedPoll(Map<TopicPartition, Long> next, List<Write> writes, List<DedupeSave> dedupeSaves) {
    }

    private record InFlightPoll(PreparedPoll poll, List<CompletableFuture<Void>> writes) {
    }

    private static final class SourceMissingException extends RuntimeException {
        SourceMissingException(String message) {
            super(message);
        }
    }

    /** A topic of the pipeline has another id than when this run started. */
    private static final class TopicRecreatedException extends RuntimeException {
        TopicRecreatedException(String message) {
            super(message);
        }
    }
}
