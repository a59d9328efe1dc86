package io.tributary.expressions;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.expression.EvaluationException;
import org.springframework.expression.spel.standard.SpelExpressionParser;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExpressionSandboxTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static JsonNode json(String text) {
        return JSON.readTree(text);
    }

    private static boolean test(String expression, String value) {
        return ExpressionSandbox.compile(expression).test(json(value), Map.of());
    }

    @Test
    void shouldEvaluatePredicatesOverRecordFields() {
        String order = "{\"amount\":12.5,\"qty\":3,\"customer\":{\"country\":\"DE\",\"email\":\"a@b.de\"},"
                + "\"tags\":[\"x\",\"y\"],\"first name\":\"Ann\"}";
        assertThat(test("amount > 10 and qty == 3", order)).isTrue();
        assertThat(test("customer.country == 'DE'", order)).isTrue();
        assertThat(test("customer.email.endsWith('.de')", order)).isTrue();
        assertThat(test("tags.size() == 2 and tags[0] == 'x'", order)).isTrue();
        assertThat(test("['first name'] matches 'A.*'", order)).isTrue();
        assertThat(test("qty < 2", order)).isFalse();
    }

    @Test
    void shouldReadMissingFieldsAsNull() {
        assertThat(test("missing == null", "{}")).isTrue();
        assertThat(test("customer?.email == null", "{}")).isTrue();
    }

    @Test
    void shouldExposeVariables() {
        SandboxedExpression expression = ExpressionSandbox.compile("#key == 'k1' and #headers['src'] == 'web'");
        assertThat(expression.test(json("{}"), Map.of("key", "k1", "headers", Map.of("src", "web")))).isTrue();
    }

    @Test
    void shouldRefuseTypeReferencesAtCompileTime() {
        assertThatThrownBy(() -> ExpressionSandbox.compile("T(java.lang.Runtime).getRuntime()"))
                .isInstanceOf(ExpressionException.class)
                .hasMessageContaining("type reference");
        assertThatThrownBy(() -> ExpressionSandbox.compile("T(java.lang.Runtime).getRuntime().exec('id') != null"))
                .isInstanceOf(ExpressionException.class)
                .hasMessageContaining("type reference")
                .hasMessageContaining("method getRuntime()");
    }

    @Test
    void shouldRefuseConstructorsAssignmentsBeansFunctionsAndOtherMethods() {
        assertThatThrownBy(() -> ExpressionSandbox.compile("new java.io.File('/etc/passwd').exists()"))
                .hasMessageContaining("constructor call");
        assertThatThrownBy(() -> ExpressionSandbox.compile("amount = 5")).hasMessageContaining("assignment");
        assertThatThrownBy(() -> ExpressionSandbox.compile("@runtime")).hasMessageContaining("bean reference");
        assertThatThrownBy(() -> ExpressionSandbox.compile("#exec('x')")).hasMessageContaining("function call");
        assertThatThrownBy(() -> ExpressionSandbox.compile("name.getClass()")).hasMessageContaining("method getClass()");
        assertThatThrownBy(() -> ExpressionSandbox.compile("qty++")).hasMessageContaining("assignment");
    }

    @Test
    void shouldRefuseTypeReferencesAtEvaluationEvenWithoutTheCompileCheck() {
        // The second line of defence: the raw SpEL expression run in the sandbox's context.
        var raw = new SpelExpressionParser().parseRaw("T(java.lang.Runtime).getRuntime()");
        assertThatThrownBy(() -> raw.getValue(ExpressionSandbox.evaluationContext(Map.of(), Map.of())))
                .isInstanceOf(EvaluationException.class);
        var viaClass = new SpelExpressionParser().parseRaw("'x'.getClass().forName('java.lang.Runtime')");
        assertThatThrownBy(() -> viaClass.getValue(ExpressionSandbox.evaluationContext(Map.of(), Map.of())))
                .isInstanceOf(EvaluationException.class);
        var write = new SpelExpressionParser().parseRaw("amount = 1");
        assertThatThrownBy(() -> write.getValue(ExpressionSandbox.evaluationContext(
                new java.util.HashMap<>(Map.of("amount", 2)), Map.of())))
                .isInstanceOf(EvaluationException.class);
    }

    @Test
    void shouldRefuseAllowListedNamesOnOtherTypesAtEvaluation() {
        SandboxedExpression expression = ExpressionSandbox.compile("qty.contains(1)");
        assertThatThrownBy(() -> expression.test(json("{\"qty\":3}"), Map.of()))
                .isInstanceOf(ExpressionException.class);
    }

    @Test
    void shouldRejectMalformedEmptyAndOverlongExpressions() {
        assertThatThrownBy(() -> ExpressionSandbox.compile("amount >")).hasMessageContaining("invalid expression");
        assertThatThrownBy(() -> ExpressionSandbox.compile(" ")).hasMessageContaining("empty");
        assertThatThrownBy(() -> ExpressionSandbox.compile("a".repeat(1001))).hasMessageContaining("longer than");
    }

    @Test
    void shouldRejectNonBooleanPredicateResults() {
        assertThatThrownBy(() -> test("amount", "{\"amount\":3}")).hasMessageContaining("not a boolean");
        assertThatThrownBy(() -> test("missing", "{}")).hasMessageContaining("null");
    }
}
