package io.tributary.clean.step.convert;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import io.tributary.clean.step.Fields;
import io.tributary.clean.step.Step;
import io.tributary.clean.step.StepConfig;
import io.tributary.clean.step.StepConfigException;
import io.tributary.clean.step.WorkingRecord;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Normalises a timestamp field to ISO-8601 UTC ({@code 2024-05-01T12:00:00Z}):
 * {@code {"type":"timestamp","field":"/ts","format":"iso-8601|epoch-seconds|epoch-millis|pattern",
 * "pattern":"dd/MM/yyyy HH:mm:ss","zone":"Europe/Berlin","target":"/eventTime"}}. {@code zone}
 * (default UTC) applies to values without an offset; {@code target} (default: {@code field})
 * receives the result. A missing or null field is left alone; anything unreadable rejects the
 * record.
 */
public final class TimestampStep implements Step {

    private final JsonPointer field;
    private final JsonPointer target;
    private final String format;
    private final DateTimeFormatter pattern;
    private final ZoneId zone;

    private TimestampStep(JsonPointer field, JsonPointer target, String format, DateTimeFormatter pattern,
                          ZoneId zone) {
        this.field = field;
        this.target = target;
        this.format = format;
        this.pattern = pattern;
        this.zone = zone;
    }

    public static TimestampStep from(StepConfig config) {
        config.allowOnly("field", "format", "pattern", "zone", "target");
        JsonPointer field = config.pointer("field");
        String format = config.oneOf("format", null, "iso-8601", "epoch-seconds", "epoch-millis", "pattern");
        DateTimeFormatter pattern = null;
        if (format.equals("pattern")) {
            try {
                pattern = DateTimeFormatter.ofPattern(config.text("pattern"), Locale.ROOT);
            } catch (IllegalArgumentException e) {
                throw new StepConfigException("\"pattern\" is not a date-time pattern: " + e.getMessage());
            }
        } else if (config.has("pattern")) {
            throw new StepConfigException("\"pattern\" only goes with \"format\":\"pattern\"");
        }
        ZoneId zone;
        try {
            zone = ZoneId.of(config.text("zone", "UTC"));
        } catch (DateTimeException e) {
            throw new StepConfigException("\"zone\" is not a time zone: " + e.getMessage());
        }
        JsonPointer target = config.has("target") ? config.pointer("target") : field;
        return new TimestampStep(field, target, format, pattern, zone);
    }

    @Override
    public boolean apply(WorkingRecord record) {
        JsonNode value = Fields.get(record.value(), field);
        if (value == null || value.isNull()) {
            return true;
        }
        Instant instant = switch (format) {
            case "iso-8601" -> Timestamps.iso(value, zone);
            case "epoch-seconds" -> Timestamps.epochSeconds(value);
            case "epoch-millis" -> Timestamps.epochMillis(value);
            default -> Timestamps.pattern(value, pattern, zone);
        };
        Fields.set(record.value(), target, JsonNodeFactory.instance.stringNode(instant.toString()));
        return true;
    }
}
