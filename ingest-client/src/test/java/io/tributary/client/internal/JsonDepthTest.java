package io.tributary.client.internal;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** The client reads answers whose values are nested well past ingest's own value limit. */
class JsonDepthTest {

    @Test
    void aFetchAnswerWrappingAValueNestedFiveHundredDeepIsRead() {
        int depth = 500;
        String value = "[".repeat(depth) + "]".repeat(depth);
        String answer = "{\"records\":[{\"offset\":0,\"value\":" + value + "}],\"nextOffset\":1}";
        JsonNode node = Json.MAPPER.readTree(answer);
        assertThat(node.path("records").get(0).path("value").toString()).isEqualTo(value);
        Json.requireSingleValue(value);
    }
}
