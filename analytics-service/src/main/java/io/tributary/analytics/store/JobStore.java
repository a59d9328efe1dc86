package io.tributary.analytics.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.persistence.EntityManager;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.tributary.analytics.config.AnalyticsProperties;
import io.tributary.analytics.engine.ResultRow;
import io.tributary.analytics.engine.StateKey;
import io.tributary.analytics.engine.Window;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The job's own tables: checkpoint, result rows and progress. {@link #commit} writes one batch's
 * results, state, end offsets and progress row in ONE transaction — the exactly-once point.
 */
@Service
public class JobStore {

    private final JobCheckpointRepository checkpoints;
    private final JobResultRepository results;
    private final BatchProgressRepository progress;
    private final EntityManager entityManager;
    private final JsonMapper json;
    private final Clock clock;
    private final int progressRetained;

    JobStore(JobCheckpointRepository checkpoints, JobResultRepository results, BatchProgressRepository progress,
             EntityManager entityManager, JsonMapper json, Clock clock, AnalyticsProperties properties) {
        this.checkpoints = checkpoints;
        this.results = results;
        this.progress = progress;
        this.entityManager = entityManager;
        this.json = json;
        this.clock = clock;
        this.progressRetained = Math.max(1, properties.runner().progressRetained());
    }

    /** The last committed checkpoint, or a fresh one (batch -1, no offsets, no state). */
    @Transactional(readOnly = true)
    public JobCheckpoint checkpoint(String jobName) {
        return checkpoints.findById(jobName).orElseGet(() -> new JobCheckpoint(jobName));
    }

    public Map<Integer, Long> offsets(JobCheckpoint checkpoint) {
        Map<String, Long> raw = json.readValue(checkpoint.getOffsets(), new TypeReference<Map<String, Long>>() { });
        Map<Integer, Long> offsets = new TreeMap<>();
        raw.forEach((partition, offset) -> offsets.put(Integer.valueOf(partition), offset));
        return offsets;
    }

    /**
     * Commits a batch if the checkpoint is still at {@code expectedVersion} (-1: none yet).
     *
     * @return the checkpoint's new version
     * @throws ConcurrentRunException when someone else committed meanwhile
     */
    @Transactional
    public long commit(CommittedBatch batch, long expectedVersion) {
        long writeStart = System.nanoTime();
        JobCheckpoint checkpoint = checkpoints.findById(batch.jobName()).orElse(null);
        if (checkpoint == null) {
            if (expectedVersion != -1) {
                throw new ConcurrentRunException(batch.jobName());
            }
            checkpoint = new JobCheckpoint(batch.jobName());
            entityManager.persist(checkpoint);
        } else if (checkpoint.getVersion() != expectedVersion) {
            throw new ConcurrentRunException(batch.jobName());
        }
        Instant now = clock.instant();
        writeRows(batch.jobName(), batch.batchId(), batch.result().rows(), now);
        if (!batch.result().removed().isEmpty()) {
            results.deleteAllByIdInBatch(batch.result().removed().stream()
                    .map(key -> resultId(batch.jobName(), key)).toList());
        }
        checkpoint.advance(batch.batchId(), json.writeValueAsString(new TreeMap<>(batch.endOffsets())),
                batch.state(), batch.sourceTopicId());
        entityManager.flush();
        saveProgress(progressRow(batch, now, (System.nanoTime() - writeStart) / 1_000_000));
        entityManager.flush();
        return checkpoint.getVersion();
    }

    /**
     * Commits a batch that another engine computed (a Spark driver's): its rows replace the rows of the same
     * window and group, and the checkpoint records its batch id (Spark keeps offsets and state in its own
     * checkpoint) — in one transaction, if the checkpoint is still at {@code expectedVersion} (-1: none yet).
     * A batch id at or below the committed one is a batch the engine runs again after a failure: its rows are
     * written again (the same values: replace, never add) and the checkpoint keeps its batch id.
     *
     * @return the checkpoint's new version
     * @throws ConcurrentRunException when someone else committed meanwhile
     */
    @Transactional
    public long commitEngineBatch(String jobName, long batchId, List<ResultRow> rows, long expectedVersion) {
        JobCheckpoint checkpoint = checkpoints.findById(jobName).orElse(null);
        if (checkpoint == null) {
            if (expectedVersion != -1) {
                throw new ConcurrentRunException(jobName);
            }
            checkpoint = new JobCheckpoint(jobName);
            entityManager.persist(checkpoint);
        } else if (checkpoint.getVersion() != expectedVersion) {
            throw new ConcurrentRunException(jobName);
        }
        writeRows(jobName, batchId, rows, clock.instant());
        checkpoint.advance(Math.max(batchId, checkpoint.getBatchId()), checkpoint.getOffsets(), null, null);
        entityManager.flush();
        return checkpoint.getVersion();
    }

    /** Adds a progress row that another engine reported (a Spark driver's, after its batch committed). */
    @Transactional
    public void addProgress(BatchProgress row) {
        saveProgress(row);
    }

    private void saveProgress(BatchProgress row) {
        progress.save(row);
        if (row.batchId % 100 == 0) {
            // every 100th batch: the rows before the latest progressRetained go (batch ids are consecutive)
            progress.deleteByJobBefore(row.jobName, row.batchId - progressRetained + 1);
        }
    }

    /**
     * Records the source topic id in a checkpoint written before topic ids (which has none), so
     * that its offsets are tied to the incarnation of the source they are resumed on from now on,
     * even before the next batch commits. Only if the checkpoint is still at {@code expectedVersion}.
     *
     * @return the checkpoint's new version
     * @throws ConcurrentRunException when someone else committed meanwhile
     */
    @Transactional
    public long adoptSourceTopicId(String jobName, long expectedVersion, String sourceTopicId) {
        JobCheckpoint checkpoint = checkpoints.findById(jobName).orElse(null);
        if (checkpoint == null || checkpoint.getVersion() != expectedVersion) {
            throw new ConcurrentRunException(jobName);
        }
        checkpoint.adoptSourceTopicId(sourceTopicId);
        entityManager.flush();
        return checkpoint.getVersion();
    }

    private void writeRows(String jobName, long batchId, List<ResultRow> rows, Instant now) {
        if (rows.isEmpty()) {
            return;
        }
        Map<String, ResultRow> byId = new HashMap<>();
        for (ResultRow row : rows) {
            byId.put(resultId(jobName, row.key()), row);
        }
        Map<String, JobResult> existing = results.findAllById(byId.keySet()).stream()
                .collect(Collectors.toMap(JobResult::getId, Function.identity()));
        for (Map.Entry<String, ResultRow> entry : byId.entrySet()) {
            ResultRow row = entry.getValue();
            JobResult result = existing.get(entry.getKey());
            if (result == null) {
                Window window = row.key().window();
                result = new JobResult(entry.getKey(), jobName, window.isGlobal() ? null : window.start(),
                        window.isGlobal() ? null : window.end(), json.writeValueAsString(row.key().group()));
                result.update(json.writeValueAsString(row.values()), batchId, now);
                entityManager.persist(result); // the insert takes the state as of now
            } else {
                result.update(json.writeValueAsString(row.values()), batchId, now);
            }
        }
    }

    private BatchProgress progressRow(CommittedBatch batch, Instant now, long commitMs) {
        BatchProgress row = new BatchProgress();
        row.jobName = batch.jobName();
        row.batchId = batch.batchId();
        row.timestamp = now;
        row.startOffsets = json.writeValueAsString(new TreeMap<>(batch.startOffsets()));
        row.endOffsets = json.writeValueAsString(new TreeMap<>(batch.endOffsets()));
        row.inputRows = batch.result().inputRows();
        long processMs = batch.fetchMs() + batch.computeMs() + commitMs;
        row.processedRowsPerSecond = processMs == 0 ? 0 : batch.result().inputRows() * 1000.0 / processMs;
        long sinceStart = (System.nanoTime() - batch.batchStartNanos()) / 1_000_000;
        row.inputRowsPerSecond = sinceStart == 0 ? 0 : batch.result().inputRows() * 1000.0 / sinceStart;
        row.fetchMs = batch.fetchMs();
        row.computeMs = batch.computeMs();
        row.commitMs = commitMs;
        row.watermark = batch.result().watermark() == Long.MIN_VALUE ? null : batch.result().watermark();
        row.lateRows = batch.result().lateRows();
        row.filteredRows = batch.result().filtered();
        row.invalidRows = batch.result().invalidRows();
        row.emittedRows = batch.result().rows().size();
        row.stateRows = batch.result().stateRows();
        return row;
    }

    /**
     * The rows a committed batch wrote, in the order the engine emitted them (by window, then
     * group) — what that batch published to the job's output topic.
     */
    @Transactional(readOnly = true)
    public List<ResultRow> rowsOfBatch(String jobName, long batchId) {
        return results.findByJobNameAndBatchId(jobName, batchId).stream().map(result -> {
            Window window = result.getWindowStart() == null ? Window.GLOBAL
                    : new Window(result.getWindowStart(), result.getWindowEnd());
            List<String> group = json.readValue(result.getGroupKey(), new TypeReference<List<String>>() { });
            Map<String, Object> values = json.readValue(result.getAggregates(),
                    new TypeReference<java.util.LinkedHashMap<String, Object>>() { });
            return new ResultRow(new StateKey(group, window), values);
        }).sorted(java.util.Comparator.comparing(ResultRow::key)).toList();
    }

    /** Removes checkpoint, results and progress of a job (reset and delete). */
    @Transactional
    public void deleteJobData(String jobName) {
        checkpoints.findById(jobName).ifPresent(checkpoints::delete);
        results.deleteByJob(jobName);
        progress.deleteByJob(jobName);
    }

    static String resultId(String jobName, StateKey key) {
        Window window = key.window();
        String bounds = window.isGlobal() ? "g|g" : window.start() + "|" + window.end();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(groupText(key.group()).getBytes(StandardCharsets.UTF_8));
            return jobName + "|" + bounds + "|" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }


    /** An unambiguous text of the group values: length-prefixed, '-' for null. */
    private static String groupText(List<String> group) {
        StringBuilder text = new StringBuilder();
        for (String value : group) {
            text.append(value == null ? "-" : value.length() + ":" + value).append('|');
        }
        return text.toString();
    }
}
