package io.tributary.ingest.produce;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.tributary.ingest.problem.ProblemException;
import io.tributary.problem.ProblemType;
import io.tributary.ingest.config.IngestProperties;

import io.tributary.ingest.log.Bytes;
import io.tributary.ingest.log.LogRecord;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Reads produce bodies with a streaming parser, keeping each record value as a slice of the
 * body: the value's JSON is validated here once and never re-serialised on its way to disk.
 *
 * <p>Two shapes: a JSON object {@code {"records":[...], "acks", "producerId", "producerEpoch",
 * "baseSequence"}}, and NDJSON, one record object per line, with the envelope fields given as
 * query parameters instead. Unknown fields are refused so that a typo ({@code "vaule"}) is an
 * error, not a silently empty record.
 *
 * <p>Limits are applied while parsing, before anything is built from the records (issue 10):
 * the record count (413 {@code record-too-large} at the first record too many), the nesting
 * depth of each value and each record's timestamp window (400 {@code invalid-record} naming the
 * record). The body's size is bounded by the caller while reading it.
 */
public final class ProduceRequestParser {

    /**
     * What one request may hold.
     *
     * @param maxRecords    most records in the request
     * @param maxValueDepth deepest nesting of a record value (a scalar is depth 0, {@code {}} or {@code []} is 1)
     * @param minTimestamp  earliest record timestamp accepted (epoch millis)
     * @param maxTimestamp  latest record timestamp accepted (epoch millis)
     */
    public record Limits(int maxRecords, int maxValueDepth, long minTimestamp, long maxTimestamp) {

        /** The configured limits, the timestamp window placed around {@code nowMs}. */
        public static Limits of(IngestProperties.Produce produce, long nowMs) {
            long behind = produce.maxTimestampBehind().toMillis();
            long ahead = produce.maxTimestampAhead().toMillis();
            return new Limits(produce.maxRecordsPerRequest(), produce.maxValueDepth(),
                    behind <= 0 ? 0 : Math.max(0, nowMs - behind),
                    ahead > Long.MAX_VALUE - nowMs ? Long.MAX_VALUE : nowMs + ahead);
        }
    }

    private static final JsonFactory JSON = new JsonFactory();

    private ProduceRequestParser() {
    }

    /** Parses a JSON body. */
    public static ProduceRequest parseJson(byte[] body, Limits limits) {
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidProduceRequestException("the body must be a JSON object with a \"records\" array");
            }
            List<IncomingRecord> records = null;
            String acks = null;
            Long producerId = null;
            Short producerEpoch = null;
            Long baseSequence = null;
            String field;
            while ((field = p.nextName()) != null) {
                JsonToken t = p.nextToken();
                switch (field) {
                    case "records" -> {
                        if (t != JsonToken.START_ARRAY) {
                            throw new InvalidProduceRequestException("\"records\" must be an array");
                        }
                        records = new ArrayList<>();
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            checkCount(records, limits);
                            records.add(parseRecord(p, body, new Where(records.size(), false), limits));
                        }
                    }
                    case "acks" -> acks = t == JsonToken.VALUE_NULL ? null : p.getValueAsString();
                    case "producerId" -> producerId = t == JsonToken.VALUE_NULL ? null : longValue(p, null, "producerId");
                    case "producerEpoch" -> producerEpoch = t == JsonToken.VALUE_NULL ? null
                            : (short) intValue(p, null, "producerEpoch", 0, Short.MAX_VALUE);
                    case "baseSequence" -> baseSequence = t == JsonToken.VALUE_NULL ? null
                            : nonNegativeLong(p, null, "baseSequence");
                    default -> throw new InvalidProduceRequestException("unknown field \"" + field
                            + "\"; expected records, acks, producerId, producerEpoch, baseSequence");
                }
            }
            if (p.nextToken() != null) {
                throw new InvalidProduceRequestException("unexpected content after the JSON object");
            }
            if (records == null || records.isEmpty()) {
                throw new InvalidProduceRequestException("\"records\" must hold at least one record");
            }
            return build(records, acks, producerId, producerEpoch, baseSequence);
        } catch (JacksonException e) {
            throw new InvalidProduceRequestException("malformed JSON: " + describe(e));
        }
    }

    /** Parses an NDJSON body (one record object per line); envelope fields come from the query. */
    public static ProduceRequest parseNdjson(byte[] body, Limits limits, String acks, Long producerId,
                                             Short producerEpoch, Long baseSequence) {
        List<IncomingRecord> records = new ArrayList<>();
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), body)) {
            // The parser reads consecutive root-level values, which is exactly one object per line.
            while (p.nextToken() != null) {
                checkCount(records, limits);
                records.add(parseRecord(p, body, new Where(records.size(), true), limits));
            }
        } catch (JacksonException e) {
            throw new InvalidProduceRequestException("malformed NDJSON at record " + (records.size() + 1) + ": "
                    + describe(e));
        }
        if (records.isEmpty()) {
            throw new InvalidProduceRequestException("the NDJSON body holds no records");
        }
        return build(records, acks, producerId, producerEpoch, baseSequence);
    }

    private static void checkCount(List<IncomingRecord> records, Limits limits) {
        if (records.size() >= limits.maxRecords()) {
            throw new ProblemException(ProblemType.RECORD_TOO_LARGE, "the request holds more than " + limits.maxRecords()
                    + " records (ingest.produce.max-records-per-request); split it into several requests");
        }
    }

    private static ProblemException invalidRecord(Where where, String detail) {
        return new ProblemException(ProblemType.INVALID_RECORD, where + detail, Map.of("record", where.toString()));
    }

    /** The parser's message with its byte position, without the source-description noise. */
    private static String describe(JacksonException e) {
        String message = e.getOriginalMessage().replaceAll("\\s*\\(start marker at \\[Source.*?\\]\\)", "");
        return e.getLocation() == null || e.getLocation().getByteOffset() < 0 ? message
                : message + " (at byte " + e.getLocation().getByteOffset() + ")";
    }

    private static ProduceRequest build(List<IncomingRecord> records, String acks, Long producerId,
                                        Short producerEpoch, Long baseSequence) {
        long withSequence = records.stream().filter(r -> r.sequence() != IncomingRecord.NO_SEQUENCE).count();
        if (withSequence > 0) {
            if (withSequence != records.size()) {
                throw new InvalidProduceRequestException("either every record carries a sequence or none does");
            }
            if (baseSequence != null) {
                throw new InvalidProduceRequestException("give baseSequence or per-record sequences, not both");
            }
            if (producerId == null || producerEpoch == null) {
                throw new InvalidProduceRequestException("per-record sequences need producerId and producerEpoch");
            }
            for (int i = 1; i < records.size(); i++) {
                if (records.get(i).sequence() <= records.get(i - 1).sequence()) {
                    throw new InvalidProduceRequestException("record sequences must increase; records[" + i
                            + "].sequence is " + records.get(i).sequence() + " after " + records.get(i - 1).sequence());
                }
            }
        } else {
            boolean anyIdentity = producerId != null || producerEpoch != null || baseSequence != null;
            if (anyIdentity && (producerId == null || producerEpoch == null || baseSequence == null)) {
                throw new InvalidProduceRequestException(
                        "an idempotent produce needs all of producerId, producerEpoch and baseSequence");
            }
        }
        if (producerId != null && producerId < 0) {
            throw new InvalidProduceRequestException("producerId must not be negative");
        }
        if (baseSequence != null && baseSequence > Long.MAX_VALUE - records.size()) {
            throw new InvalidProduceRequestException("baseSequence + number of records overflows a 64-bit sequence");
        }
        return new ProduceRequest(List.copyOf(records), Acks.parse(acks), producerId, producerEpoch, baseSequence);
    }

    private static IncomingRecord parseRecord(JsonParser p, byte[] body, Where where, Limits limits) {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new InvalidProduceRequestException(where + " must be a JSON object");
        }
        Bytes key = null;
        Bytes value = null;
        List<LogRecord.Header> headers = List.of();
        int partition = IncomingRecord.ANY_PARTITION;
        long timestamp = IncomingRecord.NOW;
        long sequence = IncomingRecord.NO_SEQUENCE;
        String field;
        while ((field = p.nextName()) != null) {
            JsonToken t = p.nextToken();
            switch (field) {
                case "key" -> {
                    if (t == JsonToken.VALUE_STRING) {
                        key = stringBytes(p, body);
                    } else if (t != JsonToken.VALUE_NULL) {
                        throw new InvalidProduceRequestException(where + ".key must be a string or null");
                    }
                }
                case "value" -> value = t == JsonToken.VALUE_NULL ? null : rawValue(p, t, body, where, limits);
                case "headers" -> headers = parseHeaders(p, t, body, where);
                case "partition" -> partition = t == JsonToken.VALUE_NULL ? IncomingRecord.ANY_PARTITION
                        : intValue(p, where, "partition", 0, Integer.MAX_VALUE);
                case "timestamp" -> {
                    if (t != JsonToken.VALUE_NULL) {
                        timestamp = longValue(p, where, "timestamp");
                        if (timestamp < 0) {
                            throw new InvalidProduceRequestException(where + ".timestamp must be epoch milliseconds >= 0");
                        }
                        if (timestamp > limits.maxTimestamp()) {
                            throw invalidRecord(where, ".timestamp " + timestamp + " is later than the broker's clock "
                                    + "allows (" + limits.maxTimestamp() + ", ingest.produce.max-timestamp-ahead)");
                        }
                        if (timestamp < limits.minTimestamp()) {
                            throw invalidRecord(where, ".timestamp " + timestamp + " is earlier than the broker's clock "
                                    + "allows (" + limits.minTimestamp() + ", ingest.produce.max-timestamp-behind)");
                        }
                    }
                }
                case "sequence" -> sequence = t == JsonToken.VALUE_NULL ? IncomingRecord.NO_SEQUENCE
                        : nonNegativeLong(p, where, "sequence");
                default -> throw new InvalidProduceRequestException("unknown field \"" + field + "\" in " + where
                        + "; expected key, value, headers, partition, timestamp, sequence");
            }
        }
        return new IncomingRecord(key, value, headers, partition, timestamp, sequence);
    }

    /**
     * The exact bytes of the current value: from its first token to just past its last. Checks
     * the value's nesting depth on the way (refused at the first level too deep).
     */
    private static Bytes rawValue(JsonParser p, JsonToken t, byte[] body, Where where, Limits limits) {
        int start = (int) p.currentTokenLocation().getByteOffset();
        if (t.isStructStart()) {
            int depth = 1;
            while (depth > 0) {
                if (depth > limits.maxValueDepth()) {
                    throw invalidRecord(where, ".value is nested more than " + limits.maxValueDepth()
                            + " levels deep (ingest.produce.max-value-depth)");
                }
                JsonToken next = p.nextToken();
                if (next == null) {
                    throw new InvalidProduceRequestException("malformed JSON: unexpected end of input in " + where);
                }
                if (next.isStructStart()) {
                    depth++;
                } else if (next.isStructEnd()) {
                    depth--;
                }
            }
        } else {
            p.finishToken();
        }
        int end = (int) p.currentLocation().getByteOffset();
        return new Bytes(body, start, end - start);
    }

    private static List<LogRecord.Header> parseHeaders(JsonParser p, JsonToken t, byte[] body, Where where) {
        if (t == JsonToken.VALUE_NULL) {
            return List.of();
        }
        if (t != JsonToken.START_OBJECT) {
            throw new InvalidProduceRequestException(where + ".headers must be an object of strings");
        }
        List<LogRecord.Header> headers = new ArrayList<>();
        String name;
        while ((name = p.nextName()) != null) {
            JsonToken v = p.nextToken();
            if (v == JsonToken.VALUE_NULL) {
                headers.add(new LogRecord.Header(name, null));
            } else if (v == JsonToken.VALUE_STRING) {
                headers.add(new LogRecord.Header(name, stringBytes(p, body)));
            } else {
                throw new InvalidProduceRequestException(where + ".headers." + name + " must be a string or null");
            }
        }
        return headers;
    }

    private static long longValue(JsonParser p, Where where, String field) {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw new InvalidProduceRequestException(name(where, field) + " must be a whole number");
        }
        try {
            return p.getLongValue();
        } catch (JacksonException e) {
            throw new InvalidProduceRequestException(name(where, field) + " is out of range");
        }
    }

    private static long nonNegativeLong(JsonParser p, Where where, String field) {
        long v = longValue(p, where, field);
        if (v < 0) {
            throw new InvalidProduceRequestException(name(where, field) + " must not be negative, was " + v);
        }
        return v;
    }

    private static int intValue(JsonParser p, Where where, String field, int min, int max) {
        long v = longValue(p, where, field);
        if (v < min || v > max) {
            throw new InvalidProduceRequestException(name(where, field) + " must be between " + min + " and " + max
                    + ", was " + v);
        }
        return (int) v;
    }

    /** A field's name in an error: {@code records[3].partition}, or {@code producerId} for the envelope's. */
    private static String name(Where where, String field) {
        return where == null ? field : where + "." + field;
    }

    /**
     * The UTF-8 bytes of the current string token (a key, a header's value): a slice of the body itself when
     * the string holds no escape (the bytes between its quotes are the text), else the decoded text encoded again.
     */
    private static Bytes stringBytes(JsonParser p, byte[] body) {
        int start = (int) p.currentTokenLocation().getByteOffset();
        p.finishToken();
        int end = (int) p.currentLocation().getByteOffset();
        if (start >= 0 && end - start >= 2 && end <= body.length && body[start] == '"' && body[end - 1] == '"') {
            boolean escaped = false;
            for (int i = start + 1; i < end - 1 && !escaped; i++) {
                escaped = body[i] == '\\';
            }
            if (!escaped) {
                return new Bytes(body, start + 1, end - start - 2);
            }
        }
        return Bytes.utf8(p.getString());
    }

    /**
     * Where a record is in the request, for errors only: {@code records[i]} in a JSON body, {@code line n} in
     * NDJSON. Built as text only when an error names it, not once per record.
     */
    private record Where(int index, boolean line) {
        @Override
        public String toString() {
            return line ? "line " + (index + 1) : "records[" + index + "]";
        }
    }
}
