package io.tributary.clean.step;

import org.junit.jupiter.api.Test;

import static io.tributary.clean.step.StepTests.applied;
import static io.tributary.clean.step.StepTests.json;
import static io.tributary.clean.step.StepTests.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** drop, rename, insert and flatten. */
class FieldStepsTest {

    @Test
    void shouldDropFieldsAndIgnoreAbsentOnes() {
        assertThat(applied("{'type':'drop','fields':['/password','/debug/trace','/nope','/list/0']}",
                "{'password':'x','debug':{'trace':1,'keep':2},'list':[1,2],'id':1}"))
                .isEqualTo(json("{'debug':{'keep':2},'list':[2],'id':1}"));
    }

    @Test
    void shouldRefuseDropWithoutPointers() {
        assertThatThrownBy(() -> step("{'type':'drop','fields':['password']}")).hasMessageContaining("JSON Pointer");
        assertThatThrownBy(() -> step("{'type':'drop','fields':[]}")).isInstanceOf(StepConfigException.class);
        assertThatThrownBy(() -> step("{'type':'drop','fields':['/a'],'feilds':1}"))
                .hasMessageContaining("unknown option \"feilds\"");
    }

    @Test
    void shouldRenameIntoNewParentsAndLeaveRecordsWithoutTheField() {
        assertThat(applied("{'type':'rename','from':'/usr','to':'/user/name'}", "{'usr':'ann','user':null}"))
                .isEqualTo(json("{'user':{'name':'ann'}}"));
        assertThat(applied("{'type':'rename','from':'/usr','to':'/user'}", "{'id':1}")).isEqualTo(json("{'id':1}"));
    }

    @Test
    void shouldRejectRenameThroughAScalarAndRefuseBadConfigs() {
        assertThatThrownBy(() -> applied("{'type':'rename','from':'/a','to':'/b/c'}", "{'a':1,'b':5}"))
                .isInstanceOf(RecordRejectedException.class).hasMessageContaining("parent is a number");
        assertThatThrownBy(() -> step("{'type':'rename','from':'/a','to':'/a/b'}")).isInstanceOf(StepConfigException.class);
        assertThatThrownBy(() -> step("{'type':'rename','from':'/a'}")).isInstanceOf(StepConfigException.class);
    }

    @Test
    void shouldInsertStaticValuesProcessingTimeAndHeaders() {
        assertThat(applied("{'type':'insert','field':'/meta/source','value':{'sys':'web'}}", "{}"))
                .isEqualTo(json("{'meta':{'source':{'sys':'web'}}}"));
        assertThat(applied("{'type':'insert','field':'/at','processingTime':true}", "{}"))
                .isEqualTo(json("{'at':'2026-01-02T03:04:05.678Z'}"));
        assertThat(applied("{'type':'insert','field':'/src','header':'src'}", "{}")).isEqualTo(json("{'src':'web'}"));
        assertThat(applied("{'type':'insert','field':'/x','header':'absent'}", "{}")).isEqualTo(json("{'x':null}"));
    }

    @Test
    void shouldRefuseInsertWithoutExactlyOneSourceAndRejectWritesIntoScalars() {
        assertThatThrownBy(() -> step("{'type':'insert','field':'/x'}")).hasMessageContaining("exactly one");
        assertThatThrownBy(() -> step("{'type':'insert','field':'/x','value':1,'header':'h'}"))
                .hasMessageContaining("exactly one");
        assertThatThrownBy(() -> applied("{'type':'insert','field':'/a/b','value':1}", "{'a':'text'}"))
                .isInstanceOf(RecordRejectedException.class);
    }

    @Test
    void shouldFlattenNestedObjectsKeepingArraysAndEmptyObjects() {
        assertThat(applied("{'type':'flatten'}", "{'a':{'b':1,'c':{'d':[1,{'e':2}]}},'f':{},'g':null}"))
                .isEqualTo(json("{'a.b':1,'a.c.d':[1,{'e':2}],'f':{},'g':null}"));
        assertThat(applied("{'type':'flatten','separator':'_','field':'/p'}", "{'p':{'x':{'y':1}},'q':{'r':1}}"))
                .isEqualTo(json("{'p':{'x_y':1},'q':{'r':1}}"));
    }

    @Test
    void shouldRejectFlattenCollisionsAndNonObjects() {
        assertThatThrownBy(() -> applied("{'type':'flatten'}", "{'a':{'b':1},'a.b':2}"))
                .isInstanceOf(RecordRejectedException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> applied("{'type':'flatten','field':'/p'}", "{'p':[1]}"))
                .isInstanceOf(RecordRejectedException.class).hasMessageContaining("an array");
        assertThatThrownBy(() -> step("{'type':'flatten','separator':''}")).isInstanceOf(StepConfigException.class);
    }
}
