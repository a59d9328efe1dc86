package io.tributary.clean.process;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.clean.step.RecordLimits;
import io.tributary.clean.step.RecordRejectedException;
import io.tributary.clean.step.Step;
import io.tributary.clean.step.StepConfigException;
import io.tributary.clean.step.StepFactory;
import io.tributary.clean.step.WorkingRecord;
import io.tributary.clean.step.dedupe.DedupeStep;
import io.tributary.clean.step.dedupe.KeyMemory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A pipeline's steps, compiled once, run over records. Thread-safe: steps keep no state of their
 * own; what {@code dedupe} remembers lives in the {@link KeyMemory} the caller passes per source
 * partition.
 *
 * <p>Before the first step the raw value must be a JSON object, or a JSON string holding one
 * (producers that stringify their payload); anything else — invalid JSON text, a number, an
 * array, a tombstone, a value nested deeper than {@link RecordLimits#maxValueDepth()}, a value the
 * consumer could not read at all ({@link #unreadable}) — is dead-lettered with step {@code parse}.
 * A step that throws anything other than {@link RecordRejectedException} (a bug, or an
 * {@link Error} such as {@link StackOverflowError}) also dead-letters the record, and so does a
 * step that leaves the value nested deeper than the limit: one bad record never stops a pipeline.
 */
public final class RecordProcessor {

    public static final String PARSE = "parse";
    private static final Logger LOG = LoggerFactory.getLogger(RecordProcessor.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final List<Step> steps;
    private final List<String> labels;
    private final Set<String> dedupeStates;
    private final int maxValueDepth;

    private RecordProcessor(List<Step> steps, List<String> labels, int maxValueDepth) {
        this.steps = steps;
        this.labels = labels;
        this.maxValueDepth = maxValueDepth;
        Set<String> names = new TreeSet<>();
        steps.stream().filter(DedupeStep.class::isInstance).map(step -> ((DedupeStep) step).stateName())
                .forEach(names::add);
        this.dedupeStates = Set.copyOf(names);
    }

    /**
     * Compiles step specifications.
     *
     * @throws InvalidStepException naming the index and type of the first bad step
     */
    public static RecordProcessor compile(List<JsonNode> specs, StepFactory factory) {
        List<Step> steps = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            JsonNode spec = specs.get(i);
            String type = spec != null && spec.path("type").isString() ? spec.path("type").stringValue() : null;
            try {
                steps.add(factory.create(spec));
            } catch (StepConfigException e) {
                throw new InvalidStepException(i, type, e.getMessage());
            }
            labels.add(i + ":" + type);
        }
        return new RecordProcessor(List.copyOf(steps), List.copyOf(labels), factory.limits().maxValueDepth());
    }

    /** Steps built elsewhere, with their labels (tests). */
    static RecordProcessor of(List<Step> steps, List<String> labels) {
        return new RecordProcessor(List.copyOf(steps), List.copyOf(labels), RecordLimits.DEFAULTS.maxValueDepth());
    }

    /** {@code "<index>:<type>"} of each step, the value of the dead-letter {@code step} header. */
    public List<String> stepLabels() {
        return labels;
    }

    /** The names of the dedupe states the steps keep per source partition; empty without dedupe steps. */
    public Set<String> dedupeStates() {
        return dedupeStates;
    }

    /** Runs the steps over a record on its own (nothing remembered between calls). */
    public Outcome process(String key, JsonNode rawValue, Map<String, String> headers, long timestamp) {
        return process(key, rawValue, headers, timestamp, 0, new KeyMemory());
    }

    /**
     * Runs the steps over a record read at {@code offset} of a source partition whose dedupe
     * state is {@code keyMemory}; records of one partition must come in offset order.
     */
    public Outcome process(String key, JsonNode rawValue, Map<String, String> headers, long timestamp, long offset,
                           KeyMemory keyMemory) {
        ObjectNode value;
        try {
            if (JsonDepth.exceeds(rawValue, maxValueDepth)) {
                return new Outcome.DeadLettered(Outcome.PARSE_STEP, PARSE, tooDeep("the value"));
            }
            value = asObject(rawValue);
            if (JsonDepth.exceeds(value, maxValueDepth)) {
                return new Outcome.DeadLettered(Outcome.PARSE_STEP, PARSE, tooDeep("the JSON in the string value"));
            }
        } catch (RecordRejectedException e) {
            return new Outcome.DeadLettered(Outcome.PARSE_STEP, PARSE, e.getMessage());
        }
        WorkingRecord record = new WorkingRecord(key, value, headers, timestamp, offset, keyMemory);
        for (int i = 0; i < steps.size(); i++) {
            try {
                if (!steps.get(i).apply(record)) {
                    return record.duplicate() ? new Outcome.Deduplicated(i, labels.get(i))
                            : new Outcome.Filtered(i, labels.get(i));
                }
            } catch (RecordRejectedException e) {
                return new Outcome.DeadLettered(i, labels.get(i), e.getMessage());
            } catch (RuntimeException | Error e) {
                // Error included: a StackOverflowError in a step must cost one record, not the worker.
                LOG.warn("Step {} failed unexpectedly", labels.get(i), e);
                return new Outcome.DeadLettered(i, labels.get(i), "internal error: " + e);
            }
        }
        if (!steps.isEmpty() && JsonDepth.exceeds(record.value(), maxValueDepth)) {
            int last = steps.size() - 1;
            return new Outcome.DeadLettered(last, labels.get(last), tooDeep("the cleaned value"));
        }
        return new Outcome.Output(key, record.value(), record.headers());
    }

    /** A record whose value the consumer could not read at all (e.g. nested beyond the reader's limit). */
    public static Outcome.DeadLettered unreadable(String reason) {
        return new Outcome.DeadLettered(Outcome.PARSE_STEP, PARSE, reason == null ? "unreadable value" : reason);
    }

    /** The nesting limit values are held to. */
    public int maxValueDepth() {
        return maxValueDepth;
    }

    private String tooDeep(String what) {
        return what + " is nested more than " + maxValueDepth + " levels deep";
    }

    private static ObjectNode asObject(JsonNode raw) {
        if (raw instanceof ObjectNode object) {
            return object.deepCopy();
        }
        if (raw != null && raw.isString()) {
            JsonNode parsed;
            try {
                parsed = JSON.readTree(raw.stringValue());
            } catch (JacksonException e) {
                throw new RecordRejectedException("invalid JSON: " + e.getOriginalMessage());
            }
            if (parsed instanceof ObjectNode object) {
                return object;
            }
            throw new RecordRejectedException("the value is a string holding " + describe(parsed) + ", not a JSON object");
        }
        throw new RecordRejectedException("the value is " + describe(raw) + ", not a JSON object");
    }

    private static String describe(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? "null (a tombstone)"
                : io.tributary.clean.step.Fields.describe(node);
    }
}
