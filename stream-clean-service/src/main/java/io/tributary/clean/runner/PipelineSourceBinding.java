package io.tributary.clean.runner;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

/**
 * Which incarnation of a source a pipeline first read once the ingest service reported topic ids,
 * and whether that incarnation keeps the names of the version before topic ids (group
 * {@code clean-<pipeline>}, producers {@code clean-<pipeline>-<source>-<partition>}). Written
 * once per pipeline and source, never changed. Declared as an entity for the schema;
 * {@link SourceBindings} reads and writes it with plain JDBC.
 */
@Entity
@Table(name = "pipeline_source_bindings",
        uniqueConstraints = @UniqueConstraint(columnNames = {"pipeline", "source_topic"}))
class PipelineSourceBinding {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "pipeline", nullable = false, length = 100)
    private String pipeline;

    @Column(name = "source_topic", nullable = false, length = 249)
    private String sourceTopic;

    /** The id of the source topic the pipeline was bound to. */
    @Column(name = "source_topic_id", nullable = false, length = 64)
    private String sourceTopicId;

    /** True when that incarnation is read under the names without topic id. */
    @Column(name = "legacy_names", nullable = false)
    private boolean legacyNames;

    @Column(name = "bound_at", nullable = false)
    private Instant boundAt;

    protected PipelineSourceBinding() {
    }
}
