package io.tributary.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.tributary.ingest.log.Bytes;
import io.tributary.ingest.log.FetchResult;
import io.tributary.ingest.log.LogConfig;
import io.tributary.ingest.log.LogRecord;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.log.Record;
import io.tributary.ingest.log.RecordBatch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * In-process sequential read throughput of one {@link PartitionLog}, as a consumer does it:
 * {@code read(offset, 1 MiB)}, iterate every batch and record, touch each key and value, then
 * continue at the next offset; at the high watermark start again from 0.
 *
 * <p>The log is filled once per trial with about {@value #FILL_PAYLOAD_BYTES} bytes of values,
 * appended in batches of {@code batchSize} records (the stored layout is what differs between
 * the batch sizes). The data was just written, so it is read from the page cache: this measures
 * the index lookup, the copy out of the file and the decoding, not the disk.
 *
 * <p>Scores are records per second: one invocation consumes exactly {@value #RECORDS_PER_OP}
 * records, issuing a new 1 MiB read whenever the previous one is used up.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class LogReadBenchmark {

    static final int RECORDS_PER_OP = 8192;
    static final long FILL_PAYLOAD_BYTES = 128L << 20;
    static final int READ_BYTES = 1 << 20;

    @Param({"100", "1024"})
    public int recordBytes;

    /** Records per stored batch. */
    @Param({"1", "100", "1000"})
    public int batchSize;

    private Path dir;
    private PartitionLog log;
    private ScheduledExecutorService scheduler;

    private long nextOffset;
    private Iterator<RecordBatch> batches = Collections.emptyIterator();
    private Iterator<Record> records = Collections.emptyIterator();

    @Setup(Level.Trial)
    public void fill() throws IOException {
        dir = Files.createTempDirectory("tributary-bench-read-");
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-log-maintenance");
            t.setDaemon(true);
            return t;
        });
        log = PartitionLog.open("bench", 0, dir.resolve("bench-0"), LogConfig.defaults(), scheduler);
        Random random = new Random(42);
        List<LogRecord> pool = new ArrayList<>();
        long ts = System.currentTimeMillis();
        for (int i = 0; i < 10_000; i++) {
            pool.add(LogRecord.of(Payloads.key(random), Payloads.jsonValue(recordBytes, random), ts + i));
        }
        long total = FILL_PAYLOAD_BYTES / recordBytes;
        int at = 0;
        for (long written = 0; written < total; written += batchSize) {
            List<LogRecord> batch = new ArrayList<>(batchSize);
            for (int i = 0; i < batchSize; i++) {
                batch.add(pool.get(at));
                at = (at + 1) % pool.size();
            }
            log.append(batch);
        }
        log.flush();
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        scheduler.shutdownNow();
        log.deleteAll();
        Files.deleteIfExists(dir);
    }

    private Record nextRecord() {
        while (!records.hasNext()) {
            if (!batches.hasNext()) {
                if (nextOffset >= log.highWatermark()) {
                    nextOffset = 0;
                }
                FetchResult fetch = log.read(nextOffset, READ_BYTES);
                batches = fetch.batches().iterator();
                continue;
            }
            RecordBatch batch = batches.next();
            nextOffset = batch.nextOffset();
            records = batch.iterator();
        }
        return records.next();
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS_PER_OP)
    public void read1MiB(Blackhole bh) {
        for (int i = 0; i < RECORDS_PER_OP; i++) {
            Record r = nextRecord();
            Bytes key = r.key();
            Bytes value = r.value();
            bh.consume(r.offset());
            bh.consume(key.length());
            bh.consume(value.array()[value.offset()]);
            bh.consume(value.array()[value.offset() + value.length() - 1]);
        }
    }
}
