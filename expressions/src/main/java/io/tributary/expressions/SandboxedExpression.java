package io.tributary.expressions;

import java.util.Map;

import org.springframework.expression.EvaluationException;
import org.springframework.expression.spel.standard.SpelExpression;

import tools.jackson.databind.JsonNode;

/**
 * A checked expression, ready to evaluate against records. Fields of the record are read as
 * properties of the root ({@code amount > 10}, {@code customer.country == 'DE'},
 * {@code ['first name']}); a missing field reads as {@code null}. Thread-safe: every evaluation
 * gets its own context.
 */
public final class SandboxedExpression {

    private final String source;
    private final SpelExpression expression;

    SandboxedExpression(String source, SpelExpression expression) {
        this.source = source;
        this.expression = expression;
    }

    public String source() {
        return source;
    }

    /**
     * Evaluates against a JSON value (the root) and extra variables ({@code #key}, ...).
     *
     * @throws ExpressionException when evaluation fails (a refused call, a type mismatch, ...)
     */
    public Object evaluate(JsonNode root, Map<String, Object> variables) {
        try {
            return expression.getValue(ExpressionSandbox.evaluationContext(JsonValues.toJava(root), variables));
        } catch (EvaluationException e) {
            throw new ExpressionException("expression failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new ExpressionException("expression failed: " + e, e);
        }
    }

    /**
     * Evaluates a predicate.
     *
     * @throws ExpressionException when it fails or its result is not a boolean (null included)
     */
    public boolean test(JsonNode root, Map<String, Object> variables) {
        Object result = evaluate(root, variables);
        if (result instanceof Boolean bool) {
            return bool;
        }
        throw new ExpressionException("expression '" + source + "' gave "
                + (result == null ? "null" : result.getClass().getSimpleName() + " " + result) + ", not a boolean");
    }

    @Override
    public String toString() {
        return source;
    }
}
