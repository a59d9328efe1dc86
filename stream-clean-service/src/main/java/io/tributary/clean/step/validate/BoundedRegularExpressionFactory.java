package io.tributary.clean.step.validate;

import java.util.regex.Pattern;

import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import com.networknt.schema.regex.RegularExpressions;

import io.tributary.clean.step.BoundedRegex;
import io.tributary.clean.step.RegexBudget;

/**
 * The regular expressions of a validate step's schema ({@code pattern}, {@code patternProperties})
 * as {@link BoundedRegex}es. Plugged into the step's schema registry
 * ({@code SchemaRegistryConfig.regularExpressionFactory}); the library's {@code PatternValidator}
 * and {@code PatternPropertiesValidator} compile through it ({@code RegularExpression.compile}).
 * The pattern text is rewritten as the library's own JDK factory does (ECMA-262 {@code $} is the end
 * of the input; long-form Unicode property names), so only the cost changes, not the meaning.
 */
final class BoundedRegularExpressionFactory implements RegularExpressionFactory {

    private final RegexBudget budget;

    BoundedRegularExpressionFactory(RegexBudget budget) {
        this.budget = budget;
    }

    @Override
    public RegularExpression getRegularExpression(String regex) {
        BoundedRegex bounded = new BoundedRegex(regex, compile(regex), budget);
        return bounded::find;
    }

    /**
     * Compiles a schema pattern as the validator will.
     *
     * @throws java.util.regex.PatternSyntaxException when it is not a valid expression
     */
    static Pattern compile(String regex) {
        return Pattern.compile(RegularExpressions.replaceLongformCharacterProperties(
                RegularExpressions.replaceDollarAnchors(regex)));
    }
}
