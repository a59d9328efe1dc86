package io.tributary.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.HdrHistogram.Histogram;

import io.tributary.client.ClientSettings;
import io.tributary.client.IngestClient;
import io.tributary.client.IngestException;
import io.tributary.client.NewTopic;
import io.tributary.client.Partitioner;
import io.tributary.client.PartitionDetails;
import io.tributary.client.producer.IngestProducer;
import io.tributary.client.producer.ProducerRecord;
import io.tributary.client.producer.ProducerSettings;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * WORKLOADS.md W3 against a running ingest-service and stream-clean-service:
 * <ol>
 *   <li><b>throughput</b>: fills a raw topic once with the W3 events, then per run creates a fresh
 *       pipeline (its own consumer group, sink and dead-letter topic) over it and times it from
 *       creation until the sink and dead-letter topics hold every record; also from the first
 *       output seen, which leaves out the worker's start. Checks the counts: sink = good events,
 *       dead letters = malformed events.</li>
 *   <li><b>latency</b>: one idle pipeline; a single record is produced (one HTTP request,
 *       acks=all) and the driver long-polls the sink partition its key maps to until the record
 *       is there; probes are spaced so the pipeline is idle before each.</li>
 * </ol>
 * Prints every run and the medians ({@code RESULT} / {@code MEDIAN} lines).
 */
public final class CleanBenchmark {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Map<String, String> args;
    private final String ingestUrl;
    private final String cleanUrl;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final IngestClient ingest;

    private CleanBenchmark(Map<String, String> args) {
        this.args = args;
        this.ingestUrl = args.get("ingest-url");
        this.cleanUrl = args.get("clean-url");
        this.ingest = IngestClient.create(ClientSettings.of(ingestUrl));
    }

    /** Options with their defaults; {@code --name value} or {@code --name=value} override them. */
    static Map<String, String> parse(String[] argv) {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("ingest-url", "http://127.0.0.1:18081");
        args.put("clean-url", "http://127.0.0.1:18082");
        args.put("mode", "all");              // all, throughput, latency
        args.put("records", "1000000");
        args.put("partitions", "3");
        args.put("parallelism", "1");         // workers (group members) of each pipeline
        args.put("runs", "3");
        args.put("warmup-runs", "1");
        args.put("probes", "200");
        args.put("probe-gap-ms", "100");
        args.put("seed", "42");
        args.put("clean-pid", "-1");
        args.put("ingest-pid", "-1");
        args.put("max-seconds", "600");
        for (int i = 0; i < argv.length; i++) {
            String arg = argv[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + arg);
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < argv.length) {
                value = argv[++i];
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
            if (!args.containsKey(name)) {
                throw new IllegalArgumentException("unknown option --" + name + "; known: " + args.keySet());
            }
            args.put(name, value);
        }
        return args;
    }

    public static void main(String[] argv) throws Exception {
        if (argv.length > 0 && (argv[0].equals("--help") || argv[0].equals("-h"))) {
            System.out.println("options (defaults): " + parse(new String[0]));
            return;
        }
        CleanBenchmark bench = new CleanBenchmark(parse(argv));
        String mode = bench.args.get("mode");
        if (mode.equals("all") || mode.equals("throughput")) {
            bench.throughput();
        }
        if (mode.equals("all") || mode.equals("latency")) {
            bench.latency();
        }
    }

    private int intArg(String name) {
        return Integer.parseInt(args.get(name));
    }

    // ---------------------------------------------------------------- throughput

    private void throughput() throws Exception {
        int records = intArg("records");
        int partitions = intArg("partitions");
        String tag = Long.toString(System.currentTimeMillis() % 1_000_000);
        String raw = "raw.w3-" + tag;
        ingest.createTopic(new NewTopic(raw, partitions, 1));
        long fillStart = System.nanoTime();
        int malformed = fill(raw, records);
        System.out.printf(Locale.ROOT, "filled %s: %,d events (%,d malformed) in %.1f s%n", raw, records, malformed,
                (System.nanoTime() - fillStart) / 1e9);

        int warmups = intArg("warmup-runs");
        int runs = intArg("runs");
        List<double[]> results = new ArrayList<>();
        for (int run = 1 - warmups; run <= runs; run++) {
            String name = "w3-" + tag + "-" + (run <= 0 ? "warmup" + (1 - run) : "run" + run);
            double[] result = drain(name, raw, records - malformed, malformed, partitions);
            String label = run <= 0 ? "warm-up (not counted)" : "run " + run;
            System.out.printf(Locale.ROOT, "RESULT mode=throughput %s records=%d seconds=%.3f rps=%.0f "
                            + "steady_seconds=%.3f steady_rps=%.0f clean_cpu_s=%.1f ingest_cpu_s=%.1f load=%s%n",
                    label.replace(' ', '_'), records, result[0], records / result[0], result[1], result[2] / result[1],
                    result[3], result[4],
                    LoadDriver.loadAverage().replace(' ', '/'));
            if (run > 0) {
                results.add(new double[] {records / result[0], result[2] / result[1]});
            }
            deletePipeline(name);
        }
        System.out.printf(Locale.ROOT, "MEDIAN mode=throughput runs=%d rps=%.0f steady_rps=%.0f (runs: %s)%n",
                results.size(), RunStats.median(results.stream().mapToDouble(r -> r[0]).toArray()),
                RunStats.median(results.stream().mapToDouble(r -> r[1]).toArray()),
                results.stream().map(r -> String.format(Locale.ROOT, "%.0f", r[0])).toList());
    }

    /** Produces the W3 events; returns how many are malformed. */
    private int fill(String topic, int records) {
        W3Events events = new W3Events(Long.parseLong(args.get("seed")), System.currentTimeMillis(), records);
        try (IngestProducer producer = IngestProducer.create(ProducerSettings.builder(ClientSettings.of(ingestUrl))
                .batchSize(2_000).linger(Duration.ofMillis(20)).build())) {
            for (int i = 0; i < records; i++) {
                W3Events.Event event = events.next();
                producer.send(topic, ProducerRecord.ofJson(event.key(), event.json()));
            }
            producer.flush();
        }
        return events.malformed();
    }

    /**
     * Creates a pipeline over the pre-filled topic and waits until it has written everything.
     *
     * @return seconds from creation, seconds from the first output, records counted from the
     *         first output, CPU seconds of the cleaning service and of the ingest service
     */
    private double[] drain(String name, String raw, long good, long bad, int partitions) throws Exception {
        String sink = "clean." + name;
        String dead = "dlq." + name;
        long cpuBefore = LoadDriver.processCpuNanos(Long.parseLong(args.get("clean-pid")));
        long ingestCpuBefore = LoadDriver.processCpuNanos(Long.parseLong(args.get("ingest-pid")));
        long start = System.nanoTime();
        createPipeline(name, raw, sink, dead);
        long firstOutput = -1;
        long atFirst = 0;
        long deadline = start + Duration.ofSeconds(Long.parseLong(args.get("max-seconds"))).toNanos();
        while (true) {
            long written = endOffsets(sink) + endOffsets(dead);
            long now = System.nanoTime();
            if (firstOutput < 0 && written > 0) {
                firstOutput = now;
                atFirst = written;
            }
            if (written >= good + bad) {
                long end = now;
                long sinkCount = endOffsets(sink);
                long deadCount = endOffsets(dead);
                if (sinkCount != good || deadCount != bad) {
                    System.out.printf("COUNT MISMATCH %s: clean %d (expected %d), dead letters %d (expected %d)%n",
                            name, sinkCount, good, deadCount, bad);
                }
                long cpuAfter = LoadDriver.processCpuNanos(Long.parseLong(args.get("clean-pid")));
                long ingestCpuAfter = LoadDriver.processCpuNanos(Long.parseLong(args.get("ingest-pid")));
                return new double[] {(end - start) / 1e9, (end - firstOutput) / 1e9, good + bad - atFirst,
                        cpuBefore < 0 ? -1 : (cpuAfter - cpuBefore) / 1e9,
                        ingestCpuBefore < 0 ? -1 : (ingestCpuAfter - ingestCpuBefore) / 1e9};
            }
            if (now > deadline) {
                throw new IllegalStateException(name + " did not finish in time: " + written + " of " + (good + bad));
            }
            Thread.sleep(20);
        }
    }

    private long endOffsets(String topic) {
        try {
            return ingest.describeTopic(topic).partitionDetails().stream().mapToLong(PartitionDetails::highWatermark)
                    .sum();
        } catch (IngestException e) {
            return 0; // not created yet
        }
    }

    // ---------------------------------------------------------------- latency

    private void latency() throws Exception {
        int partitions = intArg("partitions");
        String tag = Long.toString(System.currentTimeMillis() % 1_000_000);
        String name = "w3-latency-" + tag;
        String raw = "raw." + name;
        String sink = "clean." + name;
        ingest.createTopic(new NewTopic(raw, partitions, 1));
        createPipeline(name, raw, sink, "dlq." + name);
        // The first record also waits for the worker to join the group: not a probe.
        probe(raw, sink, partitions, "warm", 0);
        probe(raw, sink, partitions, "warm", 1);
        int runs = intArg("runs");
        int probes = intArg("probes");
        List<double[]> results = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            Histogram micros = RunStats.newHistogram();
            for (int i = 0; i < probes; i++) {
                Thread.sleep(intArg("probe-gap-ms"));
                micros.recordValue(Math.max(1, probe(raw, sink, partitions, "r" + run, i) / 1_000));
            }
            double p50 = micros.getValueAtPercentile(50) / 1000.0;
            double p99 = micros.getValueAtPercentile(99) / 1000.0;
            System.out.printf(Locale.ROOT, "RESULT mode=latency run=%d probes=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f "
                    + "load=%s%n", run, probes, p50, p99, micros.getMaxValue() / 1000.0,
                    LoadDriver.loadAverage().replace(' ', '/'));
            results.add(new double[] {p50, p99});
        }
        System.out.printf(Locale.ROOT, "MEDIAN mode=latency runs=%d p50_ms=%.2f p99_ms=%.2f%n", results.size(),
                RunStats.median(results.stream().mapToDouble(r -> r[0]).toArray()),
                RunStats.median(results.stream().mapToDouble(r -> r[1]).toArray()));
        deletePipeline(name);
    }

    /** Produces one valid event and waits until it is in the sink; returns the nanoseconds that took. */
    private long probe(String raw, String sink, int partitions, String run, int i) throws Exception {
        String key = "probe-" + run + "-" + i;
        int sinkPartition = Partitioner.partitionForKey(key, partitions);
        long from = highWatermark(sink, sinkPartition);
        String body = "{\"acks\":\"all\",\"records\":[{\"key\":\"" + key + "\",\"value\":{\"ts\":"
                + System.currentTimeMillis() + ",\"user\":\"" + key + "\",\"amount\":12.5,\"email\":\"p@x.io\"}}]}";
        long start = System.nanoTime();
        HttpResponse<String> produced = http.send(HttpRequest.newBuilder(URI.create(ingestUrl + "/api/v1/topics/" + raw
                        + "/records")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (produced.statusCode() != 200) {
            throw new IllegalStateException("produce failed: " + produced.statusCode() + " " + produced.body());
        }
        long offset = from;
        long deadline = start + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> fetched = http.send(HttpRequest.newBuilder(URI.create(ingestUrl + "/api/v1/topics/"
                    + sink + "/partitions/" + sinkPartition + "/records?offset=" + offset + "&maxWaitMs=1000")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (fetched.statusCode() == 404) {
                Thread.sleep(20); // the pipeline creates its sink when its worker starts
                continue;
            }
            if (fetched.statusCode() != 200) {
                throw new IllegalStateException("fetch failed: " + fetched.statusCode() + " " + fetched.body());
            }
            JsonNode answer = JSON.readTree(fetched.body());
            for (JsonNode record : answer.path("records")) {
                if (key.equals(record.path("key").asString())) {
                    return System.nanoTime() - start;
                }
            }
            offset = answer.path("nextOffset").asLong(offset);
        }
        throw new IllegalStateException("probe " + key + " not in " + sink + " after 30 s");
    }

    private long highWatermark(String topic, int partition) {
        try {
            return ingest.describeTopic(topic).partitionDetails().stream().filter(d -> d.partition() == partition)
                    .mapToLong(PartitionDetails::highWatermark).findFirst().orElse(0);
        } catch (IngestException e) {
            return 0;
        }
    }

    // ---------------------------------------------------------------- pipelines

    private void createPipeline(String name, String raw, String sink, String dead) throws Exception {
        String body = "{\"name\":\"" + name + "\",\"source\":\"" + raw + "\",\"sink\":\"" + sink + "\",\"deadLetter\":\""
                + dead + "\",\"parallelism\":" + intArg("parallelism") + ",\"steps\":" + W3Events.steps() + "}";
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(cleanUrl + "/api/v1/pipelines"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new IllegalStateException("creating pipeline " + name + " failed: " + created.statusCode() + " "
                    + created.body());
        }
    }

    private void deletePipeline(String name) throws Exception {
        http.send(HttpRequest.newBuilder(URI.create(cleanUrl + "/api/v1/pipelines/" + name)).DELETE().build(),
                HttpResponse.BodyHandlers.discarding());
    }
}
