package io.tributary.clean.runner;

import java.time.Clock;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.clean.config.CleanProperties;
import io.tributary.clean.dedupe.DedupeStore;
import io.tributary.clean.pipeline.Pipeline;
import io.tributary.clean.pipeline.PipelineChanged;
import io.tributary.clean.pipeline.PipelineNotFoundException;
import io.tributary.clean.pipeline.PipelineRepository;
import io.tributary.clean.pipeline.PipelineService;
import io.tributary.clean.pipeline.PipelineState;
import io.tributary.clean.process.RecordProcessor;
import io.tributary.client.ClientSettings;
import jakarta.annotation.PreDestroy;

/**
 * Keeps this instance's workers in line with the stored pipelines: a pipeline that should run
 * and has no workers (or workers of an older revision) gets fresh ones; a paused or deleted one
 * loses them. Reconciles a pipeline right after a change through this instance's API commits,
 * and every pipeline periodically ({@code clean.runner.reconcile-interval}), which also picks up
 * changes made through other instances sharing the database.
 */
@Component
public class PipelineRunner {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineRunner.class);

    private final PipelineRepository repository;
    private final PipelineService pipelines;
    private final IngestGateway ingest;
    private final DedupeStore dedupeStore;
    private final MeterRegistry registry;
    private final CleanProperties properties;
    private final Clock clock;
    private final Map<String, PipelineRuntime> running = new ConcurrentHashMap<>();
    private final Map<String, PipelineMetrics> metrics = new ConcurrentHashMap<>();
    private final ScheduledExecutorService reconciler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "clean-reconciler");
        thread.setDaemon(true);
        return thread;
    });

    public PipelineRunner(PipelineRepository repository, PipelineService pipelines, IngestGateway ingest,
                          DedupeStore dedupeStore, MeterRegistry registry, CleanProperties properties, Clock clock) {
        this.repository = repository;
        this.pipelines = pipelines;
        this.ingest = ingest;
        this.dedupeStore = dedupeStore;
        this.registry = registry;
        this.properties = properties;
        this.clock = clock;
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        if (!properties.runner().enabled()) {
            LOG.info("Pipeline runner disabled (clean.runner.enabled=false)");
            return;
        }
        long interval = properties.runner().reconcileInterval().toMillis();
        reconciler.scheduleWithFixedDelay(this::reconcileAll, 0, interval, TimeUnit.MILLISECONDS);
    }

    @TransactionalEventListener(fallbackExecution = true)
    void onChange(PipelineChanged change) {
        if (properties.runner().enabled()) {
            reconciler.execute(() -> reconcile(change.name()));
        }
    }

    /** The pipeline's status on this instance. */
    public PipelineStatus status(String name) {
        Pipeline pipeline = repository.findByName(name).orElseThrow(() -> new PipelineNotFoundException(name));
        PipelineRuntime runtime = running.get(name);
        if (runtime != null) {
            return runtime.status(pipeline.getState());
        }
        PipelineMetrics counts = metricsFor(pipeline.getName(), pipelines.compile(PipelineService.steps(pipeline)));
        String state = pipeline.getState() == PipelineState.PAUSED ? "PAUSED" : "STOPPED";
        return new PipelineStatus(name, pipeline.getState(), state, pipeline.getRevision(), 0, counts.totals(),
                counts.steps(), java.util.List.of(), null, null);
    }

    /** True when some pipeline cannot reach the ingest service. */
    public boolean anyIngestUnavailable() {
        return running.values().stream().anyMatch(PipelineRuntime::unavailable);
    }

    public Map<String, String> states() {
        Map<String, String> states = new java.util.TreeMap<>();
        running.forEach((name, runtime) -> states.put(name, runtime.status(PipelineState.RUNNING).state()));
        return states;
    }

    private void reconcileAll() {
        try {
            Set<String> names = new HashSet<>(running.keySet());
            repository.findAll().forEach(p -> names.add(p.getName()));
            names.forEach(this::reconcile);
        } catch (RuntimeException e) {
            LOG.warn("Reconciling pipelines failed", e);
        }
    }

    /** Runs on the reconciler thread only. */
    private void reconcile(String name) {
        try {
            Optional<Pipeline> stored = repository.findByName(name);
            boolean wanted = stored.isPresent() && stored.get().getState() == PipelineState.RUNNING;
            PipelineRuntime current = running.get(name);
            if (current != null && (!wanted || current.definition().revision() != stored.get().getRevision())) {
                LOG.info("Stopping pipeline {} (revision {})", name, current.definition().revision());
                current.stop();
                running.remove(name);
            }
            if (wanted && !running.containsKey(name)) {
                Pipeline pipeline = stored.get();
                RecordProcessor processor = pipelines.compile(PipelineService.steps(pipeline));
                PipelineDefinition definition = new PipelineDefinition(pipeline.getName(), pipeline.getSource(),
                        pipeline.getSink(), pipeline.getDeadLetter(), pipeline.getRevision(), pipeline.getParallelism(),
                        processor);
                PipelineRuntime runtime = new PipelineRuntime(definition, metricsFor(name, processor), clock);
                ClientSettings client = ClientSettings.of(properties.ingestUrl())
                        .withRequestTimeout(properties.runner().requestTimeout());
                runtime.start(i -> new PipelineWorker(definition, i, ingest, dedupeStore, runtime, properties.runner(),
                        client));
                running.put(name, runtime);
                LOG.info("Started pipeline {} (revision {}, {} worker(s))", name, definition.revision(),
                        definition.parallelism());
            }
        } catch (RuntimeException e) {
            LOG.warn("Reconciling pipeline {} failed", name, e);
        }
    }

    /** Counters survive a replace as long as the steps keep their labels. */
    private PipelineMetrics metricsFor(String name, RecordProcessor processor) {
        String key = name + "|" + String.join(",", processor.stepLabels());
        return metrics.computeIfAbsent(key, k -> new PipelineMetrics(registry, name, processor.stepLabels()));
    }

    @PreDestroy
    void stopAll() {
        reconciler.shutdownNow();
        running.values().forEach(PipelineRuntime::stop);
        running.clear();
    }
}
