package io.tributary.analytics.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A record whose group-by value is too long for a result row's key (the store's column holds
 * {@value WindowEngine#MAX_GROUP_KEY_CHARS} characters; the state's format 64 KiB per value) is
 * counted invalid instead of failing the batch's commit for ever; the state still serialises.
 */
class GroupKeyBoundTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void shouldCountARecordWhoseGroupKeyCannotBeStoredInvalid() {
        WindowEngine engine = new WindowEngine(WindowEngineTest.spec(new WindowSpec.Tumbling(60_000), 0,
                OutputMode.UPDATE));
        JsonNode huge = JSON.createObjectNode().put("ts", 1_000).put("country", "x".repeat(70_000)).put("amount", 1);
        JsonNode quotes = JSON.createObjectNode().put("ts", 1_000).put("country", "\"".repeat(1_000)).put("amount", 1);
        JsonNode fine = JSON.createObjectNode().put("ts", 1_000).put("country", "y".repeat(1_990)).put("amount", 1);
        BatchResult result = engine.process(List.of(huge, quotes, fine));
        assertThat(result.invalidRows()).isEqualTo(2);
        assertThat(result.rows()).singleElement().satisfies(row -> assertThat(row.key().group().get(0)).hasSize(1_990));
        assertThat(WindowEngine.restore(WindowEngineTest.spec(new WindowSpec.Tumbling(60_000), 0, OutputMode.UPDATE), engine.snapshot()).stateRows()).isEqualTo(1);
    }
}
