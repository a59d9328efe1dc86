package io.tributary.clean.step.filter;

import java.util.Map;

import io.tributary.clean.step.RecordRejectedException;
import io.tributary.clean.step.Step;
import io.tributary.clean.step.StepConfig;
import io.tributary.clean.step.StepConfigException;
import io.tributary.clean.step.WorkingRecord;
import io.tributary.expressions.ExpressionException;
import io.tributary.expressions.ExpressionSandbox;
import io.tributary.expressions.SandboxedExpression;

/**
 * {@code {"type":"filter","expression":"amount > 10 and customer.country == 'DE'"}}: keeps the
 * records for which the sandboxed expression ({@link ExpressionSandbox}) is true and filters out
 * the others. Record fields are properties of the root; {@code #key}, {@code #headers} and
 * {@code #timestamp} (epoch millis) are variables. An expression that fails on a record, or
 * gives something other than a boolean, dead-letters it.
 */
public final class FilterStep implements Step {

    private final SandboxedExpression expression;

    private FilterStep(SandboxedExpression expression) {
        this.expression = expression;
    }

    public static FilterStep from(StepConfig config) {
        config.allowOnly("expression");
        try {
            return new FilterStep(ExpressionSandbox.compile(config.text("expression")));
        } catch (ExpressionException e) {
            throw new StepConfigException("\"expression\": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean apply(WorkingRecord record) {
        Map<String, Object> variables = new java.util.HashMap<>();
        variables.put("key", record.key());
        variables.put("headers", Map.copyOf(record.headers()));
        variables.put("timestamp", record.timestamp());
        try {
            return expression.test(record.value(), variables);
        } catch (ExpressionException e) {
            throw new RecordRejectedException(e.getMessage());
        }
    }
}
