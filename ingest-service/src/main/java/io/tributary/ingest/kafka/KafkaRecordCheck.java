package io.tributary.ingest.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.tributary.ingest.log.Bytes;
import io.tributary.ingest.log.InvalidRecordException;
import io.tributary.ingest.log.LogRecord;
import io.tributary.ingest.produce.ProduceRequestParser;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * What a record produced over Kafka must be so that every reader of the log can take it, the REST
 * API included, which renders values as JSON and keys and header values as JSON strings: on a
 * {@code value.format=json} topic each value null or exactly one JSON value no deeper than
 * {@code ingest.produce.max-value-depth} (any bytes on a {@code binary} topic); on every topic keys
 * and header values valid UTF-8; timestamps inside the produce window
 * ({@code ingest.produce.max-timestamp-ahead}/{@code -behind}). The same rules as a REST produce;
 * a batch that breaks one is refused whole with INVALID_RECORD naming the record.
 */
final class KafkaRecordCheck {

    private static final JsonFactory JSON = new JsonFactory();

    private KafkaRecordCheck() {
    }

    static void check(List<LogRecord> records, ProduceRequestParser.Limits limits, boolean jsonValues) {
        for (int i = 0; i < records.size(); i++) {
            LogRecord r = records.get(i);
            if (r.timestamp() < limits.minTimestamp() || r.timestamp() > limits.maxTimestamp()) {
                throw new InvalidRecordException("record " + i + ": timestamp " + r.timestamp()
                        + " is outside the accepted window (ingest.produce.max-timestamp-ahead/-behind)");
            }
            if (r.key() != null && !utf8(r.key())) {
                throw new InvalidRecordException("record " + i + ": the key is not valid UTF-8");
            }
            for (LogRecord.Header h : r.headers()) {
                if (h.value() != null && !utf8(h.value())) {
                    throw new InvalidRecordException("record " + i + ": header " + h.key() + " is not valid UTF-8");
                }
            }
            if (jsonValues && r.value() != null) {
                String problem = jsonProblem(r.value(), limits.maxValueDepth());
                if (problem != null) {
                    throw new InvalidRecordException("record " + i + ": the value is not JSON (" + problem
                            + "); this log's topics hold JSON values");
                }
            }
        }
    }

    private static boolean utf8(Bytes b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b.array(), b.offset(), b.length()));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Null when {@code value} is one JSON value within the depth limit, else what is wrong. */
    static String jsonProblem(Bytes value, int maxDepth) {
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), value.array(), value.offset(), value.length())) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return "empty";
            }
            int depth = 0;
            do {
                if (t.isStructStart() && ++depth > maxDepth) {
                    return "nested more than " + maxDepth + " levels (ingest.produce.max-value-depth)";
                } else if (t.isStructEnd()) {
                    depth--;
                }
                if (depth > 0) {
                    t = p.nextToken();
                }
            } while (depth > 0);
            p.finishToken();
            return p.nextToken() == null ? null : "more than one JSON value";
        } catch (RuntimeException e) {
            return "malformed";
        }
    }
}
