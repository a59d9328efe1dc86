package io.tributary.expressions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.expression.EvaluationContext;
import org.springframework.expression.ParseException;
import org.springframework.expression.spel.SpelNode;
import org.springframework.expression.spel.SpelParserConfiguration;
import org.springframework.expression.spel.ast.Assign;
import org.springframework.expression.spel.ast.BeanReference;
import org.springframework.expression.spel.ast.ConstructorReference;
import org.springframework.expression.spel.ast.FunctionReference;
import org.springframework.expression.spel.ast.MethodReference;
import org.springframework.expression.spel.ast.OpDec;
import org.springframework.expression.spel.ast.OpInc;
import org.springframework.expression.spel.ast.TypeReference;
import org.springframework.expression.spel.standard.SpelExpression;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.SimpleEvaluationContext;

/**
 * Compiles user expressions into {@link SandboxedExpression}s: SpEL restricted to reading the
 * record. Two independent lines of defence:
 * <ol>
 *   <li>at compile time the syntax tree is walked and type references ({@code T(...)}),
 *       constructors ({@code new}), bean and function references, assignments, {@code ++}/{@code --}
 *       and calls of methods outside a small allow-list are refused with a message naming the
 *       construct and its position;</li>
 *   <li>at evaluation time the expression runs in a {@link SimpleEvaluationContext} that has no
 *       type locator, no constructor or bean resolvers, read-only property access to maps only,
 *       and a method resolver that answers only for the allow-listed string/collection methods
 *       ({@link #evaluationContext}). So even an expression that slipped past the first check
 *       cannot reach a class, a static method or a setter.</li>
 * </ol>
 * Expressions longer than {@link #MAX_LENGTH} characters are refused. Thread-safe.
 */
public final class ExpressionSandbox {

    public static final int MAX_LENGTH = 1_000;

    private static final SpelExpressionParser PARSER =
            new SpelExpressionParser(new SpelParserConfiguration(null, null, false, false, 100, MAX_LENGTH));

    private ExpressionSandbox() {
    }

    /**
     * Parses and checks an expression.
     *
     * @throws ExpressionException when it is empty, too long, malformed or uses a forbidden construct
     */
    public static SandboxedExpression compile(String source) {
        if (source == null || source.isBlank()) {
            throw new ExpressionException("the expression is empty");
        }
        if (source.length() > MAX_LENGTH) {
            throw new ExpressionException("the expression is longer than " + MAX_LENGTH + " characters");
        }
        SpelExpression expression;
        try {
            expression = PARSER.parseRaw(source);
        } catch (ParseException e) {
            throw new ExpressionException("invalid expression: " + e.getSimpleMessage()
                    + (e.getPosition() >= 0 ? " (at position " + e.getPosition() + ")" : ""), e);
        }
        List<String> problems = new ArrayList<>();
        check(expression.getAST(), problems);
        if (!problems.isEmpty()) {
            throw new ExpressionException("forbidden in expressions: " + String.join("; ", problems));
        }
        return new SandboxedExpression(source, expression);
    }

    /**
     * The evaluation context every sandboxed expression runs in, with {@code root} as
     * {@code #root} and the given variables as {@code #name}.
     */
    public static EvaluationContext evaluationContext(Object root, Map<String, Object> variables) {
        SimpleEvaluationContext context = SimpleEvaluationContext
                .forPropertyAccessors(new ReadOnlyMapAccessor())
                .withMethodResolvers(new AllowedMethods())
                .withRootObject(root)
                .build();
        variables.forEach(context::setVariable);
        return context;
    }

    private static void check(SpelNode node, List<String> problems) {
        String where = " at position " + node.getStartPosition();
        if (node instanceof TypeReference) {
            problems.add("type reference " + node.toStringAST() + where);
        } else if (node instanceof ConstructorReference) {
            problems.add("constructor call" + where);
        } else if (node instanceof BeanReference) {
            problems.add("bean reference" + where);
        } else if (node instanceof FunctionReference) {
            problems.add("function call " + node.toStringAST() + where);
        } else if (node instanceof Assign || node instanceof OpInc || node instanceof OpDec) {
            problems.add("assignment" + where);
        } else if (node instanceof MethodReference method && !AllowedMethods.ALL_NAMES.contains(method.getName())) {
            problems.add("method " + method.getName() + "()" + where + " (allowed: "
                    + String.join(", ", new java.util.TreeSet<>(AllowedMethods.ALL_NAMES)) + ")");
        }
        for (int i = 0; i < node.getChildCount(); i++) {
            check(node.getChild(i), problems);
        }
    }
}
