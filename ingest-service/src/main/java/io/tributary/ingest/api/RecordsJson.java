package io.tributary.ingest.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import io.tributary.ingest.fetch.PartitionFetch;
import io.tributary.ingest.log.LogRecord;
import io.tributary.ingest.log.Record;

/**
 * Writes fetched records as JSON without a data-binding pass: values go out as the raw JSON
 * they came in as; on a {@code value.format=binary} topic as a base64 string, followed by
 * {@code "valueEncoding":"base64"}. Shapes are documented by {@link FetchResponseDoc} for the OpenAPI schema.
 */
public final class RecordsJson {

    private static final byte[] TOPIC = ascii("\"topic\":");
    private static final byte[] PARTITION = ascii("\"partition\":");
    private static final byte[] OFFSET = ascii(",\"offset\":");
    private static final byte[] TIMESTAMP = ascii(",\"timestamp\":");
    private static final byte[] KEY = ascii(",\"key\":");
    private static final byte[] VALUE = ascii(",\"value\":");
    private static final byte[] VALUE_ENCODING = ascii(",\"valueEncoding\":\"base64\"");
    private static final byte[] HEADERS = ascii(",\"headers\":{");
    private static final byte[] NULL = ascii("null");

    private RecordsJson() {
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code {"records":[...],"nextOffset":n,"highWatermark":h}} for one partition. */
    public static byte[] partitionFetch(PartitionFetch fetch) {
        JsonBytes out = new JsonBytes(estimate(fetch.records()));
        out.raw("{\"records\":[");
        writeRecords(out, fetch, false, true);
        out.raw("],\"nextOffset\":").number(fetch.nextOffset())
                .raw(",\"highWatermark\":").number(fetch.highWatermark()).raw('}');
        return out.toByteArray();
    }

    /**
     * The records of several partitions as one array, each record naming its topic, wrapped as
     * {@code {"<prefix fields>","records":[...]}}; {@code prefix} is raw JSON members (may be empty).
     */
    public static byte[] groupPoll(String prefix, List<PartitionFetch> fetches) {
        int size = 64 + prefix.length();
        for (PartitionFetch f : fetches) {
            size += estimate(f.records());
        }
        JsonBytes out = new JsonBytes(size);
        out.raw('{').raw(prefix);
        if (!prefix.isEmpty()) {
            out.raw(',');
        }
        out.raw("\"records\":[");
        boolean first = true;
        for (PartitionFetch f : fetches) {
            if (f.records().isEmpty()) {
                continue;
            }
            writeRecords(out, f, true, first);
            first = false;
        }
        out.raw("]}");
        return out.toByteArray();
    }

    private static void writeRecords(JsonBytes out, PartitionFetch fetch, boolean withTopic, boolean first) {
        for (Record r : fetch.records()) {
            if (!first) {
                out.raw(',');
            }
            first = false;
            out.raw('{');
            if (withTopic) {
                out.raw(TOPIC).string(fetch.topic()).raw(',');
            }
            out.raw(PARTITION).number(fetch.partition())
                    .raw(OFFSET).number(r.offset())
                    .raw(TIMESTAMP).number(r.timestamp())
                    .raw(KEY).string(r.key())
                    .raw(VALUE);
            if (r.value() == null) {
                out.raw(NULL);
            } else if (fetch.binaryValues()) {
                // value.format=binary: any bytes, so base64 and a marker keep the answer valid JSON.
                out.raw('"').raw(Base64.getEncoder().encode(r.value().toArray())).raw('"').raw(VALUE_ENCODING);
            } else {
                out.raw(r.value());
            }
            out.raw(HEADERS);
            boolean firstHeader = true;
            for (LogRecord.Header h : r.headers()) {
                if (!firstHeader) {
                    out.raw(',');
                }
                firstHeader = false;
                out.string(h.key()).raw(':').string(h.value());
            }
            out.raw("}}");
        }
    }

    private static int estimate(List<Record> records) {
        int size = 64;
        for (Record r : records) {
            size += 96 + (r.value() == null ? 4 : r.value().length()) + (r.key() == null ? 4 : r.key().length());
        }
        return size;
    }
}
