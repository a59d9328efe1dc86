package io.tributary.clean.runner;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.tributary.clean.pipeline.PipelineState;

/**
 * The workers of one pipeline on this instance and what they report: their states, the last
 * error, the lag of the partitions they own. Thread-safe.
 */
final class PipelineRuntime {

    private final PipelineDefinition definition;
    private final PipelineMetrics metrics;
    private final Clock clock;
    private final List<PipelineWorker> workers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Map<Integer, WorkerState> states = new ConcurrentHashMap<>();
    private final Map<Integer, PipelineStatus.PartitionLag> lags = new ConcurrentHashMap<>();
    private volatile PipelineStatus.LastError lastError;
    private volatile PipelineStatus.SourceIncarnation sourceIncarnation;

    PipelineRuntime(PipelineDefinition definition, PipelineMetrics metrics, Clock clock) {
        this.definition = definition;
        this.metrics = metrics;
        this.clock = clock;
    }

    PipelineDefinition definition() {
        return definition;
    }

    PipelineMetrics metrics() {
        return metrics;
    }

    void start(java.util.function.IntFunction<PipelineWorker> workerFactory) {
        for (int i = 0; i < definition.parallelism(); i++) {
            PipelineWorker worker = workerFactory.apply(i);
            Thread thread = new Thread(worker, "clean-" + definition.name() + "-" + i);
            thread.setDaemon(true);
            workers.add(worker);
            threads.add(thread);
            states.put(i, WorkerState.STARTING);
            thread.start();
        }
    }

    /** Asks every worker to finish its batch and leave the group, and waits for them. */
    void stop() {
        workers.forEach(PipelineWorker::stop);
        for (Thread thread : threads) {
            try {
                thread.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    void state(int worker, WorkerState state) {
        states.put(worker, state);
    }

    void error(String message) {
        lastError = new PipelineStatus.LastError(message, clock.instant());
    }

    /**
     * A worker found the source topic with this id. The first id is remembered; a different one
     * afterwards (the source was deleted and re-created) is recorded as a change. Returns true
     * when the id is new to this runtime (first sight or a change).
     */
    synchronized boolean sourceTopicId(String topicId) {
        PipelineStatus.SourceIncarnation current = sourceIncarnation;
        if (current == null) {
            sourceIncarnation = new PipelineStatus.SourceIncarnation(topicId, null, null);
            return true;
        }
        if (java.util.Objects.equals(current.topicId(), topicId)) {
            return false;
        }
        sourceIncarnation = new PipelineStatus.SourceIncarnation(topicId, current.topicId(), clock.instant());
        lags.clear();
        return true;
    }

    void lag(PipelineStatus.PartitionLag lag) {
        lags.put(lag.partition(), lag);
    }

    void unassigned(int partition) {
        lags.remove(partition);
    }

    PipelineStatus status(PipelineState requested) {
        List<PipelineStatus.PartitionLag> partitions = lags.values().stream()
                .sorted(Comparator.comparingInt(PipelineStatus.PartitionLag::partition)).toList();
        return new PipelineStatus(definition.name(), requested, overallState().name(), definition.revision(),
                workers.size(), metrics.totals(), metrics.steps(), partitions, lastError, sourceIncarnation);
    }

    /** The most telling worker state: trouble first, then running. */
    private WorkerState overallState() {
        for (WorkerState worst : List.of(WorkerState.INGEST_UNAVAILABLE, WorkerState.FAILING,
                WorkerState.WAITING_FOR_SOURCE, WorkerState.STARTING, WorkerState.RUNNING)) {
            if (states.containsValue(worst)) {
                return worst;
            }
        }
        return WorkerState.STOPPED;
    }

    boolean unavailable() {
        return states.containsValue(WorkerState.INGEST_UNAVAILABLE);
    }
}
