package io.tributary.clean.step;

/**
 * A user regular expression read more characters of one value than its budget allows
 * ({@link BoundedRegex}): it backtracks catastrophically on that value. Thrown from inside
 * {@code java.util.regex}, which then gives up the match; the record is dead-lettered.
 */
public final class RegexBudgetExceededException extends RuntimeException {

    private final String pattern;
    private final long budget;

    public RegexBudgetExceededException(String pattern, long budget) {
        super("the pattern " + pattern + " read more than " + budget + " characters of one value (it backtracks"
                + " too much on it; the limit is clean.runner.regex-budget)", null, false, false);
        this.pattern = pattern;
        this.budget = budget;
    }

    public String pattern() {
        return pattern;
    }

    public long budget() {
        return budget;
    }
}
