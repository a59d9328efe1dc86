package io.tributary.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import io.tributary.client.ClientSettings;
import io.tributary.client.IngestClient;
import io.tributary.client.IngestException;
import io.tributary.client.NewTopic;
import io.tributary.client.PartitionDetails;
import io.tributary.client.ProblemKind;
import io.tributary.client.TopicDescription;
import org.HdrHistogram.Histogram;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * HTTP load driver for a running ingest service (WORKLOADS.md W1). See bench/README.md.
 *
 * <ul>
 *   <li>{@code produce}: {@code --clients} threads, each with its own HTTP/1.1 connection, send
 *       {@code POST /api/v1/topics/{t}/records} with {@code --batch} records back to back. The
 *       bodies are serialised before timing starts and cycled through.</li>
 *   <li>{@code fixed-rate}: the same requests, one every {@code batch/rate} seconds on a fixed
 *       schedule. Latency is measured from the request's intended send time, so a slow answer
 *       that delays later requests is counted against them too (no coordinated omission).</li>
 *   <li>{@code fetch}: one thread per partition reads from offset 0 up to the high watermark
 *       seen at the start of the run.</li>
 * </ul>
 */
public final class LoadDriver {

    private static final JsonFactory JSON = new JsonFactory();

    private final DriverArgs args;
    private final List<HttpClient> clients = new ArrayList<>();

    LoadDriver(DriverArgs args) {
        this.args = args;
        int n = Math.max(args.clients(), args.partitions());
        for (int i = 0; i < n; i++) {
            clients.add(HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build());
        }
    }

    public static void main(String[] argv) throws Exception {
        if (argv.length > 0 && (argv[0].equals("--help") || argv[0].equals("-h"))) {
            System.out.print(DriverArgs.usage());
            return;
        }
        DriverArgs args;
        try {
            args = DriverArgs.parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.print(DriverArgs.usage());
            System.exit(2);
            return;
        }
        System.exit(new LoadDriver(args).run() ? 0 : 1);
    }

    /** Runs warm-up and the measured runs; false when any request failed. */
    boolean run() throws Exception {
        System.out.printf(Locale.ROOT, "LoadDriver: %s%n", args);
        System.out.printf(Locale.ROOT, "driver: java %s, %d cpus, load avg %s%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), loadAverage());
        List<RunStats> results = new ArrayList<>();
        boolean fetch = args.mode() == DriverArgs.Mode.FETCH;
        String title = describe();
        Bodies bodies = null;
        if (fetch) {
            requireTopic();
            if (args.warmup() > 0) {
                RunStats w = fetchRun(0, args.warmup());
                System.out.printf(Locale.ROOT, "warm-up: fetched %,d records in %.1f s%n", w.records(), w.seconds());
            }
        } else {
            ensureTopic();
            long t0 = System.nanoTime();
            bodies = Bodies.build(args);
            System.out.printf(Locale.ROOT, "built %d request bodies of ~%,d bytes in %.1f s%n", bodies.size(),
                    bodies.averageBytes(), (System.nanoTime() - t0) / 1e9);
            checkOneRequest(bodies);
            if (args.warmup() > 0) {
                RunStats w = produceRun(0, bodies, args.warmup());
                System.out.printf(Locale.ROOT, "warm-up: %,d records in %.1f s (%,.0f records/s), errors %d%n",
                        w.records(), w.seconds(), w.recordsPerSecond(), w.errors());
            }
        }
        boolean ok = true;
        for (int run = 1; run <= args.runs(); run++) {
            RunStats r = fetch ? fetchRun(run, args.records()) : produceRun(run, bodies, args.records());
            System.out.print(r.summary(title + ", run " + run + "/" + args.runs()));
            System.out.flush();
            ok &= r.errors() == 0 && !r.truncated();
            results.add(r);
        }
        if (results.size() > 1) {
            System.out.print(RunStats.medianSummary(title, results));
        }
        return ok;
    }

    private String describe() {
        return switch (args.mode()) {
            case PRODUCE -> String.format(Locale.ROOT, "produce %s: %d B values, batches of %d, %d clients, acks=%s",
                    args.topic(), args.recordBytes(), args.batch(), args.clients(), args.acks());
            case FIXED_RATE -> String.format(Locale.ROOT, "fixed-rate %s: %,d records/s, %d B values, batches of %d",
                    args.topic(), args.rate(), args.recordBytes(), args.batch());
            case FETCH -> String.format(Locale.ROOT, "fetch %s: %d partitions from offset 0, maxBytes %d",
                    args.topic(), args.partitions(), args.fetchMaxBytes());
        };
    }

    // ---------------------------------------------------------------- topics

    private IngestClient admin() {
        ClientSettings settings = ClientSettings.of(args.url());
        return IngestClient.create(args.apiKey().isEmpty() ? settings
                : settings.withExtraHeaders(() -> Map.of("X-Api-Key", args.apiKey())));
    }

    private void ensureTopic() {
        IngestClient admin = admin();
        try {
            TopicDescription d = admin.describeTopic(args.topic());
            if (d.partitions() != args.partitions() || d.replicationFactor() != args.replicationFactor()) {
                throw new IllegalStateException("topic " + args.topic() + " exists with " + d.partitions()
                        + " partitions and replication factor " + d.replicationFactor() + ", not " + args.partitions()
                        + " and " + args.replicationFactor());
            }
            System.out.printf("topic %s exists (%d partitions, replication factor %d)%n", args.topic(), d.partitions(),
                    d.replicationFactor());
        } catch (IngestException e) {
            if (e.kind() != ProblemKind.NOT_FOUND) {
                throw e;
            }
            admin.createTopic(new NewTopic(args.topic(), args.partitions(), args.replicationFactor()));
            System.out.printf("created topic %s with %d partitions, replication factor %d%n", args.topic(),
                    args.partitions(), args.replicationFactor());
        }
    }

    private List<PartitionDetails> requireTopic() {
        TopicDescription d = admin().describeTopic(args.topic());
        if (d.partitions() != args.partitions()) {
            throw new IllegalStateException("topic " + args.topic() + " has " + d.partitions() + " partitions, not "
                    + args.partitions());
        }
        return d.partitionDetails();
    }

    // ---------------------------------------------------------------- produce

    /** Pre-serialised produce requests, each {@code batch} records with distinct random values (and keys, by default). */
    record Bodies(List<HttpRequest> requests, List<Integer> sizes) {

        static Bodies build(DriverArgs a) {
            Random random = new Random(a.seed());
            int count = (int) Math.max(1, Math.min(a.bodyPool(), a.requestsFor(Math.max(a.records(), a.warmup()))));
            URI uri = URI.create(a.url() + "/api/v1/topics/" + a.topic() + "/records");
            List<HttpRequest> requests = new ArrayList<>(count);
            List<Integer> sizes = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] body = body(a, random);
                requests.add(a.authorize(HttpRequest.newBuilder(uri))
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build());
                sizes.add(body.length);
            }
            return new Bodies(requests, sizes);
        }

        static byte[] body(DriverArgs a, Random random) {
            StringBuilder sb = new StringBuilder(a.batch() * (a.recordBytes() + 40) + 64);
            sb.append("{\"acks\":\"").append(a.acks()).append("\",\"records\":[");
            for (int r = 0; r < a.batch(); r++) {
                if (r > 0) {
                    sb.append(',');
                }
                if (a.keys()) {
                    sb.append("{\"key\":\"").append(Payloads.key(random)).append("\",\"value\":");
                } else {
                    sb.append("{\"value\":");
                }
                sb.append(Payloads.jsonValue(a.recordBytes(), random)).append('}');
            }
            sb.append("]}");
            return sb.toString().getBytes(StandardCharsets.UTF_8);
        }

        int size() {
            return requests.size();
        }

        long averageBytes() {
            return sizes.stream().mapToLong(Integer::longValue).sum() / sizes.size();
        }
    }

    /** One request outside any measurement, checking the answer holds one offset per record. */
    private void checkOneRequest(Bodies bodies) throws IOException, InterruptedException {
        HttpResponse<byte[]> resp = clients.get(0).send(bodies.requests().get(0), HttpResponse.BodyHandlers.ofByteArray());
        if (resp.statusCode() != 200) {
            throw new IllegalStateException("produce answered " + resp.statusCode() + ": "
                    + new String(resp.body(), StandardCharsets.UTF_8));
        }
        int offsets = countArray(resp.body(), "offsets");
        if (offsets != args.batch()) {
            throw new IllegalStateException("produce answered " + offsets + " offsets for " + args.batch() + " records");
        }
    }

    private RunStats produceRun(int run, Bodies bodies, long recordCount) throws InterruptedException {
        boolean fixedRate = args.mode() == DriverArgs.Mode.FIXED_RATE;
        long requests = args.requestsFor(recordCount);
        long interval = args.intervalNanos();
        int threads = args.clients();
        AtomicLong ticket = new AtomicLong();
        AtomicLong records = new AtomicLong();
        AtomicLong payload = new AtomicLong();
        AtomicLong wire = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong lastDone = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        List<Histogram> latencies = new ArrayList<>();
        List<Histogram> services = new ArrayList<>();
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(threads);
        long[] start = new long[1];
        long deadlineNanos = args.maxSeconds() * 1_000_000_000L;
        boolean[] truncated = new boolean[1];
        for (int t = 0; t < threads; t++) {
            Histogram latency = RunStats.newHistogram();
            Histogram service = RunStats.newHistogram();
            latencies.add(latency);
            services.add(service);
            HttpClient client = clients.get(t);
            Thread worker = new Thread(() -> {
                ready.countDown();
                try {
                    go.await();
                    long t0 = start[0];
                    long i;
                    while ((i = ticket.getAndIncrement()) < requests) {
                        long intended = fixedRate ? t0 + i * interval : 0;
                        if (fixedRate) {
                            waitUntil(intended);
                        }
                        long sent = System.nanoTime();
                        if (sent - t0 > deadlineNanos) {
                            truncated[0] = true;
                            break;
                        }
                        int b = (int) (i % bodies.size());
                        boolean okAnswer;
                        try {
                            HttpResponse<byte[]> resp = client.send(bodies.requests().get(b),
                                    HttpResponse.BodyHandlers.ofByteArray());
                            okAnswer = resp.statusCode() == 200;
                            if (!okAnswer) {
                                firstError.compareAndSet(null, "HTTP " + resp.statusCode() + ": "
                                        + new String(resp.body(), StandardCharsets.UTF_8));
                            }
                        } catch (IOException e) {
                            okAnswer = false;
                            firstError.compareAndSet(null, e.toString());
                        }
                        long end = System.nanoTime();
                        lastDone.accumulateAndGet(end, Math::max);
                        latency.recordValue(Math.min(RunStats.HIGHEST_MICROS, (end - (fixedRate ? intended : sent)) / 1000));
                        service.recordValue(Math.min(RunStats.HIGHEST_MICROS, (end - sent) / 1000));
                        if (okAnswer) {
                            records.addAndGet(args.batch());
                            payload.addAndGet((long) args.batch() * args.recordBytes());
                            wire.addAndGet(bodies.sizes().get(b));
                        } else if (errors.incrementAndGet() >= 10) {
                            break; // a broken service: stop rather than hammer it
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            }, "produce-" + t);
            worker.setDaemon(true);
            worker.start();
        }
        ready.await();
        Snapshot before = Snapshot.take(args.serverPid());
        start[0] = System.nanoTime() + 1_000_000; // every worker is parked on the latch by then
        go.countDown();
        done.await();
        long elapsed = Math.max(1, lastDone.get() - start[0]);
        Snapshot after = Snapshot.take(args.serverPid());
        if (firstError.get() != null) {
            System.out.println("first error: " + firstError.get());
        }
        return new RunStats(args.mode().label(), run, records.get(), payload.get(), wire.get(), elapsed,
                merge(latencies), merge(services), errors.get(), after.driverCpu - before.driverCpu,
                before.serverCpu < 0 ? -1 : after.serverCpu - before.serverCpu, before.load, after.load, truncated[0]);
    }

    private static void waitUntil(long nanoTime) {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }

    // ---------------------------------------------------------------- fetch

    /** Reads every partition from offset 0; {@code recordCount} > 0 caps the records read (split evenly). */
    private RunStats fetchRun(int run, long recordCount) throws InterruptedException {
        List<PartitionDetails> partitions = requireTopic();
        int n = partitions.size();
        AtomicLong records = new AtomicLong();
        AtomicLong payload = new AtomicLong();
        AtomicLong wire = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        List<Histogram> latencies = new ArrayList<>();
        CountDownLatch ready = new CountDownLatch(n);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(n);
        AtomicLong lastDone = new AtomicLong();
        long[] start = new long[1];
        long deadlineNanos = args.maxSeconds() * 1_000_000_000L;
        boolean[] truncated = new boolean[1];
        for (int i = 0; i < n; i++) {
            PartitionDetails p = partitions.get(i);
            long end = recordCount > 0 ? Math.min(p.highWatermark(), p.logStartOffset() + recordCount / n)
                    : p.highWatermark();
            Histogram latency = RunStats.newHistogram();
            latencies.add(latency);
            HttpClient client = clients.get(i);
            String base = args.url() + "/api/v1/topics/" + args.topic() + "/partitions/" + p.partition()
                    + "/records?maxRecords=" + args.fetchMaxRecords() + "&maxBytes=" + args.fetchMaxBytes() + "&offset=";
            Thread worker = new Thread(() -> {
                ready.countDown();
                try {
                    go.await();
                    long offset = p.logStartOffset();
                    while (offset < end) {
                        long sent = System.nanoTime();
                        if (sent - start[0] > deadlineNanos) {
                            truncated[0] = true;
                            break;
                        }
                        HttpRequest req = args.authorize(HttpRequest.newBuilder(URI.create(base + offset)))
                                .timeout(Duration.ofSeconds(60)).GET().build();
                        HttpResponse<byte[]> resp;
                        try {
                            resp = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
                        } catch (IOException e) {
                            firstError.compareAndSet(null, e.toString());
                            errors.incrementAndGet();
                            break;
                        }
                        long finished = System.nanoTime();
                        lastDone.accumulateAndGet(finished, Math::max);
                        latency.recordValue(Math.min(RunStats.HIGHEST_MICROS, (finished - sent) / 1000));
                        byte[] body = resp.body();
                        if (resp.statusCode() != 200) {
                            firstError.compareAndSet(null, "HTTP " + resp.statusCode() + ": "
                                    + new String(body, StandardCharsets.UTF_8));
                            errors.incrementAndGet();
                            break;
                        }
                        long next = tailNumber(body, "nextOffset");
                        if (next <= offset) {
                            firstError.compareAndSet(null, "no progress at offset " + offset + " of partition "
                                    + p.partition());
                            errors.incrementAndGet();
                            break;
                        }
                        long got = next - offset;
                        if (args.verify()) {
                            long[] counted = countRecordsAndValueBytes(body);
                            if (counted[0] != got) {
                                firstError.compareAndSet(null, "partition " + p.partition() + " offset " + offset
                                        + ": " + counted[0] + " records in the body, nextOffset says " + got);
                                errors.incrementAndGet();
                            }
                            payload.addAndGet(counted[1]);
                        } else {
                            payload.addAndGet(got * args.recordBytes());
                        }
                        records.addAndGet(got);
                        wire.addAndGet(body.length);
                        offset = next;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            }, "fetch-" + p.partition());
            worker.setDaemon(true);
            worker.start();
        }
        ready.await();
        Snapshot before = Snapshot.take(args.serverPid());
        start[0] = System.nanoTime();
        go.countDown();
        done.await();
        long elapsed = Math.max(1, lastDone.get() - start[0]);
        Snapshot after = Snapshot.take(args.serverPid());
        if (firstError.get() != null) {
            System.out.println("first error: " + firstError.get());
        }
        Histogram none = RunStats.newHistogram();
        return new RunStats("fetch", run, records.get(), payload.get(), wire.get(), elapsed, merge(latencies), none,
                errors.get(), after.driverCpu - before.driverCpu,
                before.serverCpu < 0 ? -1 : after.serverCpu - before.serverCpu, before.load, after.load, truncated[0]);
    }

    /**
     * The number after {@code "field":} near the end of a JSON body, found by scanning backwards
     * (the fetch answer ends with {@code "nextOffset":n,"highWatermark":h}), so the driver need
     * not parse megabytes of records. -1 when absent.
     */
    static long tailNumber(byte[] body, String field) {
        byte[] needle = ("\"" + field + "\":").getBytes(StandardCharsets.US_ASCII);
        int stop = Math.max(0, body.length - 4096);
        for (int at = body.length - needle.length; at >= stop; at--) {
            if (matches(body, at, needle)) {
                int i = at + needle.length;
                while (i < body.length && body[i] == ' ') {
                    i++;
                }
                boolean negative = i < body.length && body[i] == '-';
                if (negative) {
                    i++;
                }
                long v = 0;
                int digits = 0;
                while (i < body.length && body[i] >= '0' && body[i] <= '9') {
                    v = v * 10 + (body[i] - '0');
                    i++;
                    digits++;
                }
                return digits == 0 ? -1 : negative ? -v : v;
            }
        }
        return -1;
    }

    private static boolean matches(byte[] body, int at, byte[] needle) {
        for (int j = 0; j < needle.length; j++) {
            if (body[at + j] != needle[j]) {
                return false;
            }
        }
        return true;
    }

    /** Full streaming parse of a fetch answer: {records, bytes of the raw record values}. */
    static long[] countRecordsAndValueBytes(byte[] body) {
        long count = 0;
        long bytes = 0;
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), body)) {
            p.nextToken(); // {
            String field;
            while ((field = p.nextName()) != null) {
                JsonToken t = p.nextToken();
                if (!field.equals("records") || t != JsonToken.START_ARRAY) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    count++;
                    String f;
                    while ((f = p.nextName()) != null) {
                        JsonToken v = p.nextToken();
                        if (f.equals("value") && v != JsonToken.VALUE_NULL) {
                            long from = p.currentTokenLocation().getByteOffset();
                            if (v.isStructStart()) {
                                p.skipChildren();
                            } else {
                                p.finishToken();
                            }
                            bytes += p.currentLocation().getByteOffset() - from;
                        } else {
                            p.skipChildren();
                        }
                    }
                }
            }
        }
        return new long[] {count, bytes};
    }

    /** Elements of the top-level array {@code field} of a JSON object. */
    static int countArray(byte[] body, String field) {
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), body)) {
            p.nextToken();
            String name;
            while ((name = p.nextName()) != null) {
                JsonToken t = p.nextToken();
                if (name.equals(field) && t == JsonToken.START_ARRAY) {
                    int n = 0;
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        p.skipChildren();
                        n++;
                    }
                    return n;
                }
                p.skipChildren();
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- machine

    private static Histogram merge(List<Histogram> parts) {
        Histogram all = RunStats.newHistogram();
        parts.forEach(all::add);
        return all;
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    /** CPU times and load at one moment. */
    private record Snapshot(long driverCpu, long serverCpu, String load) {

        static Snapshot take(long serverPid) {
            long driver = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime();
            return new Snapshot(driver, serverPid > 0 ? processCpuNanos(serverPid) : -1, loadAverage());
        }
    }

    /**
     * CPU of a process and everything it started: its utime + stime, its ended and reaped children's (cutime +
     * cstime), and the utime + stime of its live descendants (an analytics-service's Spark drivers).
     */
    static long processTreeCpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[13]) + Long.parseLong(f[14]); // cutime, cstime: fields 16, 17
            long live = ProcessHandle.of(pid).map(p -> p.descendants().mapToLong(d -> Math.max(0,
                    processCpuNanos(d.pid()))).sum()).orElse(0L);
            return processCpuNanos(pid) + ticks * 10_000_000L + live;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** utime + stime of a process from /proc/PID/stat, assuming the usual 100 clock ticks per second. */
    static long processCpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": f[0] = state (field 3); utime is field 14, stime field 15
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
