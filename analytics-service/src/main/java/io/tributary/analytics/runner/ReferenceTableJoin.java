package io.tributary.analytics.runner;

import java.util.Map;

import io.tributary.analytics.job.CompiledJob;
import io.tributary.analytics.reference.ReferenceTables;
import tools.jackson.databind.JsonNode;

/**
 * A join with a reference table of stream-clean-service, through the instance-wide cached copy of
 * {@link ReferenceTables}. Like the topic join, the table is not part of the checkpoint: a batch
 * replayed after a crash joins against the table as it is then.
 */
final class ReferenceTableJoin extends RecordJoin {

    private final ReferenceTables tables;
    private final String table;
    private Map<String, JsonNode> rows = Map.of();

    ReferenceTableJoin(CompiledJob.Join spec, ReferenceTables tables) {
        super(spec);
        this.tables = tables;
        this.table = spec.source();
    }

    @Override
    void refresh() {
        rows = tables.rows(table);
    }

    @Override
    JsonNode lookup(String key) {
        return rows.get(key);
    }
}
