package io.tributary.clean.step;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static io.tributary.clean.step.StepTests.applied;
import static io.tributary.clean.step.StepTests.json;
import static io.tributary.clean.step.StepTests.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class ValidateStepTest {

    private static final String ORDER = "{'type':'validate','schema':{'type':'object','required':['id','amount'],"
            + "'properties':{'id':{'type':'integer'},'amount':{'type':'number','minimum':0}}}}";

    @Test
    void shouldPassValidRecordsUnchanged() {
        assertThat(applied(ORDER, "{'id':1,'amount':2.5}")).isEqualTo(json("{'id':1,'amount':2.5}"));
    }

    @Test
    void shouldRejectRecordsThatBreakTheSchemaNamingTheProblem() {
        assertThatThrownBy(() -> applied(ORDER, "{'id':'one','amount':-1}"))
                .isInstanceOf(RecordRejectedException.class)
                .hasMessageContaining("schema validation failed")
                .hasMessageContaining("/id")
                .hasMessageContaining("integer");
        assertThatThrownBy(() -> applied(ORDER, "{}")).hasMessageContaining("required");
    }

    @Test
    void shouldRefuseSchemasThatAreNotDraft202012() {
        assertThatThrownBy(() -> step("{'type':'validate','schema':{'type':'strnig'}}"))
                .isInstanceOf(StepConfigException.class).hasMessageContaining("not a valid draft 2020-12 schema");
        assertThatThrownBy(() -> step("{'type':'validate','schema':'object'}"))
                .isInstanceOf(StepConfigException.class).hasMessageContaining("must be a JSON Schema object");
        assertThatThrownBy(() -> step("{'type':'validate'}")).isInstanceOf(StepConfigException.class);
    }

    @Test
    void shouldRefuseRemoteReferences() {
        assertThatThrownBy(() -> step("{'type':'validate','schema':{'$ref':'http://169.254.169.254/x'}}"))
                .isInstanceOf(StepConfigException.class).hasMessageContaining("local references");
        assertThat(applied("{'type':'validate','schema':{'$defs':{'id':{'type':'integer'}},"
                + "'properties':{'id':{'$ref':'#/$defs/id'}}}}", "{'id':3}")).isEqualTo(json("{'id':3}"));
    }

    @Test
    void shouldRefuseSchemasWhoseReferencesLoopWithoutReadingTheValue() {
        assertThatThrownBy(() -> step("{'type':'validate','schema':{'$ref':'#'}}"))
                .isInstanceOf(StepConfigException.class).hasMessageContaining("refers to itself");
        assertThatThrownBy(() -> step("{'type':'validate','schema':{'$defs':{'a':{'allOf':[{'$ref':'#/$defs/b'}]},"
                + "'b':{'not':{'$ref':'#/$defs/a'}}},'$ref':'#/$defs/a'}}"))
                .isInstanceOf(StepConfigException.class).hasMessageContaining("refers to itself");
        // Recursion that descends into the value (a tree of nodes) is fine.
        assertThat(applied("{'type':'validate','schema':{'type':'object','properties':{'children':"
                + "{'type':'array','items':{'$ref':'#'}}}}}", "{'children':[{'children':[]}]}"))
                .isEqualTo(json("{'children':[{'children':[]}]}"));
    }

    @Test
    void shouldRejectARecordOnWhichAPatternBacktracksPastTheBudgetInsteadOfSpinning() {
        String schema = "{'type':'validate','schema':{'type':'object','properties':{'code':{'type':'string',"
                + "'pattern':'(.*a){25}$'}}}}";
        Step step = step(schema);
        // java.util.regex memoizes nested loops such as (a+)+, but not a counted repetition of ".*": each of the
        // 25 groups tries every split of the 40 a's before the "!" fails the match, which runs for hours
        // unbounded. The timeout only guards against a hang.
        assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
                assertThatThrownBy(() -> step.apply(StepTests.record("{'code':'" + "a".repeat(40) + "!'}")))
                        .isInstanceOf(RecordRejectedException.class)
                        .hasMessageContaining("(.*a){25}$")
                        .hasMessageContaining("clean.runner.regex-budget"));
        // The same pattern still answers where it does not backtrack much.
        assertThatThrownBy(() -> step.apply(StepTests.record("{'code':'b'}")))
                .isInstanceOf(RecordRejectedException.class).hasMessageContaining("does not match");
        assertThat(step.apply(StepTests.record("{'other':'" + "a".repeat(40) + "!'}"))).isTrue();
    }

    @Test
    void shouldMatchLongValuesLinearlyWithoutHittingTheBudget() {
        // Two million characters read once each: more than the base budget, well within it per character.
        Step step = step("{'type':'validate','schema':{'properties':{'blob':{'pattern':'^[a-z]+$'}}}}");
        assertThat(step.apply(StepTests.record("{'blob':'" + "a".repeat(2_000_000) + "'}"))).isTrue();
        assertThatThrownBy(() -> step.apply(StepTests.record("{'blob':'" + "a".repeat(2_000_000) + "!'}")))
                .isInstanceOf(RecordRejectedException.class).hasMessageContaining("does not match");
    }

    @Test
    void shouldGiveUpInsideCombinatorsToo() {
        // "not" and "anyOf" evaluate subschemas on the side: the budget must end the whole validation there too.
        for (String schema : List.of("{'not':{'properties':{'code':{'pattern':'(.*a){25}$'}}}}",
                "{'anyOf':[{'properties':{'code':{'pattern':'(.*a){25}$'}}},{'required':['other']}]}")) {
            Step step = step("{'type':'validate','schema':" + schema + "}");
            assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
                    assertThatThrownBy(() -> step.apply(StepTests.record("{'code':'" + "a".repeat(40) + "!'}")))
                            .as(schema).isInstanceOf(RecordRejectedException.class)
                            .hasMessageContaining("clean.runner.regex-budget"));
        }
    }

    @Test
    void shouldBoundPatternPropertiesToo() {
        Step step = step("{'type':'validate','schema':{'type':'object','patternProperties':{'^(.*x){25}$':"
                + "{'type':'integer'}}}}");
        assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
                assertThatThrownBy(() -> step.apply(StepTests.record("{'" + "x".repeat(40) + "!':1}")))
                        .isInstanceOf(RecordRejectedException.class)
                        .hasMessageContaining("clean.runner.regex-budget"));
        Step linear = step("{'type':'validate','schema':{'type':'object','patternProperties':{'^x+$':"
                + "{'type':'integer'}}}}");
        assertThatThrownBy(() -> linear.apply(StepTests.record("{'" + "x".repeat(40) + "':'one'}")))
                .isInstanceOf(RecordRejectedException.class).hasMessageContaining("integer");
        assertThat(linear.apply(StepTests.record("{'" + "x".repeat(40) + "':1,'y':'one'}"))).isTrue();
    }

    @Test
    void shouldKeepEcmaScriptDollarSemantics() {
        // In JSON Schema (ECMA-262) "$" is the end of the input, not "before a final line break".
        Step step = step("{'type':'validate','schema':{'properties':{'code':{'pattern':'^a$'}}}}");
        assertThatThrownBy(() -> step.apply(StepTests.record("{'code':'a\\n'}")))
                .isInstanceOf(RecordRejectedException.class).hasMessageContaining("does not match");
        assertThat(step.apply(StepTests.record("{'code':'a'}"))).isTrue();
    }

    @Test
    void shouldRefuseInvalidPatternsAnywhereInTheSchemaAtCreateTime() {
        assertThatThrownBy(() -> step("{'type':'validate','schema':{'properties':{'a':{'properties':"
                + "{'b':{'pattern':'(unclosed'}}}}}}"))
                .isInstanceOf(StepConfigException.class).hasMessageContaining("(unclosed");
        assertThatThrownBy(() -> step("{'type':'validate','schema':{'$defs':{'x':{'patternProperties':"
                + "{'[z-a]':{}}}}}}"))
                .isInstanceOf(StepConfigException.class).hasMessageContaining("[z-a]");
    }
}
