package io.tributary.clean.step.enrich;

import java.util.Optional;

import io.tributary.clean.step.Fields;
import io.tributary.clean.step.RecordRejectedException;
import io.tributary.clean.step.Step;
import io.tributary.clean.step.StepConfig;
import io.tributary.clean.step.StepConfigException;
import io.tributary.clean.step.WorkingRecord;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * {@code {"type":"enrich","table":"countries","key":"/country","target":"/countryInfo",
 * "missing":"dead-letter|null|skip"}}: looks the key field's value (a string, number or boolean,
 * as text) up in a reference table ({@code /api/v1/reference-tables/{name}}) and writes the row
 * to {@code target}. When there is no row (or no key), {@code missing} decides: dead-letter the
 * record (default), write {@code null}, or leave the record unchanged. The table must exist when
 * the pipeline is created; rows are read at processing time, so a table change applies to the
 * records processed after it.
 */
public final class EnrichStep implements Step {

    private enum Missing { DEAD_LETTER, NULL, SKIP }

    private final String table;
    private final JsonPointer key;
    private final JsonPointer target;
    private final Missing missing;
    private final ReferenceLookup lookup;

    private EnrichStep(String table, JsonPointer key, JsonPointer target, Missing missing, ReferenceLookup lookup) {
        this.table = table;
        this.key = key;
        this.target = target;
        this.missing = missing;
        this.lookup = lookup;
    }

    public static EnrichStep from(StepConfig config, ReferenceLookup lookup) {
        config.allowOnly("table", "key", "target", "missing");
        String table = config.text("table");
        if (!lookup.exists(table)) {
            throw new StepConfigException("reference table \"" + table + "\" does not exist; create it with PUT "
                    + "/api/v1/reference-tables/" + table);
        }
        Missing missing = switch (config.oneOf("missing", "dead-letter", "dead-letter", "null", "skip")) {
            case "null" -> Missing.NULL;
            case "skip" -> Missing.SKIP;
            default -> Missing.DEAD_LETTER;
        };
        return new EnrichStep(table, config.pointer("key"), config.pointer("target"), missing, lookup);
    }

    @Override
    public boolean apply(WorkingRecord record) {
        JsonNode keyValue = Fields.get(record.value(), key);
        if (keyValue != null && keyValue.isContainer()) {
            throw new RecordRejectedException("cannot look up " + key + " in " + table + ": it is "
                    + Fields.describe(keyValue));
        }
        Optional<JsonNode> row = keyValue == null || keyValue.isNull() ? Optional.empty()
                : lookup.find(table, keyValue.asString());
        if (row.isPresent()) {
            Fields.set(record.value(), target, row.get().deepCopy());
            return true;
        }
        switch (missing) {
            case NULL -> Fields.set(record.value(), target, JsonNodeFactory.instance.nullNode());
            case SKIP -> {
            }
            default -> throw new RecordRejectedException("no row for " + key + " = "
                    + (keyValue == null ? "(missing)" : keyValue.toString()) + " in reference table " + table);
        }
        return true;
    }
}
