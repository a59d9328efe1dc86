package io.tributary.clean.step;

/**
 * A user regular expression read more characters of one value than its budget allows
 * ({@link BoundedRegex}): it backtracks catastrophically on that value. Thrown from inside
 * {@code java.util.regex}, which then gives up the match; the record is dead-lettered.
 */
public final class RegexBudgetExceededException extends RuntimeException {

    public RegexBudgetExceededException(String pattern, long reads, int length) {
        super("the pattern " + pattern + " read more than " + reads + " characters of a value of " + length
                + " (it backtracks too much on it; the limits are clean.runner.regex-budget and"
                + " clean.runner.regex-budget-per-char)", null, false, false);
    }
}
