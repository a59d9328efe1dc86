package io.tributary.clean.process;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import io.tributary.clean.step.StepTests;

import static io.tributary.clean.step.StepTests.FACTORY;
import static io.tributary.clean.step.StepTests.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordProcessorTest {

    private final RecordProcessor processor = RecordProcessor.compile(List.of(
            json("{'type':'validate','schema':{'required':['id']}}"),
            json("{'type':'filter','expression':'id > 0'}"),
            json("{'type':'cast','field':'/id','to':'string'}")), FACTORY);

    private Outcome run(JsonNode value) {
        return processor.process("k", value, Map.of(), 1L);
    }

    @Test
    void shouldRunStepsInOrderAndReportWhereARecordStopped() {
        assertThat(run(json("{'id':5}"))).isEqualTo(new Outcome.Output("k", (tools.jackson.databind.node.ObjectNode)
                json("{'id':'5'}"), Map.of()));
        assertThat(run(json("{'id':0}"))).isEqualTo(new Outcome.Filtered(1, "1:filter"));
        assertThat(run(json("{}"))).isInstanceOfSatisfying(Outcome.DeadLettered.class, d -> {
            assertThat(d.stepIndex()).isZero();
            assertThat(d.step()).isEqualTo("0:validate");
            assertThat(d.reason()).contains("required");
        });
    }

    @Test
    void shouldReportADedupeDropApartFromAFilterAndNameItsStates() {
        RecordProcessor dedupe = RecordProcessor.compile(List.of(
                json("{'type':'filter','expression':'id > 0'}"),
                json("{'type':'dedupe','field':'/id'}")), FACTORY);
        assertThat(dedupe.dedupeStates()).containsExactly("/id");
        assertThat(processor.dedupeStates()).isEmpty();
        io.tributary.clean.step.dedupe.KeyMemory memory = new io.tributary.clean.step.dedupe.KeyMemory();
        assertThat(dedupe.process("k", json("{'id':3}"), Map.of(), 1L, 0, memory)).isInstanceOf(Outcome.Output.class);
        assertThat(dedupe.process("k", json("{'id':3}"), Map.of(), 1L, 1, memory))
                .isEqualTo(new Outcome.Deduplicated(1, "1:dedupe"));
        assertThat(dedupe.process("k", json("{'id':0}"), Map.of(), 1L, 2, memory))
                .isEqualTo(new Outcome.Filtered(0, "0:filter"));
    }

    @Test
    void shouldNotChangeTheSourceValue() {
        JsonNode source = json("{'id':5}");
        run(source);
        assertThat(source).isEqualTo(json("{'id':5}"));
    }

    @Test
    void shouldReadStringifiedJsonAndDeadLetterWhatIsNotAnObject() {
        assertThat(run(json("\"{\\\"id\\\":7}\""))).isInstanceOf(Outcome.Output.class);
        assertThat(run(json("\"{not json\""))).isInstanceOfSatisfying(Outcome.DeadLettered.class, d -> {
            assertThat(d.step()).isEqualTo("parse");
            assertThat(d.reason()).startsWith("invalid JSON");
        });
        assertThat(run(json("[1]"))).isInstanceOfSatisfying(Outcome.DeadLettered.class,
                d -> assertThat(d.reason()).contains("an array"));
        assertThat(run(null)).isInstanceOfSatisfying(Outcome.DeadLettered.class,
                d -> assertThat(d.reason()).contains("tombstone"));
    }

    @Test
    void shouldNameTheIndexAndTypeOfABadStep() {
        assertThatThrownBy(() -> RecordProcessor.compile(List.of(json("{'type':'drop','fields':['/a']}"),
                json("{'type':'cast','field':'/a','to':'integer'}")), FACTORY))
                .isInstanceOfSatisfying(InvalidStepException.class, e -> {
                    assertThat(e.stepIndex()).isEqualTo(1);
                    assertThat(e.stepType()).isEqualTo("cast");
                    assertThat(e.getMessage()).startsWith("steps[1] (cast): \"to\" must be one of");
                });
        assertThatThrownBy(() -> RecordProcessor.compile(List.of(json("{'type':'explode'}")), FACTORY))
                .hasMessageContaining("unknown step type");
    }

    @Test
    void shouldDeadLetterAValueNestedDeeperThanTheLimitAtParse() {
        String deep = "{\"a\":".repeat(150) + "1" + "}".repeat(150);
        Outcome outcome = run(StepTests.JSON.readTree(deep));
        assertThat(outcome).isInstanceOfSatisfying(Outcome.DeadLettered.class, d -> {
            assertThat(d.step()).isEqualTo("parse");
            assertThat(d.reason()).contains("nested").contains("100");
        });
        assertThat(run(json("{'id':5,'a':{'b':{'c':[1,[2]]}}}"))).isInstanceOf(Outcome.Output.class);
    }

    @Test
    void shouldDeadLetterTheRecordWhenAStepThrowsAnErrorInsteadOfLettingItKillTheWorker() {
        RecordProcessor processor = RecordProcessor.of(List.<io.tributary.clean.step.Step>of(record -> {
            throw new StackOverflowError();
        }), List.of("0:validate"));
        assertThat(processor.process("k", json("{'id':1}"), Map.of(), 1L))
                .isInstanceOfSatisfying(Outcome.DeadLettered.class, d -> {
                    assertThat(d.step()).isEqualTo("0:validate");
                    assertThat(d.reason()).contains("StackOverflowError");
                });
    }
}
