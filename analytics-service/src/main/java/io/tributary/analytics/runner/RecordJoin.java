package io.tributary.analytics.runner;

import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import io.tributary.analytics.job.CompiledJob;

/**
 * Puts a looked-up value into each record at the join's {@code target}: the lookup key is the text
 * of the record's field at {@code key} (a string as is, other values as JSON). Subclasses say where
 * rows come from and bring them up to date before each batch ({@link #refresh}). Not thread-safe;
 * one per job run.
 */
abstract class RecordJoin {

    private final CompiledJob.Join spec;
    private final JsonPointer key;
    private final JsonPointer target;

    RecordJoin(CompiledJob.Join spec) {
        this.spec = spec;
        this.key = JsonPointer.compile(spec.key());
        this.target = JsonPointer.compile(spec.target());
    }

    /** Brings the rows up to date; called before every batch. */
    abstract void refresh();

    /** The row for a key, or null. */
    abstract JsonNode lookup(String key);

    /** The record with the joined value at {@code target}; null when it has no match and misses are dropped. */
    final JsonNode join(JsonNode record) {
        JsonNode field = record.at(key);
        JsonNode match = field.isMissingNode() || field.isNull() ? null
                : lookup(field.isValueNode() ? field.asString() : field.toString());
        if (match == null || !(record instanceof ObjectNode object)) {
            return spec.dropMissing() ? null : record;
        }
        ObjectNode joined = object.deepCopy();
        JsonPointer parent = target.head();
        ObjectNode holder = parent == null || parent.matches() ? joined : joined.withObject(parent);
        holder.set(target.last().getMatchingProperty(), match);
        return joined;
    }
}
