package io.tributary.clean.step;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.tributary.clean.step.enrich.ReferenceLookup;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import static io.tributary.clean.step.StepTests.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnrichStepTest {

    private static final Map<String, JsonNode> COUNTRIES = Map.of("DE", json("{'name':'Germany','eu':true}"),
            "42", json("{'answer':true}"));

    private final StepFactory factory = new StepFactory("salt", Clock.systemUTC(), new ReferenceLookup() {
        @Override
        public boolean exists(String table) {
            return table.equals("countries");
        }

        @Override
        public Optional<JsonNode> find(String table, String key) {
            return Optional.ofNullable(COUNTRIES.get(key));
        }
    });

    private JsonNode enrich(String options, String value) {
        WorkingRecord record = new WorkingRecord(null, (ObjectNode) json(value), Map.of(), 0);
        factory.create(json("{'type':'enrich','table':'countries','key':'/c','target':'/country'" + options + "}"))
                .apply(record);
        return record.value();
    }

    @Test
    void shouldWriteTheRowOfTheKeyToTheTarget() {
        assertThat(enrich("", "{'c':'DE'}")).isEqualTo(json("{'c':'DE','country':{'name':'Germany','eu':true}}"));
        assertThat(enrich("", "{'c':42}")).isEqualTo(json("{'c':42,'country':{'answer':true}}"));
    }

    @Test
    void shouldDeadLetterWriteNullOrSkipWhenThereIsNoRow() {
        assertThatThrownBy(() -> enrich("", "{'c':'XX'}")).isInstanceOf(RecordRejectedException.class)
                .hasMessageContaining("no row for /c = \"XX\" in reference table countries");
        assertThatThrownBy(() -> enrich("", "{}")).isInstanceOf(RecordRejectedException.class);
        assertThat(enrich(",'missing':'null'", "{'c':'XX'}")).isEqualTo(json("{'c':'XX','country':null}"));
        assertThat(enrich(",'missing':'skip'", "{'c':null}")).isEqualTo(json("{'c':null}"));
    }

    @Test
    void shouldRejectContainerKeysAndRefuseUnknownTables() {
        assertThatThrownBy(() -> enrich("", "{'c':{'x':1}}")).isInstanceOf(RecordRejectedException.class)
                .hasMessageContaining("an object");
        assertThatThrownBy(() -> factory.create(json("{'type':'enrich','table':'cities','key':'/c','target':'/t'}")))
                .isInstanceOf(StepConfigException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> enrich(",'missing':'ignore'", "{}")).isInstanceOf(StepConfigException.class);
    }
}
