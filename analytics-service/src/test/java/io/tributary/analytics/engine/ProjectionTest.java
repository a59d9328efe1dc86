package io.tributary.analytics.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reading a job's fields from tokens must give exactly what reading them from the tree gives. */
class ProjectionTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Projection PROJECTION = new Projection(List.of("/ts", "/country", "/amount", "/user/id",
            "/user", "/items/1/sku", "/a~1b", "/missing/deep", "/user/id"));

    @Test
    void shouldReadTheSameSlotsFromTokensAsFromTheTree() {
        for (String value : List.of(
                "{\"ts\":1700000000000,\"country\":\"DE\",\"amount\":12.5,\"user\":{\"id\":7,\"name\":\"x\"},"
                        + "\"items\":[{\"sku\":\"a\"},{\"sku\":\"b\",\"n\":[1,2]}],\"a/b\":true,\"noise\":{\"x\":[{}]}}",
                "{\"noise\":[1,2,{\"ts\":3}],\"ts\":\"2024-05-01T12:00:00Z\",\"amount\":\"7\",\"country\":null}",
                "{\"user\":\"plain\",\"items\":\"none\",\"missing\":5}",
                "{\"amount\":123456789012345678901234567890,\"ts\":-1}",
                "{}", "[1,2,3]", "\"text\"", "42", "null")) {
            JsonNode tree = JSON.readTree(value);
            assertThat(fromTokens(value)).as(value).isEqualTo(PROJECTION.of(tree));
        }
    }

    @Test
    void shouldLeaveTheParserOnTheValuesLastToken() {
        try (JsonParser parser = JSON.createParser("[{\"ts\":1,\"skip\":{\"a\":[1]},\"user\":{\"id\":2}},{\"ts\":3}]")) {
            parser.nextToken();
            parser.nextToken();
            JsonNode[] first = PROJECTION.read(parser);
            parser.nextToken();
            JsonNode[] second = PROJECTION.read(parser);
            assertThat(first[0].asLong()).isEqualTo(1);
            assertThat(first[3].asLong()).isEqualTo(2);
            assertThat(second[0].asLong()).isEqualTo(3);
            assertThat(second[3]).isNull();
        }
    }

    private static JsonNode[] fromTokens(String value) {
        try (JsonParser parser = JSON.createParser(value)) {
            parser.nextToken();
            JsonNode[] row = PROJECTION.read(parser);
            assertThat(parser.nextToken()).as("the value was consumed exactly").isNull();
            return row;
        }
    }
}
