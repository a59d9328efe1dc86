package io.tributary.clean.step.convert;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import io.tributary.clean.step.Fields;
import io.tributary.clean.step.RecordLimits;
import io.tributary.clean.step.RecordRejectedException;
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
 * record, and so does an event time outside the window around processing time
 * ({@link RecordLimits#maxPast()} before to {@link RecordLimits#maxFuture()} after): a year-9999
 * or negative timestamp is a producer bug, not an event.
 */
public final class TimestampStep implements Step {

    /** Longest {@code pattern} and {@code zone}. */
    static final int MAX_PATTERN_CHARS = 100;

    private final JsonPointer field;
    private final JsonPointer target;
    private final String format;
    private final DateTimeFormatter pattern;
    private final ZoneId zone;
    private final Clock clock;
    private final RecordLimits limits;

    private TimestampStep(JsonPointer field, JsonPointer target, String format, DateTimeFormatter pattern,
                          ZoneId zone, Clock clock, RecordLimits limits) {
        this.clock = clock;
        this.limits = limits;
        this.field = field;
        this.target = target;
        this.format = format;
        this.pattern = pattern;
        this.zone = zone;
    }

    public static TimestampStep from(StepConfig config, Clock clock, RecordLimits limits) {
        config.allowOnly("field", "format", "pattern", "zone", "target");
        JsonPointer field = config.pointer("field");
        String format = config.oneOf("format", null, "iso-8601", "epoch-seconds", "epoch-millis", "pattern");
        DateTimeFormatter pattern = null;
        if (format.equals("pattern")) {
            String text = config.text("pattern");
            if (text.length() > MAX_PATTERN_CHARS) {
                throw new StepConfigException("\"pattern\" may have at most " + MAX_PATTERN_CHARS + " characters");
            }
            try {
                pattern = DateTimeFormatter.ofPattern(text, Locale.ROOT);
            } catch (IllegalArgumentException e) {
                throw new StepConfigException("\"pattern\" is not a date-time pattern: " + e.getMessage());
            }
        } else if (config.has("pattern")) {
            throw new StepConfigException("\"pattern\" only goes with \"format\":\"pattern\"");
        }
        ZoneId zone;
        String zoneText = config.text("zone", "UTC");
        if (zoneText.length() > MAX_PATTERN_CHARS) {
            throw new StepConfigException("\"zone\" may have at most " + MAX_PATTERN_CHARS + " characters");
        }
        try {
            zone = ZoneId.of(zoneText);
        } catch (DateTimeException e) {
            throw new StepConfigException("\"zone\" is not a time zone: " + e.getMessage());
        }
        JsonPointer target = config.has("target") ? config.pointer("target") : field;
        return new TimestampStep(field, target, format, pattern, zone, clock, limits);
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
        checkWindow(instant);
        Fields.set(record.value(), target, JsonNodeFactory.instance.stringNode(instant.toString()));
        return true;
    }

    /** Event times far from processing time are refused (compared without arithmetic that could overflow). */
    private void checkWindow(Instant instant) {
        Instant now = clock.instant();
        if (instant.isAfter(now) && Duration.between(now, instant).compareTo(limits.maxFuture()) > 0) {
            throw new RecordRejectedException("event time " + instant + " is more than " + human(limits.maxFuture())
                    + " ahead of processing time " + now + " (clean.runner.max-future)");
        }
        if (instant.isBefore(now) && Duration.between(instant, now).compareTo(limits.maxPast()) > 0) {
            throw new RecordRejectedException("event time " + instant + " is more than " + human(limits.maxPast())
                    + " before processing time " + now + " (clean.runner.max-past)");
        }
    }

    private static String human(Duration duration) {
        return duration.toSeconds() % 86_400 == 0 ? duration.toDays() + "d" : duration.toString();
    }
}
