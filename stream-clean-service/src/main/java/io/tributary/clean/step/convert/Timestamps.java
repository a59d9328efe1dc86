package io.tributary.clean.step.convert;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;

import io.tributary.clean.step.Fields;
import io.tributary.clean.step.RecordRejectedException;
import tools.jackson.databind.JsonNode;

/**
 * Reads instants from record values in the formats the steps accept. Every method throws
 * {@link RecordRejectedException} with a reason naming the value when it cannot be read.
 * Instants are written as {@link Instant#toString()}: ISO-8601 in UTC ({@code 2024-05-01T12:00:00Z}).
 */
final class Timestamps {

    /** Epoch seconds between year 1 and 9999, a guard against millis read as seconds and nonsense. */
    private static final long MAX_EPOCH_SECONDS = 253_402_300_799L;

    private Timestamps() {
    }

    /** ISO-8601 with or without offset (then in {@code zone}), or a date alone (its start of day). */
    static Instant iso(JsonNode value, ZoneId zone) {
        String text = requireText(value, "an ISO-8601 timestamp");
        try {
            TemporalAccessor parsed = DateTimeFormatter.ISO_DATE_TIME.parseBest(text, ZonedDateTime::from,
                    LocalDateTime::from);
            return parsed instanceof ZonedDateTime zoned ? zoned.toInstant()
                    : ((LocalDateTime) parsed).atZone(zone).toInstant();
        } catch (DateTimeException e) {
            try {
                return LocalDate.parse(text).atStartOfDay(zone).toInstant();
            } catch (DateTimeException ignored) {
                throw new RecordRejectedException("\"" + shorten(text) + "\" is not an ISO-8601 timestamp");
            }
        }
    }

    static Instant epochSeconds(JsonNode value) {
        BigDecimal seconds = number(value, "epoch seconds");
        if (seconds.abs().compareTo(BigDecimal.valueOf(MAX_EPOCH_SECONDS)) > 0) {
            throw new RecordRejectedException(seconds + " is out of range for epoch seconds");
        }
        long whole = seconds.longValue();
        int nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).intValue();
        return Instant.ofEpochSecond(whole, nanos);
    }

    static Instant epochMillis(JsonNode value) {
        BigDecimal millis = number(value, "epoch milliseconds");
        if (millis.abs().compareTo(BigDecimal.valueOf(MAX_EPOCH_SECONDS).movePointRight(3)) > 0) {
            throw new RecordRejectedException(millis + " is out of range for epoch milliseconds");
        }
        long whole = millis.longValue();
        int nanos = millis.subtract(BigDecimal.valueOf(whole)).movePointRight(6).intValue();
        return Instant.ofEpochMilli(whole).plusNanos(nanos);
    }

    /** A {@link DateTimeFormatter} pattern; without a zone in it, the value is read in {@code zone}. */
    static Instant pattern(JsonNode value, DateTimeFormatter formatter, ZoneId zone) {
        String text = requireText(value, "a timestamp");
        try {
            TemporalAccessor parsed = formatter.parseBest(text, ZonedDateTime::from, LocalDateTime::from,
                    LocalDate::from);
            if (parsed instanceof ZonedDateTime zoned) {
                return zoned.toInstant();
            }
            if (parsed instanceof LocalDateTime local) {
                return local.atZone(zone).toInstant();
            }
            return ((LocalDate) parsed).atStartOfDay(zone).toInstant();
        } catch (DateTimeException e) {
            throw new RecordRejectedException("\"" + shorten(text) + "\" does not match the pattern: " + e.getMessage());
        }
    }

    private static String requireText(JsonNode value, String what) {
        if (!value.isString()) {
            throw new RecordRejectedException("expected " + what + " string, found " + Fields.describe(value));
        }
        return value.stringValue().strip();
    }

    private static BigDecimal number(JsonNode value, String what) {
        if (value.isNumber()) {
            return value.decimalValue();
        }
        if (value.isString()) {
            try {
                return new BigDecimal(value.stringValue().strip());
            } catch (NumberFormatException e) {
                throw new RecordRejectedException("\"" + shorten(value.stringValue()) + "\" is not a number of " + what);
            }
        }
        throw new RecordRejectedException("expected " + what + ", found " + Fields.describe(value));
    }

    static String shorten(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }
}
