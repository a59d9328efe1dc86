package io.tributary.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.tributary.ingest.kafka.KafkaServer;
import io.tributary.ingest.kafka.ListenerSettings;
import io.tributary.ingest.kafka.ReplicaListener;
import io.tributary.ingest.kafka.ReplicaSource;
import io.tributary.ingest.log.LogConfig;
import io.tributary.ingest.log.LogRecord;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.log.ProducerBatch;
import io.tributary.ingest.replication.fetch.FollowedPartition;
import io.tributary.ingest.replication.fetch.FollowerFetcher;
import io.tributary.ingest.replication.fetch.ReplicaProgress;
import org.apache.kafka.common.Uuid;

/**
 * The Kafka-shape replication transport in one process, without the service around it: a leader
 * node's partition logs served by a replication listener ({@link ReplicaListener}) on loopback, two
 * follower nodes each fetching them with one {@link FollowerFetcher}, and one writer thread per
 * partition appending batches to the leader's log and keeping at most {@code window} batches
 * beyond the high watermark (an acks=all producer with that many requests in flight). With
 * {@code --rf 1} there are no followers and appends move the high watermark, the same writers
 * against the bare log: the two figures side by side give the transport's cost.
 *
 * <p>Prints records per second and the CPU time per record of the writers (the leader's appends),
 * of the listener (serving fetches) and of the fetchers (the followers' copies).
 *
 * <pre>
 *   java -cp bench/target/benchmarks.jar io.tributary.bench.ReplicaFetchBench \
 *       [--rf 3] [--records 3000000] [--partitions 3] [--batch 150] [--record-bytes 100] [--window 5]
 * </pre>
 */
public final class ReplicaFetchBench {

    private ReplicaFetchBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int rf = Integer.parseInt(opts.getOrDefault("rf", "3"));
        long records = Long.parseLong(opts.getOrDefault("records", "3000000"));
        int partitions = Integer.parseInt(opts.getOrDefault("partitions", "3"));
        int batch = Integer.parseInt(opts.getOrDefault("batch", "150"));
        int recordBytes = Integer.parseInt(opts.getOrDefault("record-bytes", "100"));
        int window = Integer.parseInt(opts.getOrDefault("window", "5"));
        if (rf != 1 && rf != 3) {
            throw new IllegalArgumentException("--rf is 1 or 3");
        }
        Path dir = Files.createTempDirectory("replica-fetch-bench-");
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        ExecutorService completions = Executors.newFixedThreadPool(2, Thread.ofPlatform().name("bench-completion-", 1)
                .daemon().factory());
        Uuid topicId = Uuid.randomUuid();
        LogConfig config = LogConfig.from(Map.of());
        List<PartitionLog> leaders = new ArrayList<>();
        List<ReplicaProgress> progress = new ArrayList<>();
        List<List<PartitionLog>> followerLogs = List.of(new ArrayList<>(), new ArrayList<>());
        for (int p = 0; p < partitions; p++) {
            PartitionLog leader = PartitionLog.open("bench", p, dir.resolve("leader-" + p), config, scheduler);
            leaders.add(leader);
            if (rf == 3) {
                leader.highWatermarkByReplication(0);
                progress.add(new ReplicaProgress(leader, Set.of(2, 3)));
                for (int f = 0; f < 2; f++) {
                    PartitionLog copy = PartitionLog.open("bench", p, dir.resolve("follower-" + (f + 2) + "-" + p),
                            config, scheduler);
                    copy.highWatermarkByReplication(0);
                    followerLogs.get(f).add(copy);
                }
            }
        }
        KafkaServer listener = null;
        List<FollowerFetcher> fetchers = new ArrayList<>();
        if (rf == 3) {
            ReplicaSource source = (id, p) -> !id.equals(topicId) || p < 0 || p >= partitions ? null
                    : new ReplicaSource.Replica() {
                        @Override
                        public int leaderEpoch() {
                            return 1;
                        }

                        @Override
                        public PartitionLog log() {
                            return leaders.get(p);
                        }

                        @Override
                        public void fetchedBy(int replicaId, long offset) {
                            progress.get(p).fetchedBy(replicaId, offset);
                        }
                    };
            listener = ReplicaListener.create(new ListenerSettings("replica", "none", "127.0.0.1", 0, 1, 2, 1 << 26,
                    true), source, null, 500, completions); // fetches only
            listener.start();
            int port = listener.boundPort();
            for (int f = 0; f < 2; f++) {
                List<FollowedPartition> followed = new ArrayList<>();
                for (int p = 0; p < partitions; p++) {
                    followed.add(new FollowedPartition(topicId, "bench", p, followerLogs.get(f).get(p), 1,
                            FollowedPartition.BesideBatches.NONE,
                            e -> System.err.println("a follower's log failed: " + e))); // the run's figures say so
                }
                FollowerFetcher fetcher = new FollowerFetcher(f + 2, 1, () -> new InetSocketAddress("127.0.0.1", port),
                        () -> followed, FollowerFetcher.Settings.DEFAULTS);
                fetchers.add(fetcher);
                Thread.ofPlatform().name("bench-fetcher-" + (f + 2)).daemon().start(fetcher);
            }
        }
        // Pre-built batches, cycled through: the writers measure appends, not record building.
        Random random = new Random(42);
        List<List<LogRecord>> pool = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            List<LogRecord> b = new ArrayList<>(batch);
            for (int r = 0; r < batch; r++) {
                b.add(LogRecord.of("k" + r, Payloads.jsonValue(recordBytes, random), 1_000 + r));
            }
            pool.add(b);
        }
        long batchesPerPartition = records / partitions / batch;
        System.out.printf("rf %d: %d partitions x %d batches of %d records of %d B, window %d; load avg %s%n", rf,
                partitions, batchesPerPartition, batch, recordBytes, window, loadAverage());
        List<Thread> writers = new ArrayList<>();
        java.util.concurrent.atomic.AtomicLong writerCpu = new java.util.concurrent.atomic.AtomicLong();
        long started = System.nanoTime();
        for (int p = 0; p < partitions; p++) {
            PartitionLog leader = leaders.get(p);
            ReplicaProgress own = rf == 3 ? progress.get(p) : null;
            writers.add(Thread.ofPlatform().name("bench-writer-" + p).start(() -> {
                long[] ends = new long[window];
                for (long i = 0; i < batchesPerPartition; i++) {
                    int slot = (int) (i % window);
                    if (i >= window) {
                        // acks=all: the batch `window` appends ago must be committed before the next goes.
                        leader.awaitData(ends[slot] - 1).join();
                    }
                    leader.append(pool.get((int) (i % pool.size())), ProducerBatch.NONE, 1);
                    ends[slot] = leader.logEndOffset();
                    if (own != null) {
                        own.appended();
                    }
                }
                leader.awaitData(leader.logEndOffset() - 1).join();
                writerCpu.addAndGet(ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
            }));
        }
        for (Thread w : writers) {
            w.join();
        }
        long elapsed = System.nanoTime() - started;
        long written = batchesPerPartition * batch * partitions;
        Map<String, Long> cpu = cpuByThreadGroup();
        cpu.put("writers", writerCpu.get()); // ended: measured by themselves
        System.out.printf("rf %d: %,d records in %.2f s: %,.0f records/s; load avg %s%n", rf, written,
                elapsed / 1e9, written / (elapsed / 1e9), loadAverage());
        cpu.forEach((group, nanos) -> System.out.printf("  cpu %-10s %8.1f ms  %6.3f us/record%n", group,
                nanos / 1e6, nanos / 1e3 / written));
        for (int f = 0; f < followerLogs.size() && rf == 3; f++) {
            for (int p = 0; p < partitions; p++) {
                if (followerLogs.get(f).get(p).logEndOffset() != leaders.get(p).logEndOffset()) {
                    throw new IllegalStateException("follower " + (f + 2) + " of partition " + p + " ends at "
                            + followerLogs.get(f).get(p).logEndOffset() + ", the leader at "
                            + leaders.get(p).logEndOffset());
                }
            }
        }
        fetchers.forEach(FollowerFetcher::close);
        if (listener != null) {
            listener.stop();
        }
        for (PartitionLog l : leaders) {
            l.close();
        }
        for (List<PartitionLog> logs : followerLogs) {
            for (PartitionLog l : logs) {
                l.close();
            }
        }
        completions.shutdownNow();
        scheduler.shutdownNow();
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
        deleteTree(dir);
    }

    /** CPU time of the live threads, summed by role (from the thread name). */
    private static Map<String, Long> cpuByThreadGroup() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> out = new java.util.TreeMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            String name = info.getThreadName();
            String group = name.startsWith("bench-writer") ? "writers"
                    : name.startsWith("bench-fetcher") ? "fetchers"
                    : name.startsWith("replica-") || name.startsWith("bench-completion") ? "listener"
                    : "other";
            long t = threads.getThreadCpuTime(info.getThreadId());
            if (t > 0) {
                out.merge(group, t, Long::sum);
            }
        }
        return out;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
