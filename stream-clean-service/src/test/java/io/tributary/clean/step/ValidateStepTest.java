package io.tributary.clean.step;

import org.junit.jupiter.api.Test;

import static io.tributary.clean.step.StepTests.applied;
import static io.tributary.clean.step.StepTests.json;
import static io.tributary.clean.step.StepTests.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
