package io.tributary.clean.pipeline;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/**
 * A stored pipeline definition. Steps are kept as their JSON text, exactly as validated.
 * {@code revision} goes up with every change; runners compare it to notice replacements.
 */
@Entity
@Table(name = "pipelines")
public class Pipeline {

    /** Steps JSON is bounded so that a definition fits one portable VARCHAR column. */
    public static final int MAX_STEPS_JSON = 60_000;

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false, unique = true, length = 100)
    private String name;

    @Column(nullable = false, length = 249)
    private String source;

    @Column(nullable = false, length = 249)
    private String sink;

    @Column(name = "dead_letter", nullable = false, length = 249)
    private String deadLetter;

    @Column(name = "steps_json", nullable = false, length = MAX_STEPS_JSON)
    private String stepsJson;

    @Column(nullable = false)
    private int parallelism;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    private PipelineState state;

    @Version
    private long revision;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    /**
     * TRUE for every pipeline stored by a version with topic ids; null in a row stored before (the
     * column is added by the schema update, empty for existing rows). Such a pipeline may have run
     * under the names without topic id, so the incarnation of its source it first sees with an id
     * keeps those names (see {@code SourceBindings}).
     */
    @Column(name = "topic_id_names")
    private Boolean topicIdNames;

    protected Pipeline() {
    }

    public Pipeline(String name, Instant now) {
        this.name = name;
        this.state = PipelineState.RUNNING;
        this.createdAt = now;
        this.updatedAt = now;
        this.topicIdNames = Boolean.TRUE;
    }

    void define(String source, String sink, String deadLetter, String stepsJson, int parallelism, Instant now) {
        this.source = source;
        this.sink = sink;
        this.deadLetter = deadLetter;
        this.stepsJson = stepsJson;
        this.parallelism = parallelism;
        this.updatedAt = now;
    }

    void changeState(PipelineState next, Instant now) {
        this.state = next;
        this.updatedAt = now;
    }

    public Long getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public String getSource() {
        return source;
    }

    public String getSink() {
        return sink;
    }

    public String getDeadLetter() {
        return deadLetter;
    }

    public String getStepsJson() {
        return stepsJson;
    }

    public int getParallelism() {
        return parallelism;
    }

    public PipelineState getState() {
        return state;
    }

    public long getRevision() {
        return revision;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }

    /** True when the pipeline was stored by a version before topic ids (it may have run under names without them). */
    public boolean predatesTopicIds() {
        return !Boolean.TRUE.equals(topicIdNames);
    }
}
