package io.tributary.clean.step.fields;

import io.tributary.clean.step.Fields;
import io.tributary.clean.step.Step;
import io.tributary.clean.step.StepConfig;
import io.tributary.clean.step.StepConfigException;
import io.tributary.clean.step.WorkingRecord;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;

/**
 * {@code {"type":"rename","from":"/usr","to":"/user/name"}}: moves a field, creating missing
 * parents of the target and replacing what was there. A record without the field is unchanged.
 */
public final class RenameStep implements Step {

    private final JsonPointer from;
    private final JsonPointer to;

    private RenameStep(JsonPointer from, JsonPointer to) {
        this.from = from;
        this.to = to;
    }

    public static RenameStep from(StepConfig config) {
        config.allowOnly("from", "to");
        JsonPointer from = config.pointer("from");
        JsonPointer to = config.pointer("to");
        if (to.toString().equals(from.toString()) || to.toString().startsWith(from + "/")) {
            throw new StepConfigException("\"to\" (" + to + ") must not be \"from\" (" + from + ") or inside it");
        }
        return new RenameStep(from, to);
    }

    @Override
    public boolean apply(WorkingRecord record) {
        if (Fields.get(record.value(), from) == null) {
            return true;
        }
        JsonNode value = Fields.remove(record.value(), from);
        Fields.set(record.value(), to, value);
        return true;
    }
}
