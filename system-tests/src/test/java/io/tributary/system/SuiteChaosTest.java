package io.tributary.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.tributary.client.ClientSettings;
import io.tributary.client.ConsumedRecord;
import io.tributary.client.IngestClient;
import io.tributary.client.PartitionDetails;
import io.tributary.system.Suite.Role;
import io.tributary.testkit.ServiceProcess;
import tools.jackson.databind.JsonNode;

/**
 * Issue 14 part 2, the whole path under faults: the {@link Suite} (3 ingest nodes, 2 stream-clean, 2 analytics, the
 * gateway, one PostgreSQL), the demo's shape (raw.orders -> a cleaning pipeline with validation, dedupe, masking
 * and timestamps -> clean.orders + dlq.orders -> a windowed revenue job), an {@link OrderStream} through the
 * gateway, and a nemesis that, round after round, SIGKILLs one process and starts it again on its data: each cycle
 * of four rounds hits every kind of process once (an ingest node, a stream-clean instance, an analytics instance,
 * the gateway), in a seeded random order, the instance of its kind and the downtime (1-5 s) drawn at random too.
 * After each restart the stream must get further acknowledgements before the next fault. At the end, with every
 * process up and the stream stopped, the {@link SuiteOracle} compares the topics and the job's results with what
 * was sent and acknowledged: every acknowledged order is cleaned or dead-lettered exactly once, repeats dropped, and
 * the job's windowed counts and sums equal the clean topic's, exactly.
 *
 * <p>{@code -Dchaos.rounds} (default 4: one fault of each kind, for CI), {@code -Dchaos.minutes} (default 0: keep
 * faulting, beyond the rounds, until this many minutes passed), {@code -Dchaos.seed} (default from the
 * clock; printed and part of the summary: it fixes the order of kinds, the victims, the downtimes and the orders'
 * content, not the timing), {@code -Dchaos.rate} (orders a second, default 100). {@code bench/run-chaos.sh} runs
 * longer schedules. Each process' log and a summary go to {@code target/suite-chaos/seed-<seed>/}.
 */
class SuiteChaosTest {

    private static final String PIPELINE = "orders-clean";
    private static final String JOB = "chaos-revenue";
    private static final String CLEAN = "clean.orders";
    private static final String DEAD_LETTERS = "dlq.orders";
    /** Acknowledged records the stream must add after every restart before the next fault. */
    private static final int PROGRESS_PER_ROUND = 300;
    private static final Duration WAIT = Duration.ofSeconds(150);

    private static final String PIPELINE_JSON = """
            {"name":"orders-clean","source":"raw.orders","sink":"clean.orders","deadLetter":"dlq.orders","steps":[
              {"type":"validate","schema":{"type":"object","required":["order_id","ts","user","email","country","amount"],
                "properties":{"order_id":{"type":"string"},"ts":{"type":"integer","minimum":0},"user":{"type":"string"},
                  "email":{"type":"string","pattern":"^[^@\\\\s]+@[^@\\\\s]+\\\\.[a-z]+$"},
                  "country":{"type":"string","pattern":"^[A-Z]{2}$"},"amount":{"type":"integer","minimum":0}}}},
              {"type":"dedupe","field":"/order_id","window":"1h"},
              {"type":"mask","field":"/email","method":"hash"},
              {"type":"timestamp","field":"/ts","format":"epoch-millis"}]}""";

    /** A watermark far beyond the run, so that no order is late whatever the faults delay: the oracle stays exact. */
    private static final String JOB_JSON = """
            {"name":"chaos-revenue","source":"clean.orders","startingOffsets":"earliest","eventTime":"/ts",
             "watermark":"PT1H","window":{"type":"tumbling","size":"PT10S"},"groupBy":["/country"],
             "aggregations":[{"name":"orders","function":"count"},{"name":"revenue","function":"sum","field":"/amount"}],
             "trigger":{"type":"processing-time","interval":"PT1S"},"outputMode":"update"}""";

    private final List<String> summary = new ArrayList<>();
    private List<Path> summaryFiles = List.of();

    @Test
    void everyAcknowledgedOrderIsCleanedOrDeadLetteredOnceAndCountedExactlyWhileEveryKindOfProcessDies()
            throws Exception {
        long seed = Long.getLong("chaos.seed", System.currentTimeMillis());
        int rounds = Integer.getInteger("chaos.rounds", 4);
        int rate = Integer.getInteger("chaos.rate", 100);
        long minutes = Long.getLong("chaos.minutes", 0);
        Random random = new Random(seed);
        Path runDir = Path.of("target", "suite-chaos", "seed-" + seed);
        deleteRecursively(runDir); // a replayed seed starts from empty data folders
        Files.createDirectories(runDir);
        summaryFiles = List.of(runDir.resolve("summary.txt"), runDir.getParent().resolve("last-summary.txt"));
        summary.add("seed " + seed + ", " + rounds + " rounds"
                + (minutes > 0 ? " (at least; faults for " + minutes + " min)" : "") + ", " + rate
                + " orders/s, started " + Instant.now());
        System.out.println("[suite-chaos] seed " + seed + " (replay the schedule with -Dchaos.seed=" + seed
                + "), logs in " + runDir.toAbsolutePath());
        long started = System.nanoTime();
        try (Suite suite = Suite.start(runDir)) {
            note("suite ready after " + seconds(started) + " s");
            GatewayApi api = new GatewayApi(suite.gatewayUrl(), Suite.KEY);
            createDemo(api);
            long streamStart = System.nanoTime();
            OrderStream orders = new OrderStream(suite.gatewayUrl(), Suite.KEY, seed, rate).start();
            try {
                awaitProgress(orders, PROGRESS_PER_ROUND, "the first orders");
                List<Role> cycle = new ArrayList<>(List.of(Role.values()));
                long faultsUntil = System.nanoTime() + Duration.ofMinutes(minutes).toNanos();
                for (int round = 0; round < rounds || System.nanoTime() < faultsUntil; round++) {
                    if (round % cycle.size() == 0) {
                        Collections.shuffle(cycle, random);
                    }
                    List<ServiceProcess> kind = suite.processes(cycle.get(round % cycle.size()));
                    ServiceProcess victim = kind.get(random.nextInt(kind.size()));
                    int downMillis = 1_000 + random.nextInt(4_000);
                    long before = orders.acknowledgedCount();
                    victim.kill();
                    Thread.sleep(downMillis);
                    victim.start();
                    Suite.awaitReady(victim);
                    awaitProgress(orders, PROGRESS_PER_ROUND, "after round " + (round + 1));
                    note(String.format("round %d: SIGKILL %s, down %.1f s, back and %d more acknowledged",
                            round + 1, victim.name(), downMillis / 1000.0, orders.acknowledgedCount() - before));
                }
            } finally {
                orders.finish();
                orders.close();
            }
            note(String.format("stream: %d records sent in %d s, %d acknowledged, %d given up", orders.sent(),
                    seconds(streamStart), orders.acknowledgedCount(), orders.failed()));
            check(suite, api, orders);
        } finally {
            note("ended after " + seconds(started) + " s");
        }
    }

    private static void createDemo(GatewayApi api) throws IOException, InterruptedException {
        for (String topic : List.of(OrderStream.TOPIC, CLEAN, DEAD_LETTERS)) {
            api.call("POST", "/api/v1/topics", "{\"name\":\"" + topic + "\",\"partitions\":3,\"replicationFactor\":3}",
                    201);
        }
        api.call("POST", "/api/v1/pipelines", PIPELINE_JSON, 201);
        api.call("POST", "/api/v1/jobs", JOB_JSON, 201);
        api.call("POST", "/api/v1/jobs/" + JOB + "/start", null, 200);
    }

    /** Waits until the pipeline and the job have consumed everything there is, then compares with the oracle. */
    private void check(Suite suite, GatewayApi api, OrderStream orders) throws Exception {
        try (IngestClient ingest = IngestClient.create(ClientSettings.of(suite.gatewayUrl())
                .withExtraHeaders(() -> Map.of("X-Api-Key", Suite.KEY)))) {
            long waitStart = System.nanoTime();
            Map<Integer, Long> rawEnds = ends(ingest, OrderStream.TOPIC);
            String group = "clean-" + PIPELINE + "-" + ingest.describeTopic(OrderStream.TOPIC).topicId();
            awaitTrue("the pipeline committed raw.orders up to " + rawEnds + " (group " + group + ")",
                    () -> committed(ingest, group).equals(rawEnds),
                    () -> "committed " + committed(ingest, group) + "; " + pipelineStatuses(suite));
            note("pipeline caught up " + seconds(waitStart) + " s after the stream stopped");
            long cleanEnd = ends(ingest, CLEAN).values().stream().mapToLong(Long::longValue).sum();
            awaitTrue("the job consumed clean.orders up to " + cleanEnd, () -> consumed(api) == cleanEnd,
                    () -> "consumed " + consumed(api) + "; " + jobStatuses(suite));
            note("job caught up " + seconds(waitStart) + " s after the stream stopped");

            List<ConsumedRecord> raw = SuiteOracle.readAll(ingest, OrderStream.TOPIC);
            List<ConsumedRecord> clean = SuiteOracle.readAll(ingest, CLEAN);
            List<ConsumedRecord> deadLetters = SuiteOracle.readAll(ingest, DEAD_LETTERS);
            SuiteOracle.checkRaw(raw, orders);
            SuiteOracle.Expected expected = SuiteOracle.expected(raw);
            Map<String, long[]> aggregates = SuiteOracle.checkClean(clean, expected);
            SuiteOracle.checkDeadLetters(deadLetters, expected);
            JsonNode page = api.get("/api/v1/jobs/" + JOB + "/results?size=10000");
            assertThat(page.path("totalElements").asLong()).as("result rows fit one page").isLessThan(10_000);
            assertThat(SuiteOracle.printable(SuiteOracle.jobRows(page))).as("the job's rows against the clean topic")
                    .isEqualTo(SuiteOracle.printable(aggregates));
            note(String.format("checked: raw %d records, clean %d (%d repeats dropped), dead letters %d, "
                    + "%d result rows", raw.size(), clean.size(), expected.droppedRepeats(), deadLetters.size(),
                    aggregates.size()));
        }
    }

    private static Map<Integer, Long> committed(IngestClient ingest, String group) {
        return ingest.committedOffsets(group).entrySet().stream()
                .collect(Collectors.toMap(e -> e.getKey().partition(), Map.Entry::getValue));
    }

    /** What each stream-clean instance says of the pipeline, asked directly: the diagnosis of a stalled wait. */
    private static String pipelineStatuses(Suite suite) {
        return statuses(suite.processes(Role.CLEAN), "/api/v1/pipelines/" + PIPELINE + "/status");
    }

    private static String jobStatuses(Suite suite) {
        return statuses(suite.processes(Role.ANALYTICS), "/api/v1/jobs/" + JOB);
    }

    private static String statuses(List<ServiceProcess> processes, String path) {
        StringBuilder out = new StringBuilder();
        for (ServiceProcess process : processes) {
            String answer;
            try {
                answer = new GatewayApi(process.url(), Suite.KEY).send("GET", path, null).body();
            } catch (IOException | RuntimeException e) {
                answer = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                answer = e.toString();
            }
            out.append(process.name()).append(": ").append(answer).append("; ");
        }
        return out.toString();
    }

    private static Map<Integer, Long> ends(IngestClient ingest, String topic) {
        return ingest.describeTopic(topic).partitionDetails().stream()
                .collect(Collectors.toMap(PartitionDetails::partition, PartitionDetails::highWatermark));
    }

    /** The offsets the job's last committed batch ends at, summed over its partitions (0 before the first batch). */
    private static long consumed(GatewayApi api) throws IOException, InterruptedException {
        JsonNode batches = api.get("/api/v1/jobs/" + JOB + "/progress?size=1").path("batches");
        return batches.isEmpty() ? 0 : sumOfNumbers(batches.get(0).path("endOffsets"));
    }

    private static long sumOfNumbers(JsonNode node) {
        if (node.isNumber()) {
            return node.asLong();
        }
        long sum = 0;
        for (JsonNode child : node) {
            sum += sumOfNumbers(child);
        }
        return sum;
    }

    private static void awaitProgress(OrderStream orders, int records, String what) throws InterruptedException {
        long target = orders.acknowledgedCount() + records;
        awaitTrue(records + " more orders acknowledged (" + what + ")", () -> orders.acknowledgedCount() >= target);
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(String what, Check check) throws InterruptedException {
        awaitTrue(what, check, () -> "");
    }

    /** Waits until {@code check} holds; when it does not in time, fails with what {@code detail} then says. */
    private static void awaitTrue(String what, Check check, Detail detail) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (check.holds()) {
                    return;
                }
            } catch (Exception e) {
                last = e; // a process may still be on its way back
            }
            Thread.sleep(250);
        }
        String state;
        try {
            state = detail.describe();
        } catch (Exception e) {
            state = "(no detail: " + e + ")";
        }
        throw new AssertionError("not within " + WAIT + ": " + what + (last == null ? "" : "; last error: " + last)
                + (state.isEmpty() ? "" : "; " + state));
    }

    @FunctionalInterface
    private interface Detail {
        String describe() throws Exception;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    /** Adds a line to the summary, printed and written at once (a long run stopped midway keeps what it did). */
    private void note(String line) throws IOException {
        line = LocalTime.now().withNano(0) + " " + line;
        summary.add(line);
        System.out.println("[suite-chaos] " + line);
        for (Path file : summaryFiles) {
            Files.write(file, summary);
        }
    }

    private static long seconds(long sinceNanos) {
        return Duration.ofNanos(System.nanoTime() - sinceNanos).toSeconds();
    }
}
