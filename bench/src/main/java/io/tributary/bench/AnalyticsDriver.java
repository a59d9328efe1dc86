package io.tributary.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

import io.tributary.client.ClientSettings;
import io.tributary.client.IngestClient;
import io.tributary.client.IngestException;
import io.tributary.client.NewTopic;
import io.tributary.client.TopicDescription;
import io.tributary.client.producer.IngestProducer;
import io.tributary.client.producer.ProducerRecord;
import io.tributary.client.producer.ProducerSettings;
import tools.jackson.databind.JsonNode;

/**
 * WORKLOADS.md W2 against a running ingest-service and analytics-service:
 * <ol>
 *   <li>drain: 1,000,000 events pre-filled once into a 3-partition topic, drained by an
 *       available-now job per run (from the start call to COMPLETED, both as the service's clock
 *       records them in the job's {@code updatedAt}; events/s);</li>
 *   <li>live: a 1-second processing-time job under a live load (10,000 events/s): per-batch
 *       durations from the job's progress;</li>
 *   <li>idle: the service's CPU per second while that job waits with nothing to read (empty
 *       fetches commit nothing, so this is what an empty trigger costs);</li>
 *   <li>probes: one event produced into the idle job, until its group is visible in the results.</li>
 * </ol>
 * Prints each run, then medians and {@code RESULT} lines.
 */
public final class AnalyticsDriver {

    private final Map<String, String> args;
    private final String ingestUrl;
    private final AnalyticsApi analytics;
    private final long analyticsPid;
    private final long ingestPid;
    /** What computes the jobs: builtin or spark. */
    private final String engine;

    private AnalyticsDriver(Map<String, String> args) {
        this.args = args;
        this.ingestUrl = args.get("ingest-url");
        this.analytics = new AnalyticsApi(args.get("analytics-url"));
        this.analyticsPid = Long.parseLong(args.get("analytics-pid"));
        this.ingestPid = Long.parseLong(args.get("ingest-pid"));
        this.engine = args.get("engine");
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>(Map.of("ingest-url", "http://127.0.0.1:18081",
                "analytics-url", "http://127.0.0.1:18083", "analytics-pid", "-1", "events", "1000000",
                "runs", "3", "warmup-runs", "1", "probes", "21", "live-rate", "10000", "live-seconds", "30",
                "idle-seconds", "20"));
        args.put("scenario", "all");
        args.put("engine", "builtin");
        args.put("ingest-pid", "-1");
        for (int i = 0; i < argv.length; i++) {
            if (!argv[i].startsWith("--") || i + 1 >= argv.length || !args.containsKey(argv[i].substring(2))) {
                System.err.println("usage: AnalyticsDriver [--key value]...; keys and defaults: " + args);
                System.exit(2);
            }
            args.put(argv[i].substring(2), argv[++i]);
        }
        System.out.printf(Locale.ROOT, "analytics driver: %s; load avg %s%n", args, LoadDriver.loadAverage());
        AnalyticsDriver driver = new AnalyticsDriver(args);
        String scenario = args.get("scenario");
        if (scenario.equals("all") || scenario.equals("drain")) {
            driver.drain();
        }
        if (scenario.equals("all") || scenario.equals("live")) {
            driver.live();
        }
    }

    private int intArg(String name) {
        return Integer.parseInt(args.get(name));
    }

    // ---------------------------------------------------------------- (a) available-now drain

    private void drain() throws InterruptedException {
        String topic = "w2-orders";
        long events = Long.parseLong(args.get("events"));
        prefill(topic, events);
        List<double[]> runs = new ArrayList<>();
        int warmups = intArg("warmup-runs");
        for (int run = 1 - warmups; run <= intArg("runs"); run++) {
            String job = "w2-drain-" + engine;
            analytics.deleteIfExists(job);
            analytics.createJob(W2Events.job(job, topic, "{\"type\":\"available-now\"}", engine));
            String loadBefore = LoadDriver.loadAverage();
            long cpuBefore = LoadDriver.processTreeCpuNanos(analyticsPid);
            long ingestCpuBefore = LoadDriver.processCpuNanos(ingestPid);
            // Start and completion times come from the service's own clock (the job's updatedAt), so
            // the driver can poll slowly and take no CPU from the service while it drains.
            Instant started = Instant.parse(analytics.start(job).path("updatedAt").asString());
            JsonNode state;
            do {
                Thread.sleep(100);
                state = analytics.job(job);
            } while (state.path("status").asString().equals("RUNNING"));
            long cpu = LoadDriver.processTreeCpuNanos(analyticsPid) - cpuBefore;
            long ingestCpu = LoadDriver.processCpuNanos(ingestPid) - ingestCpuBefore;
            if (!state.path("status").asString().equals("COMPLETED")) {
                throw new IllegalStateException("drain job ended " + state);
            }
            double seconds = Duration.between(started, Instant.parse(state.path("updatedAt").asString())).toNanos() / 1e9;
            JsonNode batches = analytics.progress(job, 10_000);
            Instant firstBatch = Instant.MAX;
            for (JsonNode batch : batches) {
                Instant at = Instant.parse(batch.path("timestamp").asString());
                firstBatch = at.isBefore(firstBatch) ? at : firstBatch;
            }
            double startup = Duration.between(started, firstBatch).toNanos() / 1e9;
            long input = 0;
            double fetch = 0;
            double compute = 0;
            double commit = 0;
            for (JsonNode batch : batches) {
                input += batch.path("inputRows").asLong();
                fetch += batch.path("durationMs").path("fetch").asDouble();
                compute += batch.path("durationMs").path("compute").asDouble();
                commit += batch.path("durationMs").path("commit").asDouble();
            }
            if (input != events) {
                throw new IllegalStateException("the job read " + input + " events, not " + events);
            }
            System.out.printf(Locale.ROOT, "%s %s drain run %d: %,d events in %.2f s = %,.0f events/s; %d batches;"
                            + " first batch %.2f s after the start; summed fetch %.0f ms, compute %.0f ms, commit %.0f ms;"
                            + " CPU analytics %.1f s, ingest %.1f s; load %s -> %s%n", engine,
                    run < 1 ? "warm-up" : "measured", run, input, seconds, input / seconds, batches.size(), startup,
                    fetch, compute, commit, cpu / 1e9, ingestCpu / 1e9, loadBefore, LoadDriver.loadAverage());
            if (run >= 1) {
                runs.add(new double[] {input / seconds, seconds, cpu / 1e9, ingestCpu / 1e9, startup});
            }
            analytics.deleteIfExists(job);
        }
        System.out.printf(Locale.ROOT, "RESULT drain engine=%s events_per_s_median=%.0f seconds_median=%.2f"
                        + " first_batch_s_median=%.2f analytics_cpu_s_median=%.2f ingest_cpu_s_median=%.2f runs=%s%n",
                engine, median(runs, r -> r[0]), median(runs, r -> r[1]), median(runs, r -> r[4]),
                median(runs, r -> r[2]), median(runs, r -> r[3]),
                Arrays.toString(runs.stream().mapToLong(r -> Math.round(r[0])).toArray()));
    }

    /** Creates and fills the topic once; a later run reuses it when it holds exactly {@code events}. */
    private void prefill(String topic, long events) {
        try (IngestClient admin = IngestClient.create(ClientSettings.of(ingestUrl))) {
            try {
                TopicDescription existing = admin.describeTopic(topic);
                long held = existing.partitionDetails().stream().mapToLong(p -> p.highWatermark()).sum();
                if (held == events) {
                    System.out.printf(Locale.ROOT, "topic %s already holds %,d events%n", topic, held);
                    return;
                }
                admin.deleteTopic(topic);
            } catch (IngestException e) {
                // not there yet
            }
            admin.createTopic(new NewTopic(topic, 3, 1));
        }
        long started = System.nanoTime();
        W2Events source = new W2Events(events, System.currentTimeMillis(), 2026);
        try (IngestProducer producer = IngestProducer.create(ProducerSettings.builder(ClientSettings.of(ingestUrl))
                .batchSize(5_000).linger(Duration.ofMillis(20)).build())) {
            while (source.hasNext()) {
                W2Events.Event event = source.next();
                producer.send(topic, ProducerRecord.ofJson(event.key(), event.json()));
            }
            producer.flush();
        }
        System.out.printf(Locale.ROOT, "pre-filled %s with %,d events in %.1f s%n", topic, events,
                (System.nanoTime() - started) / 1e9);
    }

    // ---------------------------------------------------------------- (b) 1-second trigger

    private void live() throws Exception {
        String topic = "w2-live-" + engine;
        String job = "w2-live-" + engine;
        analytics.deleteIfExists(job);
        try (IngestClient admin = IngestClient.create(ClientSettings.of(ingestUrl))) {
            try {
                admin.deleteTopic(topic);
            } catch (IngestException e) {
                // not there
            }
            admin.createTopic(new NewTopic(topic, 3, 1));
        }
        analytics.createJob(W2Events.job(job, topic, "{\"type\":\"processing-time\",\"interval\":\"PT1S\"}",
                engine));
        analytics.start(job);
        Thread.sleep(engine.equals("spark") ? 15_000 : 2_000); // a Spark driver takes seconds to start

        int rate = intArg("live-rate");
        int seconds = intArg("live-seconds");
        long produced = produceLive(topic, rate, seconds);
        Thread.sleep(3_000);
        List<JsonNode> loaded = new ArrayList<>();
        analytics.progress(job, 100_000).forEach(loaded::add);
        long read = loaded.stream().mapToLong(b -> b.path("inputRows").asLong()).sum();
        System.out.printf(Locale.ROOT, "live: %,d events at %,d/s over %d s; the job committed %d batches with %,d"
                + " events; load %s%n", produced, rate, seconds, loaded.size(), read, LoadDriver.loadAverage());
        printBatches("live-batch", loaded);

        int idleSeconds = intArg("idle-seconds");
        long cpuBefore = LoadDriver.processTreeCpuNanos(analyticsPid);
        int batchesBefore = analytics.progress(job, 100_000).size();
        Thread.sleep(idleSeconds * 1000L);
        long cpu = LoadDriver.processTreeCpuNanos(analyticsPid) - cpuBefore;
        int idleBatches = analytics.progress(job, 100_000).size() - batchesBefore;
        System.out.printf(Locale.ROOT, "RESULT idle engine=%s seconds=%d service_cpu_ms_per_trigger=%.1f"
                + " committed_batches=%d load=%s%n", engine, idleSeconds, cpu / 1e6 / idleSeconds, idleBatches, LoadDriver.loadAverage());

        probes(topic, job);
        analytics.stop(job);
    }

    private long produceLive(String topic, int rate, int seconds) throws InterruptedException {
        W2Events source = new W2Events(Long.MAX_VALUE, System.currentTimeMillis(), 7);
        long total = (long) rate * seconds;
        long started = System.nanoTime();
        long sent = 0;
        try (IngestProducer producer = IngestProducer.create(ProducerSettings.builder(ClientSettings.of(ingestUrl))
                .batchSize(1_000).linger(Duration.ofMillis(5)).build())) {
            SplittableRandom random = new SplittableRandom(11);
            while (sent < total) {
                long due = started + sent * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                W2Events.Event shape = source.next();
                long ts = System.currentTimeMillis() - random.nextInt(2_001);
                String json = shape.json().replaceFirst("\"ts\":-?\\d+", "\"ts\":" + ts);
                producer.send(topic, ProducerRecord.ofJson(shape.key(), json));
                sent++;
            }
            producer.flush();
        }
        return sent;
    }

    private void probes(String topic, String job) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        SplittableRandom random = new SplittableRandom(3);
        int probes = intArg("probes");
        double[] latencies = new double[probes];
        for (int i = 0; i < probes; i++) {
            Thread.sleep(300 + random.nextInt(1_000)); // idle; land anywhere in the trigger's wait
            String country = "PROBE" + i;
            String body = "{\"records\":[{\"key\":\"probe\",\"value\":" + W2Events.json(System.currentTimeMillis(),
                    "probe", country, 100) + "}]}";
            HttpRequest produce = HttpRequest.newBuilder(URI.create(ingestUrl + "/api/v1/topics/" + topic + "/records"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
            long started = System.nanoTime();
            HttpResponse<String> answer = http.send(produce, HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                throw new IllegalStateException("probe produce answered " + answer.statusCode() + ": " + answer.body());
            }
            while (analytics.results(job, country).path("totalRows").asLong() == 0) {
                Thread.sleep(1);
                if (System.nanoTime() - started > 30_000_000_000L) {
                    throw new IllegalStateException("probe " + i + " not visible after 30 s");
                }
            }
            latencies[i] = (System.nanoTime() - started) / 1e6;
            System.out.printf(Locale.ROOT, "probe %d: visible after %.1f ms%n", i, latencies[i]);
        }
        double[] sorted = latencies.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "RESULT probe engine=" + engine + " count=%d median_ms=%.1f p90_ms=%.1f min_ms=%.1f max_ms=%.1f"
                        + " load=%s%n", probes, RunStats.median(latencies), sorted[(int) Math.floor(0.9 * (probes - 1))],
                sorted[0], sorted[probes - 1], LoadDriver.loadAverage());
        List<JsonNode> single = new ArrayList<>();
        analytics.progress(job, 100).forEach(b -> {
            if (b.path("inputRows").asLong() == 1) {
                single.add(b);
            }
        });
        printBatches("one-event-batch", single);
    }

    /** Median and p90 of the phases of the given progress rows. */
    private static void printBatches(String label, List<JsonNode> batches) {
        if (batches.isEmpty()) {
            System.out.println("RESULT " + label + " count=0");
            return;
        }
        StringBuilder line = new StringBuilder("RESULT " + label + " count=" + batches.size());
        for (String phase : List.of("fetch", "compute", "commit", "total")) {
            double[] values = batches.stream().mapToDouble(b -> phase.equals("total")
                    ? b.path("durationMs").path("fetch").asDouble() + b.path("durationMs").path("compute").asDouble()
                    + b.path("durationMs").path("commit").asDouble()
                    : b.path("durationMs").path(phase).asDouble()).sorted().toArray();
            line.append(String.format(Locale.ROOT, " %s_ms_median=%.0f %s_ms_p90=%.0f", phase,
                    RunStats.median(values), phase, values[(int) Math.floor(0.9 * (values.length - 1))]));
        }
        double[] rows = batches.stream().mapToDouble(b -> b.path("inputRows").asDouble()).toArray();
        line.append(String.format(Locale.ROOT, " input_rows_median=%.0f", RunStats.median(rows)));
        System.out.println(line);
    }

    private static double median(List<double[]> runs, ToDoubleFunction<double[]> metric) {
        return runs.isEmpty() ? Double.NaN : RunStats.median(runs.stream().mapToDouble(metric).toArray());
    }
}
