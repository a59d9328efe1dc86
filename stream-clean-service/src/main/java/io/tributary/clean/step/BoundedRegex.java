package io.tributary.clean.step;

import java.util.regex.Pattern;

/**
 * A user regular expression evaluated with a bounded budget of work. {@code java.util.regex}
 * backtracks: a pattern such as {@code (.*a){25}$} tries exponentially or polynomially many ways
 * over one value and can keep a thread busy for hours. Every character the matcher reads goes
 * through {@link CountingText#charAt}, which counts the reads of this one match and throws
 * {@link RegexBudgetExceededException} past the budget ({@link RegexBudget}: a base plus an
 * allowance per character of the value); the exception unwinds out of the matcher,
 * so the match is abandoned rather than finished. A linear match reads each character a few
 * times, so the budget only cuts off backtracking. Thread-safe: the count lives in the text
 * wrapper of one call.
 */
public final class BoundedRegex {

    private final String source;
    private final Pattern pattern;
    private final RegexBudget budget;

    /**
     * @param source  the expression as the user wrote it (for messages)
     * @param pattern the compiled expression
     * @param budget  characters one match may read
     */
    public BoundedRegex(String source, Pattern pattern, RegexBudget budget) {
        this.source = source;
        this.pattern = pattern;
        this.budget = budget;
    }

    public String source() {
        return source;
    }

    /**
     * Whether the pattern is found anywhere in {@code text} ({@link java.util.regex.Matcher#find()}).
     *
     * @throws RegexBudgetExceededException when the match reads more than the budget
     */
    public boolean find(String text) {
        return pattern.matcher(new CountingText(text, source, budget.forLength(text.length()))).find();
    }

    /** A string whose reads are counted against the budget of one match. */
    private static final class CountingText implements CharSequence {

        private final String text;
        private final String source;
        private final long allowed;
        private long reads;

        CountingText(String text, String source, long allowed) {
            this.text = text;
            this.source = source;
            this.allowed = allowed;
        }

        @Override
        public char charAt(int index) {
            if (++reads > allowed) {
                throw new RegexBudgetExceededException(source, allowed, text.length());
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            // The matcher asks for pieces only to hand out groups, which find() does not do; charge them anyway.
            reads += end - start;
            if (reads > allowed) {
                throw new RegexBudgetExceededException(source, allowed, text.length());
            }
            return text.subSequence(start, end);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
