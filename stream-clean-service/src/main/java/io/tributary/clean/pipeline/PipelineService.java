package io.tributary.clean.pipeline;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.tributary.clean.process.RecordProcessor;
import io.tributary.clean.step.StepFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Stores pipeline definitions. Every definition is compiled (all steps validated) before it is
 * stored, so the runner never meets a bad step. Changes publish {@link PipelineChanged}, which
 * the runner applies after the transaction commits.
 */
@Service
@Transactional
public class PipelineService {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final PipelineRepository repository;
    private final StepFactory steps;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    public PipelineService(PipelineRepository repository, StepFactory steps, ApplicationEventPublisher events,
                           Clock clock) {
        this.repository = repository;
        this.steps = steps;
        this.events = events;
        this.clock = clock;
    }

    public PipelineView create(PipelineRequest request) {
        check(request);
        if (repository.existsByName(request.name())) {
            throw new PipelineExistsException(request.name());
        }
        Pipeline pipeline = new Pipeline(request.name(), clock.instant());
        define(pipeline, request);
        Pipeline saved = repository.saveAndFlush(pipeline);
        events.publishEvent(new PipelineChanged(saved.getName()));
        return view(saved);
    }

    @Transactional(readOnly = true)
    public List<PipelineView> list() {
        return repository.findAllByOrderByNameAsc().stream().map(PipelineService::view).toList();
    }

    @Transactional(readOnly = true)
    public PipelineView get(String name) {
        return view(find(name));
    }

    public PipelineView replace(String name, PipelineRequest request) {
        if (!name.equals(request.name())) {
            throw new InvalidPipelineException("the name in the body (" + request.name()
                    + ") must match the path (" + name + "); pipelines cannot be renamed");
        }
        check(request);
        Pipeline pipeline = find(name);
        define(pipeline, request);
        Pipeline saved = repository.saveAndFlush(pipeline);
        events.publishEvent(new PipelineChanged(name));
        return view(saved);
    }

    public void delete(String name) {
        repository.delete(find(name));
        events.publishEvent(new PipelineChanged(name));
    }

    public PipelineView changeState(String name, PipelineState state) {
        Pipeline pipeline = find(name);
        if (pipeline.getState() != state) {
            pipeline.changeState(state, clock.instant());
            pipeline = repository.saveAndFlush(pipeline);
            events.publishEvent(new PipelineChanged(name));
        }
        return view(pipeline);
    }

    /** Compiles steps, refusing bad ones with {@link io.tributary.clean.process.InvalidStepException}. */
    public RecordProcessor compile(List<JsonNode> stepSpecs) {
        return RecordProcessor.compile(stepSpecs, steps);
    }

    private void check(PipelineRequest request) {
        if (request.sink().equals(request.source()) || request.deadLetter().equals(request.source())) {
            throw new InvalidPipelineException("sink and deadLetter must differ from source");
        }
        if (request.sink().equals(request.deadLetter())) {
            throw new InvalidPipelineException("sink and deadLetter must be different topics");
        }
        compile(request.steps());
    }

    private void define(Pipeline pipeline, PipelineRequest request) {
        String stepsJson = JSON.writeValueAsString(request.steps());
        if (stepsJson.length() > Pipeline.MAX_STEPS_JSON) {
            throw new InvalidPipelineException("the steps take " + stepsJson.length() + " characters of JSON; at most "
                    + Pipeline.MAX_STEPS_JSON + " are allowed");
        }
        pipeline.define(request.source(), request.sink(), request.deadLetter(), stepsJson,
                request.parallelismOrDefault(), clock.instant());
    }

    private Pipeline find(String name) {
        return repository.findByName(name).orElseThrow(() -> new PipelineNotFoundException(name));
    }

    /** The steps of a stored pipeline. */
    public static List<JsonNode> steps(Pipeline pipeline) {
        List<JsonNode> specs = new ArrayList<>();
        JSON.readTree(pipeline.getStepsJson()).forEach(specs::add);
        return specs;
    }

    static PipelineView view(Pipeline p) {
        return new PipelineView(p.getName(), p.getSource(), p.getSink(), p.getDeadLetter(), steps(p),
                p.getParallelism(), p.getState(), p.getRevision(), p.getCreatedAt(), p.getUpdatedAt());
    }
}
