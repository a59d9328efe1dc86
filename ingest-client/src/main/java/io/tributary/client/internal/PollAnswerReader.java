package io.tributary.client.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.tributary.client.ConsumedRecord;
import io.tributary.client.IngestException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads a fetch or poll answer ({@code {...,"records":[{"topic","partition","offset","timestamp","key",
 * "value","headers"},...]}}) record by record, so that one value that the regular reader refuses
 * (nested deeper than {@link Json#MAPPER}'s limit, a number or string beyond its limits) does not
 * make the whole answer unreadable: that record is handed over with
 * {@link ConsumedRecord#valueError()} and its raw JSON text instead of a value, the others as usual.
 *
 * <p>Only used after the regular reader failed on an answer. The envelope is walked with a
 * streaming parser without nesting limit (it builds no tree for values: a value is skipped token by
 * token and its bytes are then read on their own with {@link Json#MAPPER}, under its limits).
 */
public final class PollAnswerReader {

    /** Only walks tokens (no tree, no recursion), so it can afford to accept any nesting. */
    private static final JsonFactory LENIENT = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(Integer.MAX_VALUE)
                    .maxNumberLength(Integer.MAX_VALUE)
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNameLength(Integer.MAX_VALUE)
                    .maxDocumentLength(-1)
                    .build())
            .build();

    /** Reads the value under the parser's current token and leaves the parser on its last token. */
    private static final ObjectReader TREE = Json.MAPPER.reader()
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** The answer's fields other than {@code records}, and its records. */
    public record Answer(ObjectNode envelope, List<ConsumedRecord> records) {
    }

    private PollAnswerReader() {
    }

    /**
     * @param fallbackTopic the topic of records that do not name one (fetch answers)
     * @throws IngestException when the answer itself (not a value in it) is not valid JSON
     */
    public static Answer read(byte[] body, String fallbackTopic) {
        ObjectNode envelope = Json.MAPPER.createObjectNode();
        List<ConsumedRecord> records = new ArrayList<>();
        try (JsonParser parser = LENIENT.createParser(ObjectReadContext.empty(), body)) {
            expect(parser.nextToken(), JsonToken.START_OBJECT);
            String field;
            while ((field = parser.nextName()) != null) {
                JsonToken token = parser.nextToken();
                if (field.equals("records") && token == JsonToken.START_ARRAY) {
                    while (parser.nextToken() == JsonToken.START_OBJECT) {
                        records.add(readRecord(parser, body, fallbackTopic));
                    }
                } else {
                    envelope.set(field, TREE.readTree(parser));
                }
            }
        } catch (JacksonException e) {
            throw new IngestException(200, null, "Unreadable response", e.getOriginalMessage(), false, e);
        }
        return new Answer(envelope, records);
    }

    private static ConsumedRecord readRecord(JsonParser parser, byte[] body, String fallbackTopic) {
        ObjectNode fields = Json.MAPPER.createObjectNode();
        JsonNode value = Json.MAPPER.nullNode();
        String valueError = null;
        String rawValue = null;
        String field;
        while ((field = parser.nextName()) != null) {
            JsonToken token = parser.nextToken();
            if (!field.equals("value")) {
                fields.set(field, TREE.readTree(parser));
            } else if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                int start = (int) parser.currentTokenLocation().getByteOffset();
                parser.skipChildren();
                int end = (int) parser.currentLocation().getByteOffset();
                try {
                    value = Json.MAPPER.readTree(body, start, end - start);
                } catch (JacksonException e) {
                    valueError = "unreadable value: " + e.getOriginalMessage();
                    rawValue = new String(body, start, end - start, StandardCharsets.UTF_8);
                }
            } else {
                value = TREE.readTree(parser);
            }
        }
        String topic = Json.textOrNull(fields, "topic");
        return new ConsumedRecord(topic == null ? fallbackTopic : topic,
                Json.intOr(fields, "partition", -1),
                Json.longOr(fields, "offset", -1),
                Json.longOr(fields, "timestamp", -1),
                Json.textOrNull(fields, "key"),
                value,
                Json.stringMap(fields.path("headers")),
                valueError,
                rawValue);
    }

    private static void expect(JsonToken actual, JsonToken expected) {
        if (actual != expected) {
            throw new IngestException(200, null, "Unreadable response", "expected " + expected + " but found "
                    + actual, false, null);
        }
    }
}
