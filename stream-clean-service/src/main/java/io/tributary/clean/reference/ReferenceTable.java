package io.tributary.clean.reference;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/** A named lookup table for {@code enrich} steps; its rows are {@link ReferenceRow}s. */
@Entity
@Table(name = "reference_tables")
public class ReferenceTable {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false, unique = true, length = 100)
    private String name;

    @Column(name = "row_count", nullable = false)
    private int rowCount;

    @Version
    private long revision;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    protected ReferenceTable() {
    }

    ReferenceTable(String name) {
        this.name = name;
    }

    void replaced(int rows, Instant now) {
        this.rowCount = rows;
        this.updatedAt = now;
    }

    public String getName() {
        return name;
    }

    public int getRowCount() {
        return rowCount;
    }

    public long getRevision() {
        return revision;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }
}
