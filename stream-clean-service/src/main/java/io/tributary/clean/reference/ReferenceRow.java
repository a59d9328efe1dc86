package io.tributary.clean.reference;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

/** One row of a reference table: a key and a JSON value (kept as its text). */
@Entity
@Table(name = "reference_rows", uniqueConstraints = @UniqueConstraint(columnNames = {"table_name", "row_key"}))
public class ReferenceRow {

    static final int MAX_KEY = 500;
    static final int MAX_VALUE_JSON = 10_000;

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "table_name", nullable = false, length = 100)
    private String tableName;

    @Column(name = "row_key", nullable = false, length = MAX_KEY)
    private String rowKey;

    @Column(name = "value_json", nullable = false, length = MAX_VALUE_JSON)
    private String valueJson;

    protected ReferenceRow() {
    }

    ReferenceRow(String tableName, String rowKey, String valueJson) {
        this.tableName = tableName;
        this.rowKey = rowKey;
        this.valueJson = valueJson;
    }

    public String getRowKey() {
        return rowKey;
    }

    public String getValueJson() {
        return valueJson;
    }
}
