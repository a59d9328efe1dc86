package io.tributary.analytics.runner;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.analytics.config.AnalyticsProperties;
import io.tributary.analytics.engine.BatchResult;
import io.tributary.analytics.engine.EventTimeBounds;
import io.tributary.analytics.engine.WindowEngine;
import io.tributary.analytics.job.CompiledJob;
import io.tributary.analytics.job.JobService;
import io.tributary.analytics.job.JobStatus;
import io.tributary.analytics.lease.JobLeases;
import io.tributary.analytics.reference.ReferenceTableNotFoundException;
import io.tributary.analytics.reference.ReferenceTables;
import io.tributary.analytics.store.CommittedBatch;
import io.tributary.analytics.store.ConcurrentRunException;
import io.tributary.analytics.store.JobCheckpoint;
import io.tributary.analytics.store.JobStore;
import io.tributary.client.FetchOptions;
import io.tributary.client.FetchResult;
import io.tributary.client.IngestClient;
import io.tributary.client.OffsetOutOfRangeException;
import io.tributary.client.OffsetSpec;
import io.tributary.client.TopicPartition;
import io.tributary.client.producer.IngestProducer;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.NullNode;

/**
 * The micro-batch loop of one job:
 * <ol>
 *   <li>fetch: read every partition from the job's positions, an equal share of
 *       {@code maxBatchRecords} each (available-now: never past the end seen at start);</li>
 *   <li>compute: feed the record values to the {@link WindowEngine};</li>
 *   <li>commit: results, engine state, end offsets and a progress row in one transaction
 *       ({@link JobStore#commit}); only then do the in-memory positions move.</li>
 * </ol>
 * If a batch fails before its commit, the engine and positions go back to the last committed
 * checkpoint and the batch is retried after a pause — so nothing is counted twice or skipped.
 * An idle processing-time job long-polls all partitions for up to its trigger interval and wakes
 * as soon as one has data. Empty fetches commit nothing. With a backlog, the next batch is fetched
 * while the current one computes and commits.
 *
 * <p>The checkpoint records the source topic's id with its offsets. Offsets never apply to another
 * incarnation of the topic: when the source was deleted and re-created (its id differs from the
 * checkpoint's when the job starts, or from the one the job started with when a batch arrives),
 * the job fails with {@link SourceRecreatedException} before committing anything of the new
 * topic, as a Spark query with {@code failOnDataLoss=true} does when a topic's offsets go back;
 * resetting the job reads the new topic from its beginning.
 *
 * <p>A worker runs only while its instance holds the job's lease ({@link JobLeases}); it takes the
 * lease first and gives it up when it ends. If a commit finds the checkpoint moved (another run
 * committed), the worker carries on from the new checkpoint while it still holds the lease, and
 * stops without touching the job's status when it does not.
 */
final class JobWorker extends LeasedRun {

    private static final Logger LOG = LoggerFactory.getLogger(JobWorker.class);
    private static final Duration POLL_GRACE = Duration.ofSeconds(1);

    private final JobStore store;
    private final IngestClient ingest;
    private final IngestProducer resultProducer;
    private final ReferenceTables referenceTables;
    private final AnalyticsProperties.Runner settings;
    private final EventTimeBounds eventTimeBounds;
    private final ExecutorService polls;

    private CompiledJob job;
    private WindowEngine engine;
    private byte[] committedState;
    private long checkpointVersion;
    private long batchId;
    private Map<Integer, Long> positions;
    private Map<Integer, Long> ends;
    private boolean lastErrorNoted;
    /** The batch that failed last, and how many times in a row. */
    private long failingBatch = -1;
    private int failures;
    private RecordJoin join;
    /** The next batch, fetched while the current one computes and commits; null when none is in flight. */
    private PartitionReader.Pending<?> prefetch;
    private ResultPublisher publisher;
    /** The source topic's id when this run (re)initialised; null from an ingest service older than topic ids. */
    private String sourceTopicId;

    JobWorker(String name, JobService jobs, JobStore store, IngestClient ingest, IngestProducer resultProducer,
              ReferenceTables referenceTables,
              JobLeases leases, AnalyticsProperties.Runner settings, EventTimeBounds eventTimeBounds,
              ExecutorService polls, Runnable onExit) {
        super(name, jobs, leases, onExit);
        this.store = store;
        this.ingest = ingest;
        this.resultProducer = resultProducer;
        this.referenceTables = referenceTables;
        this.settings = settings;
        this.eventTimeBounds = eventTimeBounds;
        this.polls = polls;
    }

    @Override
    protected void work() {
        loop();
    }

    @Override
    protected void cleanUp() {
        dropPrefetch();
    }

    private void loop() {
        while (!stopped) {
            try {
                if (engine == null) {
                    if (batchId >= 0 && !leases.acquire(name)) { // a retry: check the lease before reloading
                        LOG.warn("job {}: lease lost to another instance; stopping here", name);
                        leaseLost = true;
                        return;
                    }
                    initialise();
                }
                if (!runBatch()) {
                    return;
                }
            } catch (ConcurrentRunException e) {
                if (!leases.acquire(name)) {
                    LOG.warn("job {}: another instance committed batch {} and holds the lease; stopping here", name,
                            batchId + 1);
                    leaseLost = true;
                    return;
                }
                // A run that lost its lease committed one last batch before it noticed: carry on from there.
                LOG.warn("job {}: the checkpoint moved under batch {}; reloading it", name, batchId + 1);
                engine = null;
                dropPrefetch();
            } catch (SourceRecreatedException e) {
                throw e;
            } catch (OffsetOutOfRangeException e) {
                // Offsets out of range of a re-created source: say so, rather than only "out of range".
                checkSourceIncarnation(e);
                throw e;
            } catch (ReferenceTableNotFoundException e) {
                throw new IllegalStateException("batch " + (batchId + 1) + " failed: join.table: " + e.getMessage()
                        + "; create the table there and start the job again", e);
            } catch (RuntimeException | Error e) { // StackOverflowError, OutOfMemoryError, ... included
                long failing = batchId + 1;
                failures = failing == failingBatch ? failures + 1 : 1;
                failingBatch = failing;
                engine = null; // re-read checkpoint, state and positions
                dropPrefetch();
                boolean transientError = isTransient(e);
                if (!transientError && failures >= settings.maxBatchAttempts()) {
                    throw new IllegalStateException("batch " + failing + " failed " + failures
                            + " times and the last error is not transient, so the job stops: " + e, e);
                }
                Duration pause = settings.backoff(failures);
                LOG.warn("job {}: batch {} failed (attempt {}), retrying from the last checkpoint in {}: {}", name,
                        failing, failures, pause, e.toString());
                noteError("batch " + failing + " failed (attempt " + failures
                        + (transientError ? "" : " of " + settings.maxBatchAttempts()) + ", retrying in " + pause
                        + "): " + e);
                pause(pause);
            }
        }
    }

    /**
     * Errors that go away by themselves: an unreachable or overloaded ingest service, stream-clean
     * or database. A batch failing with one is retried for ever (with the capped backoff); any other
     * error is deterministic, and after {@code maxBatchAttempts} attempts the job goes FAILED.
     */
    static boolean isTransient(Throwable e) {
        // ingest unreachable, 5xx, 429 or a problem it marks retriable; not an answer that cannot be
        // read (status 200) nor a 4xx such as a deleted topic: those would fail the same way again
        return e instanceof io.tributary.client.IngestException ingest
                && (ingest.retriable() || ingest.status() == 0 || ingest.status() >= 500)
                || e instanceof io.tributary.analytics.reference.ReferenceTablesUnavailableException
                || e instanceof org.springframework.dao.TransientDataAccessException
                || e instanceof org.springframework.dao.RecoverableDataAccessException
                || e instanceof org.springframework.dao.DataAccessResourceFailureException
                || e instanceof org.springframework.transaction.CannotCreateTransactionException;
    }

    @Override
    protected boolean noteError(String error) {
        boolean noted = super.noteError(error);
        lastErrorNoted |= noted;
        return noted;
    }

    private void checkSourceIncarnation(RuntimeException cause) {
        String now;
        try {
            now = sourceTopicId == null ? null : ingest.describeTopic(job.source()).topicId();
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
            return;
        }
        SourceRecreatedException.check(job.source(), sourceTopicId, now);
    }

    private void initialise() {
        job = jobs.compiled(name);
        JobCheckpoint checkpoint = store.checkpoint(name);
        committedState = checkpoint.getState();
        checkpointVersion = checkpoint.expectedVersion();
        batchId = checkpoint.getBatchId();
        engine = WindowEngine.restore(job.engine(), eventTimeBounds, committedState);
        join = job.join() == null ? null
                : job.join().fromTopic() ? new TopicJoin(job.join(), ingest, settings.maxFetchRecords())
                : new ReferenceTableJoin(job.join(), referenceTables);
        positions = new TreeMap<>(store.offsets(checkpoint));
        io.tributary.client.TopicDescription source = ingest.describeTopic(job.source());
        sourceTopicId = source.topicId();
        if (!positions.isEmpty()) {
            SourceRecreatedException.check(job.source(), checkpoint.getSourceTopicId(), sourceTopicId);
            if (checkpoint.getSourceTopicId() == null && sourceTopicId != null) {
                // Written before topic ids: its offsets are the current incarnation's (nothing else could
                // be told apart then). Tie them to it now, so that a re-creation before the next commit is
                // recognised rather than the old offsets applied to the new topic.
                checkpointVersion = store.adoptSourceTopicId(name, checkpointVersion, sourceTopicId);
                LOG.info("job {}: its checkpoint from before topic ids now belongs to source {} with topic id {}",
                        name, job.source(), sourceTopicId);
            }
        }
        int partitions = source.partitions();
        for (int p = 0; p < partitions; p++) {
            if (!positions.containsKey(p)) {
                positions.put(p, ingest.offsetFor(new TopicPartition(job.source(), p),
                        job.fromEarliest() ? OffsetSpec.earliest() : OffsetSpec.latest()).offset());
            }
        }
        if (job.availableNow() && ends == null) {
            ends = new TreeMap<>();
            for (int p : positions.keySet()) {
                ends.put(p, ingest.offsetFor(new TopicPartition(job.source(), p), OffsetSpec.latest()).offset());
            }
        }
        publisher = null;
        if (job.outputTopic() != null) {
            publisher = new ResultPublisher(name, job.outputTopic(), job.engine().groupBy(), ingest, resultProducer);
            if (batchId >= 0) { // the last committed batch's rows may not all be out yet: finish them first
                publisher.publish(batchId, store.rowsOfBatch(name, batchId));
            }
        }
        LOG.info("job {} resumes after batch {} at {}", name, batchId, positions);
    }

    /** One batch; false when the job is done (available-now at its end). */
    private boolean runBatch() {
        long started = System.nanoTime();
        if (prefetch != null && !prefetch.positions().equals(positions)) {
            dropPrefetch();
        }
        PartitionReader.Pending<?> pending = prefetch != null ? prefetch : startFetch(positions);
        prefetch = null;
        PartitionReader.Batch<?> batch = pending.await();
        boolean projected = isProjected();
        Map<Integer, Long> next = batch.next();
        long fetched = System.nanoTime();
        if (batch.values().isEmpty() && next.equals(positions)) {
            if (job.availableNow()) {
                if (positions.entrySet().stream().allMatch(e -> e.getValue() >= ends.get(e.getKey()))) {
                    LOG.info("job {} drained its source up to {}; completed", name, ends);
                    jobs.finished(name, JobStatus.COMPLETED, null);
                    return false;
                }
                pause(Duration.ofMillis(10));
            } else {
                // Idle: keep long-polling until a partition has data, without a fetch round after each empty poll.
                while (!stopped && !awaitData(job.interval())) {
                    // every poll came back empty
                }
            }
            return true;
        }
        if (sourceTopicId != null) {
            // Fetched after the topic was re-created, the records may be the new topic's: never commit them.
            SourceRecreatedException.check(job.source(), sourceTopicId, ingest.describeTopic(job.source()).topicId());
        }
        if (!job.availableNow() || next.entrySet().stream().anyMatch(e -> e.getValue() < ends.get(e.getKey()))) {
            prefetch = startFetch(next); // read ahead while this batch computes and commits
        }
        BatchResult result = projected ? engine.processProjected(rows(batch)) : joinAndProcess(trees(batch));
        if (batch.unreadable() > 0) { // records whose value could not be read: input, and invalid
            result = new BatchResult(result.rows(), result.removed(), result.inputRows() + batch.unreadable(),
                    result.filtered(), result.invalidRows() + batch.unreadable(), result.lateRows(),
                    result.watermark(), result.stateRows());
        }
        byte[] state = engine.snapshot();
        long computed = System.nanoTime();
        CommittedBatch committed = new CommittedBatch(name, batchId + 1, positions, next, result, state,
                (fetched - started) / 1_000_000, (computed - fetched) / 1_000_000, started, sourceTopicId);
        checkpointVersion = store.commit(committed, checkpointVersion);
        failures = 0;
        if (lastErrorNoted) {
            noteError(null);
            lastErrorNoted = false;
        }
        batchId++;
        positions = next;
        committedState = state;
        if (publisher != null) {
            publisher.publish(batchId, result.rows());
        }
        return true;
    }

    /** Without a filter or a join the engine needs only a few fields: read them from the tokens, build no trees. */
    private boolean isProjected() {
        return job.engine().filter() == null && join == null;
    }

    private PartitionReader.Pending<?> startFetch(Map<Integer, Long> from) {
        // An equal share per partition, so no partition runs ahead in event time and makes another's records late.
        int share = Math.max(1, Math.min(settings.maxFetchRecords(), settings.maxBatchRecords() / from.size()));
        Map<Integer, Long> until = job.availableNow() ? ends : null;
        return isProjected()
                ? PartitionReader.start(ingest, job.source(), from, until, share, settings.maxFetchBytes(),
                        engine.projection()::read)
                : PartitionReader.start(ingest, job.source(), from, until, share, settings.maxFetchBytes(),
                        JobWorker::tree);
    }

    private void dropPrefetch() {
        if (prefetch != null) {
            prefetch.cancel();
            prefetch = null;
        }
    }

    private BatchResult joinAndProcess(List<JsonNode> values) {
        int dropped = 0;
        if (join != null) {
            join.refresh();
            List<JsonNode> joined = new ArrayList<>(values.size());
            for (JsonNode value : values) {
                JsonNode out = join.join(value);
                if (out == null) {
                    dropped++;
                } else {
                    joined.add(out);
                }
            }
            values = joined;
        }
        BatchResult result = engine.process(values);
        if (dropped > 0) { // records without a join match count as input and as filtered
            result = new BatchResult(result.rows(), result.removed(), result.inputRows() + dropped,
                    result.filtered() + dropped, result.invalidRows(), result.lateRows(), result.watermark(),
                    result.stateRows());
        }
        return result;
    }

    private static JsonNode tree(JsonParser value) {
        JsonNode tree = value.readValueAsTree();
        return tree == null ? NullNode.getInstance() : tree;
    }

    @SuppressWarnings("unchecked")
    private static List<JsonNode[]> rows(PartitionReader.Batch<?> batch) {
        return (List<JsonNode[]>) batch.values();
    }

    @SuppressWarnings("unchecked")
    private static List<JsonNode> trees(PartitionReader.Batch<?> batch) {
        return (List<JsonNode>) batch.values();
    }

    /**
     * Long-polls every partition for up to {@code wait}.
     *
     * @return true as soon as one partition has data (or a poll failed: the next real fetch reports
     *         it); false when every poll came back empty, so the caller may poll again without a
     *         fetch round in between
     */
    private boolean awaitData(Duration wait) {
        List<CompletableFuture<FetchResult>> waits = new ArrayList<>();
        FetchOptions poll = FetchOptions.defaults().withMaxRecords(1).withMaxWait(wait);
        for (Map.Entry<Integer, Long> entry : positions.entrySet()) {
            TopicPartition partition = new TopicPartition(job.source(), entry.getKey());
            long offset = entry.getValue();
            waits.add(CompletableFuture.supplyAsync(() -> ingest.fetch(partition, offset, poll), polls));
        }
        // The service answers an empty poll after `wait`; allow a little more for that answer to arrive.
        long deadline = System.nanoTime() + wait.toNanos() + POLL_GRACE.toNanos();
        while (!stopped && System.nanoTime() < deadline) {
            boolean data = waits.stream().anyMatch(f -> f.isDone()
                    && (f.isCompletedExceptionally() || !f.join().records().isEmpty()));
            if (data) {
                return true;
            }
            if (waits.stream().allMatch(CompletableFuture::isDone)) {
                return false;
            }
            try {
                CompletableFuture.anyOf(waits.stream().filter(f -> !f.isDone()).toArray(CompletableFuture[]::new))
                        .get(Math.min(100, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                // look again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }
        return true;
    }

}
