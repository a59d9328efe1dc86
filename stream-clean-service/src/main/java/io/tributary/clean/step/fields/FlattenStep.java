package io.tributary.clean.step.fields;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.tributary.clean.step.Fields;
import io.tributary.clean.step.RecordRejectedException;
import io.tributary.clean.step.Step;
import io.tributary.clean.step.StepConfig;
import io.tributary.clean.step.WorkingRecord;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code {"type":"flatten","separator":".","field":"/payload"}}: replaces nested objects by
 * top-level keys joined with the separator ({@code {"a":{"b":1}}} becomes {@code {"a.b":1}}).
 * Arrays and scalars are kept as they are; an empty object stays as an empty object. Without
 * {@code field} the whole value is flattened. Two paths that flatten to the same key (an
 * existing {@code "a.b"} next to {@code a/b}) reject the record; so does a {@code field} that is
 * not an object. Nesting deeper than {@value #MAX_DEPTH} levels is rejected too.
 */
public final class FlattenStep implements Step {

    static final int MAX_DEPTH = 32;

    private final String separator;
    private final JsonPointer field;

    private FlattenStep(String separator, JsonPointer field) {
        this.separator = separator;
        this.field = field;
    }

    public static FlattenStep from(StepConfig config) {
        config.allowOnly("separator", "field");
        String separator = config.text("separator", ".");
        return new FlattenStep(separator, config.has("field") ? config.pointer("field") : null);
    }

    @Override
    public boolean apply(WorkingRecord record) {
        ObjectNode target;
        if (field == null) {
            target = record.value();
        } else {
            JsonNode node = Fields.get(record.value(), field);
            if (node == null) {
                return true;
            }
            if (!(node instanceof ObjectNode object)) {
                throw new RecordRejectedException("cannot flatten " + field + ": it is " + Fields.describe(node));
            }
            target = object;
        }
        List<Map.Entry<String, JsonNode>> flat = new ArrayList<>();
        collect("", target, 0, flat);
        target.removeAll();
        for (Map.Entry<String, JsonNode> entry : flat) {
            if (target.has(entry.getKey())) {
                throw new RecordRejectedException("flattening gives the key \"" + entry.getKey() + "\" twice");
            }
            target.set(entry.getKey(), entry.getValue());
        }
        return true;
    }

    private void collect(String prefix, ObjectNode object, int depth, List<Map.Entry<String, JsonNode>> out) {
        if (depth > MAX_DEPTH) {
            throw new RecordRejectedException("cannot flatten: nested deeper than " + MAX_DEPTH + " levels");
        }
        for (Map.Entry<String, JsonNode> property : object.properties()) {
            String name = prefix.isEmpty() ? property.getKey() : prefix + separator + property.getKey();
            if (property.getValue() instanceof ObjectNode child && !child.isEmpty()) {
                collect(name, child, depth + 1, out);
            } else {
                out.add(Map.entry(name, property.getValue()));
            }
        }
    }
}
