package io.tributary.clean.step.validate;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;

/**
 * JDK regular expressions for the {@code pattern} and {@code patternProperties} keywords, with a
 * bound on the work one match may do: the matcher reads its input through a {@link CharSequence}
 * that counts character reads, and gives up past {@link #MAX_READS} (a catastrophically
 * backtracking pattern such as {@code (a+)+$} on a long value would otherwise hold a pipeline
 * worker for hours). The record is then dead-lettered like any that fails validation.
 */
final class BoundedRegularExpressions implements RegularExpressionFactory {

    /** Reads of the input per match: generous for any sane pattern, milliseconds of work. */
    static final int MAX_READS = 1_000_000;

    static final BoundedRegularExpressions INSTANCE = new BoundedRegularExpressions();

    /** Thrown when a match reads more than {@link #MAX_READS} characters. */
    static final class TooComplexException extends RuntimeException {
        TooComplexException(String pattern) {
            super("the pattern " + (pattern.length() <= 64 ? pattern : pattern.substring(0, 64) + "...")
                    + " needs too much backtracking on this value", null, false, false);
        }
    }

    @Override
    public RegularExpression getRegularExpression(String regex) {
        Pattern pattern;
        try {
            pattern = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid pattern " + regex + ": " + e.getDescription(), e);
        }
        return value -> pattern.matcher(new CountingSequence(value, regex)).find();
    }

    private static final class CountingSequence implements CharSequence {
        private final CharSequence text;
        private final String regex;
        private int reads;

        CountingSequence(CharSequence text, String regex) {
            this.text = text;
            this.regex = regex;
        }

        @Override
        public char charAt(int index) {
            if (++reads > MAX_READS) {
                throw new TooComplexException(regex);
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new CountingSequence(text.subSequence(start, end), regex);
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
