package io.tributary.clean.step.fields;

import java.time.Clock;

import io.tributary.clean.step.Fields;
import io.tributary.clean.step.Step;
import io.tributary.clean.step.StepConfig;
import io.tributary.clean.step.StepConfigException;
import io.tributary.clean.step.WorkingRecord;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Sets a field from exactly one source, creating missing parents and replacing what was there:
 * <ul>
 *   <li>{@code {"type":"insert","field":"/source","value":"web"}}: a static JSON value;</li>
 *   <li>{@code {"type":"insert","field":"/meta/cleanedAt","processingTime":true}}: now, as an
 *       ISO-8601 UTC string;</li>
 *   <li>{@code {"type":"insert","field":"/meta/requestId","header":"X-Request-Id"}}: a header of
 *       the source record ({@code null} when the record lacks it).</li>
 * </ul>
 */
public final class InsertStep implements Step {

    private final JsonPointer field;
    private final JsonNode staticValue;
    private final String header;
    private final Clock clock;

    private InsertStep(JsonPointer field, JsonNode staticValue, String header, Clock clock) {
        this.field = field;
        this.staticValue = staticValue;
        this.header = header;
        this.clock = clock;
    }

    public static InsertStep from(StepConfig config, Clock clock) {
        config.allowOnly("field", "value", "processingTime", "header");
        JsonPointer field = config.pointer("field");
        boolean hasValue = config.raw("value") != null;
        boolean processingTime = config.bool("processingTime", false);
        boolean hasHeader = config.has("header");
        int sources = (hasValue ? 1 : 0) + (processingTime ? 1 : 0) + (hasHeader ? 1 : 0);
        if (sources != 1) {
            throw new StepConfigException("give exactly one of \"value\", \"processingTime\": true or \"header\"");
        }
        return new InsertStep(field, hasValue ? config.value("value").deepCopy() : null,
                hasHeader ? config.text("header") : null, clock);
    }

    @Override
    public boolean apply(WorkingRecord record) {
        JsonNode value;
        if (staticValue != null) {
            value = staticValue.deepCopy();
        } else if (header != null) {
            String text = record.headers().get(header);
            value = text == null ? JsonNodeFactory.instance.nullNode() : JsonNodeFactory.instance.stringNode(text);
        } else {
            value = JsonNodeFactory.instance.stringNode(clock.instant().toString());
        }
        Fields.set(record.value(), field, value);
        return true;
    }
}
