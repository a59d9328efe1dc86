package io.tributary.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import io.tributary.deployment.fuzz.ApiOperation;
import io.tributary.deployment.fuzz.EndpointFuzzer;
import io.tributary.deployment.fuzz.FuzzCases;
import io.tributary.deployment.fuzz.StoredState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The README's start command, end to end: {@code ./run.sh --reset} on a fresh data folder (with the jars
 * this build made), until the demo flows; then, through the gateway, cleaned orders, dead letters of the
 * malformed ones and job results; the three curl commands it prints, run as printed; Ctrl-C, after which
 * every process it started has exited; and a second run that resumes with the data kept.
 */
class RunScriptScenarioTest {

    private static final String GATEWAY = "http://localhost:8080";
    private static final String KEY = "tributary-dev-key";
    private static final Pattern STARTED = Pattern.compile("started ([\\w-]+) \\(pid (\\d+)\\)");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * The gateway's keys for the fuzzer: the development key as run.sh has it, and one for each other role. From the
     * environment, which the gateway (started by run.sh) inherits; a list bound from there replaces application.yml's.
     */
    private static final Map<String, String> FUZZ_KEYS = Map.ofEntries(
            Map.entry("GATEWAY_SECURITY_APIKEYS_0_NAME", "dev"),
            Map.entry("GATEWAY_SECURITY_APIKEYS_0_KEY", KEY),
            Map.entry("GATEWAY_SECURITY_APIKEYS_0_ROLES", "producer,consumer,admin"),
            Map.entry("GATEWAY_SECURITY_APIKEYS_1_NAME", "fuzz-producer"),
            Map.entry("GATEWAY_SECURITY_APIKEYS_1_KEY", "fuzz-producer-key"),
            Map.entry("GATEWAY_SECURITY_APIKEYS_1_ROLES", "producer"),
            Map.entry("GATEWAY_SECURITY_APIKEYS_2_NAME", "fuzz-consumer"),
            Map.entry("GATEWAY_SECURITY_APIKEYS_2_KEY", "fuzz-consumer-key"),
            Map.entry("GATEWAY_SECURITY_APIKEYS_2_ROLES", "consumer"),
            Map.entry("GATEWAY_SECURITY_APIKEYS_3_NAME", "fuzz-read-only"),
            Map.entry("GATEWAY_SECURITY_APIKEYS_3_KEY", "fuzz-read-only-key"),
            Map.entry("GATEWAY_SECURITY_APIKEYS_3_ROLES", "read-only"),
            // the fuzzer's requests, not the rate limiter, are what is tested
            Map.entry("GATEWAY_SECURITY_RATELIMIT_LIMITFORPERIOD", "100000"));

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Path workdir = Path.of("target/run-sh-scenario").toAbsolutePath();
    private Process run;

    @Test
    void shouldRunTheDemoStopOnCtrlCAndResumeWithTheDataKept() throws Exception {
        assertThat(jars()).as("the services' jars (build the modules before this one)").hasSize(4);
        deleteRecursively(workdir);

        String first = start("--reset");
        long cleaned = waitForDemoFlow();
        for (int port : List.of(8080, 8081, 8082, 8083)) {
            assertThat(ListeningSockets.addresses(port)).as("sockets listening on port %d", port)
                    .isNotEmpty().allMatch(ListeningSockets::isLoopback);
        }
        for (String curl : printedCurlCommands(first)) {
            // each names one partition, which a malformed order (1 in 20) may take a few seconds to reach
            await(Duration.ofMinutes(2), "data from " + curl, () -> {
                JsonNode answer = JSON.readTree(Commands.output(List.of("bash", "-c", curl)));
                return !(answer.has("records") ? answer.get("records") : answer.get("rows")).isEmpty();
            });
        }
        for (String log : List.of("ingest-service", "stream-clean-service", "analytics-service", "gateway",
                "order-generator")) {
            assertThat(workdir.resolve("data/logs/" + log + ".log")).isNotEmptyFile();
        }
        fuzzEveryEndpoint();
        stopAndCheckEveryProcessExited(first);

        String second = start();
        assertThat(second).contains("topic raw.orders already exists", "pipeline orders-clean already exists",
                "job revenue-by-country already exists");
        assertThat(recordsIn("clean.orders")).as("cleaned orders kept across the restart")
                .isGreaterThanOrEqualTo(cleaned);
        stopAndCheckEveryProcessExited(readOutput());
    }

    /**
     * The fuzzer (issue "production proof", part 4) against the running suite: every operation of the three services'
     * OpenAPI documents, directly and through the gateway with a key of every role; no answer of 500 or more, every
     * 4xx a problem, no internal names shown, and the stored fixtures unchanged. {@code -Dfuzz.cases} cases per
     * operation (12 here; bench/run-fuzz.sh runs more) from {@code -Dfuzz.seed}.
     */
    private void fuzzEveryEndpoint() throws Exception {
        long seed = Long.getLong("fuzz.seed", 14L);
        int perOperation = Integer.getInteger("fuzz.cases", 12);
        send("POST", "/api/v1/topics", "{\"name\":\"fuzz.quiet\",\"partitions\":2}");
        send("POST", "/api/v1/topics/fuzz.quiet/records",
                "{\"records\":[{\"key\":\"a\",\"value\":{\"n\":1}},{\"key\":\"b\",\"value\":{\"n\":2}},"
                        + "{\"key\":\"c\",\"value\":{\"n\":3}}]}");
        Set<String> moving = Set.of("logStartOffset", "highWatermark", "logEndOffset", "sizeBytes", "segments");
        StoredState stored = new StoredState(List.of(
                new StoredState.Source("http://localhost:8081/api/v1/topics/fuzz.quiet", Set.of()),
                new StoredState.Source("http://localhost:8081/api/v1/topics/raw.orders", moving),
                new StoredState.Source("http://localhost:8081/api/v1/topics/clean.orders", moving),
                new StoredState.Source("http://localhost:8082/api/v1/pipelines/orders-clean", Set.of()),
                new StoredState.Source("http://localhost:8083/api/v1/jobs/revenue-by-country",
                        Set.of("leaseExpiresAt"))));
        Map<String, JsonNode> before = stored.snapshot();

        FuzzCases cases = new FuzzCases(seed, Map.of(
                "ingest", Map.of("topic", "fuzz.quiet", "partition", "0"),
                "clean", Map.of("name", "orders-clean"),
                "analytics", Map.of("name", "revenue-by-country")));
        EndpointFuzzer fuzzer = new EndpointFuzzer(
                Map.of("ingest", "http://localhost:8081", "clean", "http://localhost:8082",
                        "analytics", "http://localhost:8083"),
                new EndpointFuzzer.Target("gateway as admin", GATEWAY, Map.of("X-Api-Key", KEY)),
                List.of(new EndpointFuzzer.Target("gateway as producer", GATEWAY, Map.of("X-Api-Key", "fuzz-producer-key")),
                        new EndpointFuzzer.Target("gateway as consumer", GATEWAY, Map.of("X-Api-Key", "fuzz-consumer-key")),
                        new EndpointFuzzer.Target("gateway as read-only", GATEWAY, Map.of("X-Api-Key", "fuzz-read-only-key")),
                        new EndpointFuzzer.Target("gateway without key", GATEWAY, Map.of()),
                        new EndpointFuzzer.Target("gateway with an unknown key", GATEWAY, Map.of("X-Api-Key", "fuzz-wrong"))),
                cases, perOperation, 65L << 20);
        List<ApiOperation> operations = fuzzer.operations();
        assertThat(operations).as("operations in the services' OpenAPI documents").hasSizeGreaterThan(40);
        EndpointFuzzer.Report report = fuzzer.run(operations);
        System.out.println("fuzz seed " + seed + " (-Dfuzz.seed to repeat)\n" + report.summary());
        assertThat(report.findings()).as("findings with seed %d:%n%s", seed, report.summary()).isEmpty();
        assertThat(stored.snapshot()).as("stored data after the fuzzer (seed %d)", seed).isEqualTo(before);
    }

    private void send(String method, String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(GATEWAY + path))
                .header("X-Api-Key", KEY).header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as("%s %s: %s", method, path, answer.body()).isBetween(200, 299);
    }

    /** Starts run.sh and returns its output once the demo is set up. */
    private String start(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", RepoFiles.path("run.sh").toString(), "--no-build"));
        command.addAll(List.of(args));
        Files.createDirectories(workdir);
        ProcessBuilder builder = new ProcessBuilder(command).directory(RepoFiles.root().toFile())
                .redirectErrorStream(true).redirectOutput(workdir.resolve("run.out").toFile());
        builder.environment().put("TRIBUTARY_WORKDIR", workdir.toString());
        builder.environment().putAll(FUZZ_KEYS);
        run = builder.start();
        await(Duration.ofMinutes(6), "run.sh to set up the demo", () -> {
            assertThat(run.isAlive()).as("run.sh is running:\n%s", readOutput()).isTrue();
            return readOutput().contains("Press Ctrl-C to stop.");
        });
        return readOutput();
    }

    /** Waits until cleaned orders, dead letters and job results show through the gateway; the cleaned count. */
    private long waitForDemoFlow() throws Exception {
        await(Duration.ofMinutes(2), "cleaned orders, dead letters and job results", () ->
                recordsIn("clean.orders") > 0 && recordsIn("dlq.orders") > 0
                        && resultRows() > 0);

        JsonNode clean = get("/api/v1/topics/clean.orders/partitions/0/records?offset=0&maxRecords=20").get("records");
        JsonNode dead = deadLetters();
        for (JsonNode record : clean) {
            assertThat(record.at("/value/email").asString()).as("masked e-mail").matches("[0-9a-f]{64}");
            assertThat(Instant.parse(record.at("/value/ts").asString())).as("normalised timestamp").isNotNull();
        }
        assertThat(dead).isNotEmpty().allSatisfy(record -> {
            assertThat(record.at("/headers/step").asString()).matches("parse|0:validate");
            assertThat(record.at("/headers/source.topic").asString()).isEqualTo("raw.orders");
        });
        JsonNode rows = get("/api/v1/jobs/revenue-by-country/results?size=50").get("rows");
        assertThat(rows).allSatisfy(row -> {
            assertThat(row.at("/group/~1country").asString()).matches("[A-Z]{2}");
            assertThat(row.at("/values/revenue").asDouble()).isPositive();
        });
        return recordsIn("clean.orders");
    }

    private JsonNode deadLetters() throws IOException, InterruptedException {
        List<JsonNode> all = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            get("/api/v1/topics/dlq.orders/partitions/" + p + "/records?offset=0").get("records").forEach(all::add);
        }
        return JSON.valueToTree(all);
    }

    private void stopAndCheckEveryProcessExited(String output) throws Exception {
        List<Long> pids = new ArrayList<>();
        Matcher m = STARTED.matcher(output);
        while (m.find()) {
            pids.add(Long.parseLong(m.group(2)));
        }
        assertThat(pids).as("run.sh names the pids of the four services and the generator").hasSize(5);
        Commands.output(List.of("kill", "-" + ctrlC(run.pid()), Long.toString(run.pid())));
        await(Duration.ofSeconds(90), "run.sh to stop after Ctrl-C", () -> !run.isAlive());
        assertThat(run.exitValue()).isEqualTo(130);
        assertThat(readOutput()).contains("stopped");
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("process %d has exited", pid).isEmpty();
        }
    }

    /**
     * SIGINT, as Ctrl-C sends; unless run.sh inherited SIGINT as ignored (a shell starts background jobs
     * like that, e.g. a build launched with '&'), which no script can undo: then SIGTERM, which run.sh
     * handles the same way.
     */
    private static String ctrlC(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("SigIgn:")) {
                long ignored = Long.parseLong(line.substring("SigIgn:".length()).strip(), 16);
                return (ignored & 0x2) != 0 ? "TERM" : "INT";
            }
        }
        return "INT";
    }

    @AfterEach
    void stopWhateverIsLeft() {
        if (run != null && run.isAlive()) {
            List<ProcessHandle> children = run.descendants().toList();
            run.destroy();
            children.forEach(ProcessHandle::destroyForcibly);
            run.destroyForcibly();
        }
    }

    private static List<String> printedCurlCommands(String output) {
        List<String> curls = output.lines().map(String::strip).filter(l -> l.startsWith("curl ")).toList();
        assertThat(curls).as("three curl commands").hasSize(3);
        return curls;
    }

    private long recordsIn(String topic) {
        try {
            long sum = 0;
            for (JsonNode p : get("/api/v1/topics/" + topic).get("partitionDetails")) {
                sum += p.get("highWatermark").asLong();
            }
            return sum;
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    private long resultRows() {
        try {
            return get("/api/v1/jobs/revenue-by-country/results?size=1").get("totalRows").asLong();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(GATEWAY + path))
                .header("X-Api-Key", KEY).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private String readOutput() {
        try {
            return Files.readString(workdir.resolve("run.out"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static List<Path> jars() throws IOException {
        List<Path> jars = new ArrayList<>();
        for (String module : List.of("ingest-service", "stream-clean-service", "analytics-service", "gateway")) {
            try (Stream<Path> files = Files.list(RepoFiles.path(module + "/target"))) {
                files.filter(f -> f.getFileName().toString().matches(module + "-.*-SNAPSHOT(-exec)?\\.jar"))
                        .findFirst().ifPresent(jars::add);
            } catch (java.nio.file.NoSuchFileException e) {
                // not built
            }
        }
        return jars;
    }

    private static void await(Duration limit, String what, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(limit);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("gave up waiting for " + what + " after " + limit.toSeconds() + " s");
            }
            Thread.sleep(1000);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
