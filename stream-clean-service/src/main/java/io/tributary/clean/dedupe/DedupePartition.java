package io.tributary.clean.dedupe;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

/**
 * The dedupe state of one source partition of a pipeline: who owns it (the producer identity of
 * the partition's writer, whose epoch fences older owners) and the source offset up to which
 * the stored keys are complete. Declared as an entity for the schema; {@link DedupeStore} reads
 * and writes it with plain JDBC in batches.
 */
@Entity
@Table(name = "dedupe_partitions",
        uniqueConstraints = @UniqueConstraint(columnNames = {"pipeline", "source_topic", "source_partition"}))
class DedupePartition {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "pipeline", nullable = false, length = 100)
    private String pipeline;

    @Column(name = "source_topic", nullable = false, length = 249)
    private String sourceTopic;

    @Column(name = "source_partition", nullable = false)
    private int sourcePartition;

    @Column(name = "producer_id", nullable = false)
    private long producerId;

    @Column(name = "producer_epoch", nullable = false)
    private int producerEpoch;

    /** The next source offset to process: records before it are reflected in the stored keys and written. */
    @Column(name = "next_offset", nullable = false)
    private long nextOffset;

    protected DedupePartition() {
    }
}
