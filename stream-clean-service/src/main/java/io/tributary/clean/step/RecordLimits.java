package io.tributary.clean.step;

import java.time.Duration;

/**
 * What a record must stay within to be cleaned rather than dead-lettered.
 *
 * @param maxValueDepth nesting depth (objects and arrays) a value may have when read and after
 *                      the steps; deeper ones are dead-lettered with step {@code parse} (or the
 *                      step that made it deeper), so the sink never refuses an output. Keep it at
 *                      or below the ingest service's produce nesting limit.
 * @param maxFuture     how far after processing time an event time read by a {@code timestamp}
 *                      step may lie
 * @param maxPast       how far before processing time an event time read by a {@code timestamp}
 *                      step may lie
 * @param regexBudget   characters one match of a user regular expression (a validate step's
 *                      {@code pattern} or {@code patternProperties}) may read in one value; a
 *                      match that backtracks past it dead-letters the record ({@link BoundedRegex})
 */
public record RecordLimits(int maxValueDepth, Duration maxFuture, Duration maxPast, RegexBudget regexBudget) {

    public static final RecordLimits DEFAULTS = new RecordLimits(100, Duration.ofDays(1), Duration.ofDays(3650),
            RegexBudget.DEFAULT);

    public RecordLimits {
        if (maxValueDepth < 1 || maxFuture.isNegative() || maxPast.isNegative() || regexBudget == null) {
            throw new IllegalArgumentException("record limits must be positive");
        }
    }
}
