package io.tributary.clean.step.fields;

import java.util.List;

import io.tributary.clean.step.Fields;
import io.tributary.clean.step.Step;
import io.tributary.clean.step.StepConfig;
import io.tributary.clean.step.WorkingRecord;
import tools.jackson.core.JsonPointer;

/** {@code {"type":"drop","fields":["/password","/debug/trace"]}}: removes fields; absent ones are ignored. */
public final class DropStep implements Step {

    private final List<JsonPointer> fields;

    private DropStep(List<JsonPointer> fields) {
        this.fields = fields;
    }

    public static DropStep from(StepConfig config) {
        config.allowOnly("fields");
        return new DropStep(List.copyOf(config.pointers("fields")));
    }

    @Override
    public boolean apply(WorkingRecord record) {
        fields.forEach(field -> Fields.remove(record.value(), field));
        return true;
    }
}
