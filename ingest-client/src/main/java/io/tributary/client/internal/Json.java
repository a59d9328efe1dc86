package io.tributary.client.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The shared mapper plus null-tolerant readers for optional response fields. */
public final class Json {

    /**
     * Deepest JSON nesting the client reads. Comfortably above what ingest accepts in a record
     * value ({@code ingest.produce.max-value-depth}, default 100) plus the levels an answer wraps
     * a value in (a fetch: answer, records, record; a group poll: a few more), so that any record
     * ingest accepted can be read back. Every reader of the client goes through {@link #MAPPER}.
     */
    public static final int MAX_NESTING_DEPTH = 1000;

    public static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
            .build()).build();

    private Json() {
    }

    /**
     * Checks that {@code text} is exactly one JSON value, by streaming over its tokens without
     * building a tree.
     *
     * @throws IllegalArgumentException when it is not
     */
    public static void requireSingleValue(String text) {
        try (JsonParser parser = MAPPER.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new IllegalArgumentException("value is empty, expected JSON");
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException("value has content after the first JSON value");
            }
        } catch (tools.jackson.core.JacksonException e) {
            throw new IllegalArgumentException("value is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The field as text, or null when missing or JSON null. */
    public static String textOrNull(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isMissingNode() || value.isNull() ? null : value.asString();
    }

    public static long longOr(JsonNode node, String field, long fallback) {
        JsonNode value = node.path(field);
        return value.isNumber() ? value.asLong() : fallback;
    }

    public static int intOr(JsonNode node, String field, int fallback) {
        JsonNode value = node.path(field);
        return value.isNumber() ? value.asInt() : fallback;
    }

    /** A JSON object of strings as an ordered map; missing or null gives an empty map. */
    public static Map<String, String> stringMap(JsonNode node) {
        Map<String, String> map = new LinkedHashMap<>();
        if (node != null && node.isObject()) {
            node.forEachEntry((name, value) -> map.put(name, value.isNull() ? null : value.asString()));
        }
        return map;
    }
}
