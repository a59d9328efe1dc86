package io.tributary.client.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.tributary.client.IngestException;
import io.tributary.client.ValueFetch;
import io.tributary.client.ValueReader;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Walks a fetch answer ({@code {"records":[{"partition","offset","timestamp","key","value","headers"},...],
 * "nextOffset","highWatermark"}}) token by token, handing each value to a {@link ValueReader} and
 * skipping everything else. Field order inside a record does not matter.
 */
public final class FetchAnswerReader {

    private FetchAnswerReader() {
    }

    public static <T> ValueFetch<T> read(byte[] body, long requestedOffset, ValueReader<T> reader) {
        List<T> values = new ArrayList<>();
        long[] offsets = new long[64];
        long nextOffset = requestedOffset;
        long highWatermark = -1;
        try (JsonParser parser = Json.MAPPER.createParser(body)) {
            expect(parser.nextToken(), JsonToken.START_OBJECT);
            String field;
            while ((field = parser.nextName()) != null) {
                JsonToken token = parser.nextToken();
                switch (field) {
                    case "records" -> {
                        expect(token, JsonToken.START_ARRAY);
                        while (parser.nextToken() == JsonToken.START_OBJECT) {
                            if (values.size() == offsets.length) {
                                offsets = Arrays.copyOf(offsets, offsets.length * 2);
                            }
                            offsets[values.size()] = readRecord(parser, reader, values);
                        }
                    }
                    case "nextOffset" -> nextOffset = parser.getLongValue();
                    case "highWatermark" -> highWatermark = parser.getLongValue();
                    default -> parser.skipChildren();
                }
            }
        } catch (JacksonException e) {
            throw new IngestException(200, null, "Unreadable response", e.getOriginalMessage(), false, e);
        }
        return new ValueFetch<>(values, Arrays.copyOf(offsets, values.size()), nextOffset, highWatermark);
    }

    /** Reads one record object, adds its value, returns its offset. */
    private static <T> long readRecord(JsonParser parser, ValueReader<T> reader, List<T> values) {
        long offset = -1;
        boolean valueSeen = false;
        String field;
        while ((field = parser.nextName()) != null) {
            JsonToken token = parser.nextToken();
            if (field.equals("offset")) {
                offset = parser.getLongValue();
            } else if (field.equals("value")) {
                values.add(reader.read(parser));
                valueSeen = true;
            } else {
                parser.skipChildren();
            }
        }
        if (!valueSeen) {
            values.add(null);
        }
        return offset;
    }

    private static void expect(JsonToken actual, JsonToken expected) {
        if (actual != expected) {
            throw new IngestException(200, null, "Unreadable response", "expected " + expected + " but found "
                    + actual + " in a fetch answer", false, null);
        }
    }
}
