package io.tributary.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.tributary.ingest.log.AppendResult;
import io.tributary.ingest.log.LogConfig;
import io.tributary.ingest.log.LogRecord;
import io.tributary.ingest.log.PartitionLog;
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

/**
 * In-process append throughput of one {@link PartitionLog}: encoding the batch (sizes, varints,
 * CRC32C), the write lock, the positional write to the segment file and the index updates.
 * One writer thread, as the log allows. Scores are records per second: each method appends one
 * batch of its size and declares that many operations.
 *
 * <p>The log runs with the service's defaults (1 GiB segments, {@code flush.ms=1000}) and, as in
 * the service, a background task checks every 100 ms whether a time-based fsync is due. Each
 * iteration starts on a fresh log in a fresh temporary directory, deleted afterwards, so the
 * disk use is bounded by one iteration's writes. The data lands in the page cache; the periodic
 * fsync is the only disk wait.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class LogAppendBenchmark {

    /** Bytes of each record's JSON value. */
    @Param({"100", "1024"})
    public int recordBytes;

    /** Distinct pre-built records per batch size; appends cycle through them. */
    private static final int POOL_RECORDS = 16_384;

    private final List<List<LogRecord>> batches1 = new ArrayList<>();
    private final List<List<LogRecord>> batches100 = new ArrayList<>();
    private final List<List<LogRecord>> batches1000 = new ArrayList<>();
    private int next;

    private Path dir;
    private PartitionLog log;
    private ScheduledExecutorService scheduler;

    @Setup(Level.Trial)
    public void buildRecords() {
        Random random = new Random(42);
        List<LogRecord> pool = new ArrayList<>(POOL_RECORDS);
        long ts = System.currentTimeMillis();
        for (int i = 0; i < POOL_RECORDS; i++) {
            pool.add(LogRecord.of(Payloads.key(random), Payloads.jsonValue(recordBytes, random), ts + i));
        }
        slice(pool, 1, batches1);
        slice(pool, 100, batches100);
        slice(pool, 1000, batches1000);
    }

    private static void slice(List<LogRecord> pool, int size, List<List<LogRecord>> out) {
        for (int from = 0; from + size <= pool.size(); from += size) {
            out.add(List.copyOf(pool.subList(from, from + size)));
        }
    }

    @Setup(Level.Iteration)
    public void openLog() throws IOException {
        dir = Files.createTempDirectory("tributary-bench-append-");
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-log-maintenance");
            t.setDaemon(true);
            return t;
        });
        log = PartitionLog.open("bench", 0, dir.resolve("bench-0"), LogConfig.defaults(), scheduler);
        PartitionLog l = log;
        // What the service's LogMaintenance does: a time-based flush check every 100 ms.
        scheduler.scheduleWithFixedDelay(() -> l.maybeFlushByTime(System.currentTimeMillis()), 100, 100,
                TimeUnit.MILLISECONDS);
    }

    @TearDown(Level.Iteration)
    public void closeLog() throws IOException {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.deleteAll();
        Files.deleteIfExists(dir);
    }

    private List<LogRecord> nextOf(List<List<LogRecord>> batches) {
        int i = next++;
        if (next == batches.size()) {
            next = 0;
        }
        return batches.get(i % batches.size());
    }

    @Benchmark
    @OperationsPerInvocation(1)
    public AppendResult batch1() {
        return log.append(nextOf(batches1));
    }

    @Benchmark
    @OperationsPerInvocation(100)
    public AppendResult batch100() {
        return log.append(nextOf(batches100));
    }

    @Benchmark
    @OperationsPerInvocation(1000)
    public AppendResult batch1000() {
        return log.append(nextOf(batches1000));
    }
}
