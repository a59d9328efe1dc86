package io.tributary.analytics.spark;

import java.util.ArrayList;
import java.util.List;

import tools.jackson.core.JsonPointer;

/**
 * Spark SQL that reads a field of the record, which the driver holds as a {@code VARIANT} column {@code _v}
 * ({@code try_parse_json} of the value). A field is a list of names (a JSON Pointer's segments, or the path of a
 * filter's property references); segments of digits index arrays, as a JSON Pointer's do. With a join, the
 * joined value is the column {@code _j}: a field at or under the join's target is read from it, as the builtin
 * engine reads the value it put there.
 */
final class FieldSql {

    /** The join's target as segments; null without a join. */
    private final List<String> joinTarget;

    FieldSql(List<String> joinTarget) {
        this.joinTarget = joinTarget == null ? null : List.copyOf(joinTarget);
    }

    static List<String> segments(String pointer) {
        List<String> segments = new ArrayList<>();
        for (JsonPointer at = JsonPointer.compile(pointer); !at.matches(); at = at.tail()) {
            segments.add(at.getMatchingProperty());
        }
        return segments;
    }

    /** The variant path of a field: {@code $['customer']['country']}, {@code $['items'][0]}. */
    static String path(List<String> segments) {
        StringBuilder path = new StringBuilder("$");
        for (String segment : segments) {
            if (!segment.isEmpty() && segment.length() < 10 && segment.chars().allMatch(Character::isDigit)) {
                path.append('[').append(segment).append(']');
            } else {
                path.append("['").append(segment.replace("\\", "\\\\").replace("'", "\\'")).append("']");
            }
        }
        return path.toString();
    }

    /** A SQL string literal. */
    static String literal(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** The field as a SQL type ({@code double}, {@code string}, {@code boolean}, {@code bigint}); NULL when missing or not of it. */
    String typed(List<String> segments, String type) {
        if (joinTarget != null && segments.size() >= joinTarget.size()
                && segments.subList(0, joinTarget.size()).equals(joinTarget)) {
            return "try_variant_get(_j, " + literal(path(segments.subList(joinTarget.size(), segments.size())))
                    + ", '" + type + "')";
        }
        return "try_variant_get(_v, " + literal(path(segments)) + ", '" + type + "')";
    }

    /**
     * The field as text, as the builtin engine keys groups and counts distinct values: a string as it is, a
     * number or boolean as its JSON text, an object or array as its JSON; NULL when missing or JSON null.
     */
    String text(List<String> segments) {
        String value = typed(segments, "variant");
        return "CASE WHEN " + value + " IS NULL OR is_variant_null(" + value + ") THEN NULL ELSE coalesce("
                + "try_variant_get(" + value + ", '$', 'string'), to_json(" + value + ")) END";
    }

    /**
     * The event time as a timestamp: a number is epoch milliseconds, a string of digits too, any other string
     * ISO-8601 (UTC without an offset); NULL when missing, unreadable, or outside [now - maxPast, now + maxFuture]
     * (the builtin engine's {@code analytics.event-time} bounds, counted there as invalid rows).
     */
    String eventTime(String pointer, long maxPastMs, long maxFutureMs) {
        List<String> segments = segments(pointer);
        String time = "coalesce(timestamp_millis(" + typed(segments, "bigint") + "), try_to_timestamp("
                + typed(segments, "string") + "))";
        return "CASE WHEN " + time + " BETWEEN current_timestamp() - make_dt_interval(0, 0, 0, " + maxPastMs / 1000
                + ") AND current_timestamp() + make_dt_interval(0, 0, 0, " + maxFutureMs / 1000 + ") THEN " + time
                + " END";
    }
}
