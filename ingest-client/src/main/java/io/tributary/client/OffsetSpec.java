package io.tributary.client;

import java.time.Instant;

/**
 * Which offset to look up: the earliest, the latest, or the first at or after a timestamp.
 *
 * @param query the value of the {@code at} query parameter
 */
public record OffsetSpec(String query) {

    public static OffsetSpec earliest() {
        return new OffsetSpec("earliest");
    }

    public static OffsetSpec latest() {
        return new OffsetSpec("latest");
    }

    public static OffsetSpec at(Instant timestamp) {
        return new OffsetSpec(Long.toString(timestamp.toEpochMilli()));
    }
}
