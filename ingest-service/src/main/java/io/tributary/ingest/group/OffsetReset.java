package io.tributary.ingest.group;

import io.tributary.ingest.problem.InvalidRequestException;
import java.util.Locale;

/** Where a partition without a (valid) committed offset starts. */
enum OffsetReset {
    EARLIEST, LATEST;

    static OffsetReset parse(String value) {
        if (value == null) {
            return LATEST;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "earliest" -> EARLIEST;
            case "latest" -> LATEST;
            default -> throw new InvalidRequestException(
                    "autoOffsetReset must be earliest or latest, was " + value);
        };
    }
}
