package io.tributary.clean.runner;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.problem.ProblemType;
import io.tributary.clean.config.CleanProperties;
import io.tributary.clean.dedupe.DedupeClaim;
import io.tributary.clean.dedupe.DedupeSave;
import io.tributary.clean.dedupe.DedupeStore;
import io.tributary.clean.process.JsonDepth;
import io.tributary.clean.process.Outcome;
import io.tributary.clean.process.RecordProcessor;
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
import tools.jackson.core.StreamWriteConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * One member of a pipeline's consumer group ({@link PipelineDefinition#group}), on its own thread.
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
 * over, which re-reads what its producers wrote there (nothing, in a new topic). The one
 * exception to the id-suffixed names is the incarnation a pipeline of a version before topic ids
 * was reading when it was upgraded: it keeps that version's names, and so its offsets, sequences
 * and dedupe state ({@link SourceBindings}).
 *
 * <p><b>Refused records.</b> When ingest refuses a write for what is in it (413
 * {@code record-too-large}: the batch or one record exceeds the topic's {@code max.message.bytes}
 * or a request limit; 400 {@code invalid-record}), the batch is split in halves and each sent
 * again, in order, down to single records ({@link #sendUntilRefused}); so a batch only too large as
 * a whole is written in pieces, and a record refused on its own is found. A cleaned record the
 * sink refuses goes to the dead letters (step {@code sink}, the refusal as reason, the source
 * value), and its sink partition waits until that dead letter is written ({@link #writePoll}). A
 * dead letter the dead-letter topic refuses too is written as an envelope without the value (the
 * reason, the source topic, partition and offset, the value's size) under the same sequence. Only
 * an envelope refused as well fails the worker: nothing is dropped silently.
 *
 * <p><b>Failures.</b> Any failure while processing (ingest unavailable after retries, fenced
 * by a newer owner, a rebalance in the middle) abandons the uncommitted work: the consumer
 * leaves the group, the worker backs off and joins again, continuing from committed offsets.
 */
final class PipelineWorker implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineWorker.class);
    private static final int MAX_REASON_CHARS = 1_000;
    /** The dead-letter {@code step} of a cleaned record the sink refused. */
    static final String SINK_STEP = "sink";
    private static final Duration LAG_INTERVAL = Duration.ofSeconds(2);
    private static final int SENDER_THREADS = 8;
    /** Writes the text of a value too deep for the regular writer (only for dead letters). */
    private static final JsonMapper DEPTH_TOLERANT = JsonMapper.builder(JsonFactory.builder()
            .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(Integer.MAX_VALUE).build())
            .build()).build();

    private final PipelineDefinition pipeline;
    private final int index;
    private final IngestGateway ingest;
    private final DedupeStore dedupeStore;
    private final SourceBindings bindings;
    private final PipelineRuntime runtime;
    private final CleanProperties.Runner settings;
    private final ClientSettings client;
    private final Object sleeper = new Object();
    private final Map<Integer, PartitionState> partitions = new HashMap<>();
    private final Map<Integer, Long> committed = new HashMap<>();
    /** Sends a poll's batches concurrently; the worker thread waits for all of them. */
    private final ExecutorService senders;
    /** Runs a poll's writes ({@link #writePoll}) while the worker thread prepares the next poll. */
    private final ExecutorService writer;
    private volatile boolean stopping;
    private volatile GroupConsumer consumer;
    /** Set once a poll was committed since the last (re)start: resets the restart backoff. */
    private boolean polled;
    private int sinkPartitions;
    private int deadLetterPartitions;
    /** The ids of the topics as this run of the worker found them (null from an older ingest service). */
    private String sourceTopicId;
    private String sinkTopicId;
    private String deadLetterTopicId;
    /** This run reads the source under the names without topic id ({@link SourceBindings}). */
    private boolean legacyNames;
    private long nextLagCheck;

    PipelineWorker(PipelineDefinition pipeline, int index, IngestGateway ingest, DedupeStore dedupeStore,
                   SourceBindings bindings, PipelineRuntime runtime, CleanProperties.Runner settings, ClientSettings client) {
        this.pipeline = pipeline;
        this.index = index;
        this.ingest = ingest;
        this.dedupeStore = dedupeStore;
        this.bindings = bindings;
        this.runtime = runtime;
        this.settings = settings;
        this.client = client;
        this.senders = Executors.newFixedThreadPool(SENDER_THREADS, runnable -> {
            Thread thread = new Thread(runnable, "clean-" + pipeline.name() + "-" + index + "-sender");
            thread.setDaemon(true);
            return thread;
        });
        this.writer = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "clean-" + pipeline.name() + "-" + index + "-writer");
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
        long backoffMillis = settings.restartBackoff().toMillis();
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
            } catch (RuntimeException | Error e) {
                // Error included (StackOverflowError, OutOfMemoryError, an assertion in a library):
                // a worker never dies silently; it reports the failure and starts again.
                LOG.warn("Pipeline {} worker {} failed; restarting from committed offsets in {} ms", pipeline.name(),
                        index, backoffMillis, e);
                report(WorkerState.FAILING, e.toString());
            } finally {
                closeConsumer();
            }
            if (!stopping) {
                if (polled && backoffMillis != 0) {
                    // It got work done: a new failure starts the backoff from the beginning.
                    backoffMillis = settings.restartBackoff().toMillis();
                }
                polled = false;
                pause(Math.max(backoffMillis, 1)); // 0 after a re-created source: start over at once
                backoffMillis = Math.min(Math.max(backoffMillis * 2, settings.restartBackoff().toMillis()),
                        settings.maxRestartBackoff().toMillis());
            }
        }
        senders.shutdown();
        writer.shutdown();
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
        legacyNames = sourceTopicId != null && bindings.legacyNames(pipeline.name(), pipeline.source(), sourceTopicId,
                pipeline.predatesTopicIds());
        if (sourceTopicId != null && runtime.sourceTopicId(sourceTopicId)) {
            LOG.info("Pipeline {} worker {} reads source {} with topic id {} (group {}{})", pipeline.name(), index,
                    pipeline.source(), sourceTopicId, pipeline.group(sourceTopicId, legacyNames),
                    legacyNames ? ", the names it ran under before topic ids" : "");
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
        ConsumerSettings consumerSettings = ConsumerSettings.builder(client, pipeline.group(sourceTopicId, legacyNames),
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
        List<Write> sinkWrites = new ArrayList<>();
        List<Write> deadLetterWrites = new ArrayList<>();
        List<DedupeSave> saves = new ArrayList<>();
        for (Map.Entry<Integer, List<ConsumedRecord>> entry : bySource.entrySet()) {
            int sourcePartition = entry.getKey();
            PartitionState state = partitions.computeIfAbsent(sourcePartition, this::takeOver);
            Map<Target, List<Pending>> batches = new LinkedHashMap<>();
            for (ConsumedRecord record : entry.getValue()) {
                if (state.processedBefore(record.offset())) {
                    continue;
                }
                // A value the consumer could not read (too deep, ...) is dead-lettered, never retried forever.
                Outcome outcome = record.valueError() != null ? RecordProcessor.unreadable(record.valueError())
                        : pipeline.processor().process(record.key(), record.value(), record.headers(),
                                record.timestamp(), record.offset(), state.keyMemory());
                runtime.metrics().record(outcome);
                SequencedTree output = toOutput(record, outcome, pipeline.processor().maxValueDepth());
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
                            .add(new Pending(record, output, null));
                }
            }
            batches.forEach((target, batch) -> (target.topic().equals(pipeline.sink()) ? sinkWrites : deadLetterWrites)
                    .add(new Write(target, batch, state, sourcePartition)));
            List<ConsumedRecord> done = entry.getValue();
            long nextOffset = done.get(done.size() - 1).offset() + 1;
            next.put(new TopicPartition(pipeline.source(), sourcePartition), nextOffset);
            if (state.dedupe() != null) {
                saves.add(dedupeSave(state, nextOffset));
            }
        }
        return new PreparedPoll(next, sinkWrites, deadLetterWrites, saves);
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
     * Starts a poll's writes ({@link #writePoll}) on the worker's writer thread and returns at once.
     * The previous poll is finished before, so no producer ever has two batches in flight to one
     * partition.
     */
    private InFlightPoll dispatch(PreparedPoll prepared) {
        return new InFlightPoll(prepared, CompletableFuture.runAsync(() -> writePoll(prepared), writer));
    }

    /**
     * Writes a poll's batches, concurrently (one per source and target partition), in rounds: the
     * sink batches, then the dead-letter batches. Without refusals that is one round. A sink
     * partition that refuses a record stops there ({@link #sendUntilRefused}); the record joins its
     * source partition's dead letters in offset order, and that sink partition goes on only once
     * the dead letter is written. So a sink's sequence never passes a refused record whose dead
     * letter is not written yet: a replay after a crash finds it unwritten, is refused again and
     * dead-letters it, rather than skipping it as written. Dead letters of a source partition are
     * sent only below the lowest offset its sink partitions still have to send, because a refusal
     * there may still add a dead letter with that offset, and sequences must increase. Returns
     * (or fails) once every write has finished.
     */
    private void writePoll(PreparedPoll prepared) {
        Map<Integer, SourceWrites> sources = new LinkedHashMap<>();
        for (Write write : prepared.sinkWrites()) {
            sources.computeIfAbsent(write.sourcePartition(), p -> new SourceWrites(p, write.state()))
                    .sink().put(write.target(), new ArrayList<>(write.records()));
        }
        for (Write write : prepared.deadLetterWrites()) {
            sources.computeIfAbsent(write.sourcePartition(), p -> new SourceWrites(p, write.state()))
                    .deadLetters().put(write.target(), new ArrayList<>(write.records()));
        }
        while (sources.values().stream().anyMatch(SourceWrites::pending)) {
            List<Map.Entry<SourceWrites, Map.Entry<Target, CompletableFuture<Pending>>>> sends = new ArrayList<>();
            for (SourceWrites source : sources.values()) {
                source.sink().forEach((target, records) -> {
                    if (!records.isEmpty() && !source.blocked().containsKey(target)) {
                        Write write = new Write(target, List.copyOf(records), source.state(), source.sourcePartition());
                        sends.add(Map.entry(source, Map.entry(target, CompletableFuture.supplyAsync(
                                () -> sendUntilRefused(write), senders))));
                    }
                });
            }
            awaitAll(sends.stream().map(send -> send.getValue().getValue()).toList());
            for (var send : sends) {
                SourceWrites source = send.getKey();
                Target target = send.getValue().getKey();
                Pending refused = send.getValue().getValue().join();
                List<Pending> queue = source.sink().get(target);
                if (refused == null) {
                    queue.clear();
                    continue;
                }
                // Written: everything before the refused record. It leaves the sink's queue for the dead letters.
                queue.subList(0, indexOf(queue, refused) + 1).clear();
                deadLetterRefused(source, target, refused);
            }
            List<CompletableFuture<Pending>> deadLetterSends = new ArrayList<>();
            for (SourceWrites source : sources.values()) {
                long below = source.sink().values().stream().filter(queue -> !queue.isEmpty())
                        .mapToLong(queue -> queue.get(0).output().sequence()).min().orElse(Long.MAX_VALUE);
                source.deadLetters().forEach((target, records) -> {
                    int ready = 0;
                    while (ready < records.size() && records.get(ready).output().sequence() < below) {
                        ready++;
                    }
                    if (ready > 0) {
                        Write write = new Write(target, List.copyOf(records.subList(0, ready)), source.state(),
                                source.sourcePartition());
                        records.subList(0, ready).clear();
                        deadLetterSends.add(CompletableFuture.supplyAsync(() -> {
                            sendIsolating(write, write.records(), rejected -> sendEnvelope(write, rejected));
                            return null;
                        }, senders));
                    }
                });
                // Dead letters below the bound are now written (or the poll fails): their sink partitions go on.
                source.blocked().values().removeIf(offset -> offset < below);
            }
            awaitAll(deadLetterSends);
        }
    }

    /**
     * Adds a record the sink refused to the dead letters of its source partition, in offset order,
     * and holds its sink partition until that dead letter is written.
     */
    private void deadLetterRefused(SourceWrites source, Target sinkTarget, Pending refused) {
        runtime.metrics().refused();
        ConsumedRecord record = refused.source();
        Refusal refusal = refused.refusal();
        String reason = "the sink topic refused the cleaned record: " + refusal.getMessage();
        SequencedTree deadLetter = toOutput(record, new Outcome.DeadLettered(Outcome.PARSE_STEP, SINK_STEP, reason),
                pipeline.processor().maxValueDepth());
        int partition = record.key() == null ? record.partition() % deadLetterPartitions
                : Partitioner.partitionForKey(record.key(), deadLetterPartitions);
        if (source.state().written(pipeline.deadLetter(), partition, record.offset())) {
            // Dead-lettered before a crash; the sink partition stopped here then, so it is already safe to go on.
            runtime.metrics().alreadyWritten();
            return;
        }
        List<Pending> records = source.deadLetters().computeIfAbsent(new Target(pipeline.deadLetter(), partition),
                t -> new ArrayList<>());
        records.add(new Pending(record, deadLetter, null));
        records.sort(Comparator.comparingLong(pending -> pending.output().sequence()));
        source.blocked().put(sinkTarget, record.offset());
    }

    /**
     * Sends a batch to one target partition in order. When ingest refuses it for its content,
     * sends each half again, down to single records, and stops at the first record refused on its
     * own: returns that record (with {@link Pending#refusal}), everything before it written; null
     * when all were written.
     */
    private Pending sendUntilRefused(Write write) {
        return sendUntilRefused(write, write.records());
    }

    private Pending sendUntilRefused(Write write, List<Pending> records) {
        Target target = write.target();
        try {
            ingest.send(target.topic(), target.partition(), records.stream().map(Pending::output).toList(),
                    write.state().identity());
            write.state().wrote(target.topic(), target.partition(), records.get(records.size() - 1).output().sequence());
            return null;
        } catch (IngestException e) {
            if (!refusesContent(e)) {
                throw e;
            }
            if (records.size() == 1) {
                Pending refused = records.get(0);
                LOG.info("Pipeline {}: {} refused the record of {}/{} at offset {}: {}", pipeline.name(), target.topic(),
                        refused.source().topic(), refused.source().partition(), refused.source().offset(),
                        e.getMessage());
                return new Pending(refused.source(), refused.output(), new Refusal(e));
            }
            int half = records.size() / 2;
            Pending refused = sendUntilRefused(write, records.subList(0, half));
            return refused != null ? refused : sendUntilRefused(write, records.subList(half, records.size()));
        }
    }

    /**
     * Sends records to one target partition in order, like {@link #sendUntilRefused}, but goes on
     * after a refused record: each goes to {@code onRefused} before anything after it is sent.
     */
    private void sendIsolating(Write write, List<Pending> records, Consumer<Pending> onRefused) {
        List<Pending> rest = records;
        while (!rest.isEmpty()) {
            Pending refused = sendUntilRefused(write, rest);
            if (refused == null) {
                return;
            }
            onRefused.accept(refused);
            rest = rest.subList(indexOf(rest, refused) + 1, rest.size());
        }
    }

    /** Where a record is among others of one batch (by its sequence, unique there). */
    private static int indexOf(List<Pending> records, Pending record) {
        for (int i = 0; i < records.size(); i++) {
            if (records.get(i).output().sequence() == record.output().sequence()) {
                return i;
            }
        }
        throw new IllegalStateException("sequence " + record.output().sequence() + " is not in the batch");
    }

    /**
     * A refusal of the records themselves, which a smaller batch or the dead letters can settle:
     * 413 (a batch or record larger than {@code max.message.bytes}, a request over ingest's size or
     * record-count limit) or 400 {@code invalid-record} (e.g. a keyless record on a compacted topic,
     * a timestamp outside ingest's window). Anything else (not found, not authorized, fenced,
     * unavailable) is about the topic or the service and fails the poll as before.
     */
    static boolean refusesContent(IngestException e) {
        return e.status() == 413 || (e.status() == 400 && ProblemType.INVALID_RECORD.is(e.type()));
    }

    /**
     * Waits for every one of some concurrent writes and rethrows the first failure once all have
     * finished, so a failed poll leaves nothing in flight behind it.
     */
    private static void awaitAll(List<? extends CompletableFuture<?>> writes) {
        RuntimeException first = null;
        for (CompletableFuture<?> write : writes) {
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

    /**
     * Writes, in place of a dead letter its topic refused, an envelope without the value: the reason,
     * where the record came from and how large its value is, under the same sequence. If even that
     * is refused the worker fails (and retries from the committed offsets): never a silent drop.
     */
    private void sendEnvelope(Write write, Pending refused) {
        SequencedTree original = refused.output();
        ConsumedRecord record = refused.source();
        ObjectNode envelope = JsonNodeFactory.instance.objectNode();
        envelope.put("valueOmitted", true);
        envelope.put("valueBytes", DEPTH_TOLERANT.writeValueAsBytes(original.value()).length);
        envelope.put("reason", "the dead-letter topic refused the record: "
                + truncate(refused.refusal().getMessage()));
        envelope.putObject("source").put("topic", record.topic()).put("partition", record.partition())
                .put("offset", record.offset());
        // Only the headers of our own making: the source's headers may be what made the record too large.
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : List.of("step", "reason", "source.topic", "source.partition", "source.offset",
                "timestamp")) {
            String value = original.headers().get(name);
            if (value != null) {
                headers.put(name, value);
            }
        }
        headers.put("value.omitted", "true");
        // No timestamp: ingest stamps it, so a source timestamp it refuses cannot refuse the envelope too.
        SequencedTree replacement = new SequencedTree(original.key(), envelope, headers, null, original.sequence());
        Pending again = sendUntilRefused(write, List.of(new Pending(record, replacement, null)));
        if (again != null) {
            throw new IllegalStateException("the dead-letter topic " + write.target().topic() + " refused even the"
                    + " envelope (without the value) of the record of " + record.topic() + "/" + record.partition()
                    + " at offset " + record.offset() + ": " + again.refusal().getMessage());
        }
        runtime.metrics().valueOmitted();
    }

    /**
     * Waits until the sink acknowledged every write of the poll, then saves the dedupe state
     * (one transaction) and only then commits the source offsets. Any failure propagates (once
     * every write of the poll has finished): the worker restarts from the committed offsets and
     * the stored dedupe state.
     */
    private void finish(InFlightPoll inFlight) {
        awaitAll(List.of(inFlight.writes()));
        PreparedPoll poll = inFlight.poll();
        if (!poll.dedupeSaves().isEmpty()) {
            dedupeStore.save(poll.dedupeSaves());
        }
        try {
            consumer.commitSync(poll.next());
            poll.next().forEach((tp, offset) -> committed.put(tp.partition(), offset));
            polled = true;
        } catch (CommitFailedException e) {
            // Written already; whoever owns the partitions now skips those outputs. The consumer committed the
            // partitions it kept: the lag shown is read again from the group for each of them.
            poll.next().keySet().forEach(tp -> committed.remove(tp.partition()));
            LOG.info("Pipeline {} worker {}: commit refused after a rebalance: {}", pipeline.name(), index,
                    e.getMessage());
        }
    }

    /** Registers as the writer of a source partition (fencing its previous owner) and reads what is written. */
    private PartitionState takeOver(int sourcePartition) {
        ProducerIdentity identity = ingest.initProducer(pipeline.producerName(sourcePartition, sourceTopicId, legacyNames));
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
    private static SequencedTree toOutput(ConsumedRecord record, Outcome outcome, int maxValueDepth) {
        if (outcome instanceof Outcome.Output out) {
            return new SequencedTree(record.key(), out.value(), out.headers(), record.timestamp(), record.offset());
        }
        if (outcome instanceof Outcome.DeadLettered dead) {
            Map<String, String> headers = new LinkedHashMap<>(record.headers());
            headers.put("step", dead.step());
            headers.put("reason", truncate(dead.reason() == null ? "" : dead.reason()));
            headers.put("source.topic", record.topic());
            headers.put("source.partition", Integer.toString(record.partition()));
            headers.put("source.offset", Long.toString(record.offset()));
            headers.put("timestamp", Instant.now().toString());
            return new SequencedTree(record.key(), deadLetterValue(record, maxValueDepth), headers, record.timestamp(),
                    record.offset());
        }
        return null;
    }

    private static String truncate(String reason) {
        return reason.length() <= MAX_REASON_CHARS ? reason : reason.substring(0, MAX_REASON_CHARS) + "...";
    }

    /**
     * The source value as it came, except one that could not be read or is nested too deep to be
     * written again: that one goes as a JSON string holding its text, so the dead-letter topic
     * never refuses it (which would stall the partition).
     */
    private static JsonNode deadLetterValue(ConsumedRecord record, int maxValueDepth) {
        if (record.valueError() != null) {
            return JsonNodeFactory.instance.stringNode(record.rawValue() == null ? "" : record.rawValue());
        }
        if (JsonDepth.exceeds(record.value(), maxValueDepth)) {
            return JsonNodeFactory.instance.stringNode(DEPTH_TOLERANT.writeValueAsString(record.value()));
        }
        return record.value();
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
            if (!committed.keySet().containsAll(consumer.assignment().stream().map(TopicPartition::partition).toList())) {
                // A partition this run took over but has not committed yet (it may have nothing left to do):
                // where the group stands is what the last owner committed.
                ingest.committedOffsets(pipeline.group(sourceTopicId, legacyNames)).forEach((tp, offset) -> {
                    if (tp.topic().equals(pipeline.source()) && consumer.assignment().contains(tp)) {
                        committed.putIfAbsent(tp.partition(), offset);
                    }
                });
            }
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
    private record Write(Target target, List<Pending> records, PartitionState state, int sourcePartition) {
    }

    /**
     * A record to write and the source record it was made from; {@code refusal} is set on a record
     * a target refused for itself.
     */
    private record Pending(ConsumedRecord source, SequencedTree output, Refusal refusal) {
    }

    /** Why a target refused a record. */
    private record Refusal(IngestException failure) {
        String getMessage() {
            return failure.getMessage();
        }
    }

    /**
     * What one source partition of a poll still has to write: per sink and dead-letter partition,
     * in offset order; {@code blocked} holds a sink partition that refused a record until that
     * record's dead letter (at the given offset) is written.
     */
    private record SourceWrites(int sourcePartition, PartitionState state, Map<Target, List<Pending>> sink,
                                Map<Target, List<Pending>> deadLetters, Map<Target, Long> blocked) {
        SourceWrites(int sourcePartition, PartitionState state) {
            this(sourcePartition, state, new LinkedHashMap<>(), new LinkedHashMap<>(), new HashMap<>());
        }

        boolean pending() {
            return sink.values().stream().anyMatch(queue -> !queue.isEmpty())
                    || deadLetters.values().stream().anyMatch(queue -> !queue.isEmpty());
        }
    }

    /** A processed poll: the offsets to commit, its writes (sink, then dead letters) and its dedupe changes. */
    private record PreparedPoll(Map<TopicPartition, Long> next, List<Write> sinkWrites, List<Write> deadLetterWrites,
                                List<DedupeSave> dedupeSaves) {
    }

    /** A poll whose writes are under way: {@code writes} completes when all of them have. */
    private record InFlightPoll(PreparedPoll poll, CompletableFuture<Void> writes) {
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
