package io.tributary.ingest.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** Shared set-up for tests that open partition logs: a temp dir, a scheduler and helpers. */
abstract class LogTestSupport {

    @TempDir
    Path dir;

    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    private final List<PartitionLog> opened = new ArrayList<>();

    @AfterEach
    void shutDown() throws IOException {
        for (PartitionLog log : opened) {
            if (!log.isClosed()) {
                log.closeAbruptly();
            }
        }
        scheduler.shutdownNow();
    }

    static Map<String, String> config(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    /** Small segments and an index entry per batch, so a few hundred records span many segments. */
    static LogConfig smallSegments(String... overrides) {
        Map<String, String> m = config(LogConfig.SEGMENT_BYTES, "2048", LogConfig.INDEX_INTERVAL_BYTES, "200");
        m.putAll(config(overrides));
        return LogConfig.from(m);
    }

    PartitionLog open(LogConfig config) {
        return open(config, ProducerStateLimits.DEFAULTS);
    }

    PartitionLog open(LogConfig config, ProducerStateLimits producerLimits) {
        try {
            PartitionLog log = PartitionLog.open("orders", 0, dir, config, producerLimits, scheduler);
            opened.add(log);
            return log;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A log of the same partition in another folder (a second replica), closed after the test as the others. */
    PartitionLog openElsewhere(Path otherDir, LogConfig config) throws IOException {
        PartitionLog log = PartitionLog.open("orders", 0, otherDir, config, scheduler);
        opened.add(log);
        return log;
    }

    static LogRecord record(String key, String value, long timestamp) {
        return LogRecord.of(key, value, timestamp);
    }

    static List<LogRecord> records(int count, String prefix, long timestamp) {
        List<LogRecord> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(record(prefix + "-k" + i, "{\"v\":\"" + prefix + "-" + i + "\"}", timestamp + i));
        }
        return out;
    }

    /** Every record below the high watermark, from the log start, in offset order. */
    static List<Record> readAll(PartitionLog log) {
        return readFrom(log, log.logStartOffset());
    }

    static List<Record> readFrom(PartitionLog log, long offset) {
        List<Record> out = new ArrayList<>();
        long next = offset;
        while (next < log.highWatermark()) {
            FetchResult fetch = log.read(next, 512);
            if (fetch.isEmpty()) {
                break;
            }
            for (RecordBatch b : fetch.batches()) {
                for (Record r : b) {
                    if (r.offset() >= next) {
                        out.add(r);
                    }
                }
                next = b.nextOffset();
            }
        }
        return out;
    }

    static String valueOf(Record r) {
        return r.value() == null ? null : r.value().utf8();
    }

    static String keyOf(Record r) {
        return r.key() == null ? null : r.key().utf8();
    }
}
