package io.tributary.clean.step;

/**
 * How many characters one match of a user regular expression may read in one value: {@code base}
 * plus {@code perChar} for each character of the value. A linear match reads each character a few
 * times, so a long value matched linearly stays well within it; backtracking reads the same
 * characters over and over, and exceeds it on short values already.
 *
 * @param base    reads allowed whatever the value's length, at least 1
 * @param perChar further reads allowed per character of the value, at least 0
 */
public record RegexBudget(long base, int perChar) {

    public static final RegexBudget DEFAULT = new RegexBudget(1_000_000, 100);

    public RegexBudget {
        if (base < 1 || perChar < 0) {
            throw new IllegalArgumentException("a regex budget needs a positive base and a per-character allowance"
                    + " of at least 0, was " + base + " and " + perChar);
        }
    }

    /** The reads allowed for a value of {@code length} characters. */
    public long forLength(int length) {
        long allowance = (long) perChar * length;
        return base > Long.MAX_VALUE - allowance ? Long.MAX_VALUE : base + allowance;
    }
}
