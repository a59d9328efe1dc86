package io.tributary.analytics.engine;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;

import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;

/**
 * Reads a record's event time from a JSON Pointer: a number is epoch milliseconds, a string is
 * ISO-8601 (with an offset, or UTC when it has none) or a string of digits (epoch milliseconds).
 */
public final class EventTime {

    private final JsonPointer pointer;

    public EventTime(String pointer) {
        this.pointer = JsonPointer.compile(pointer);
    }

    /** Epoch millis, or {@link Long#MIN_VALUE} when the field is missing or unreadable. */
    public long extract(JsonNode record) {
        return of(record.at(pointer));
    }

    /** The event time a field's value stands for; {@link Long#MIN_VALUE} when null, missing or unreadable. */
    public static long of(JsonNode node) {
        if (node == null) {
            return Long.MIN_VALUE;
        }
        if (node.isIntegralNumber()) {
            return node.asLong();
        }
        if (node.isNumber()) {
            return (long) node.asDouble();
        }
        if (node.isString()) {
            return parse(node.stringValue());
        }
        return Long.MIN_VALUE;
    }

    static long parse(String text) {
        if (!text.isEmpty() && text.chars().allMatch(Character::isDigit) && text.length() < 19) {
            return Long.parseLong(text);
        }
        try {
            TemporalAccessor parsed = DateTimeFormatter.ISO_DATE_TIME.parseBest(text, ZonedDateTime::from,
                    LocalDateTime::from);
            return parsed instanceof ZonedDateTime zoned ? zoned.toInstant().toEpochMilli()
                    : ((LocalDateTime) parsed).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeException | ArithmeticException e) { // a year too far for epoch milliseconds
            return Long.MIN_VALUE;
        }
    }
}
