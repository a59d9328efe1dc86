package io.tributary.ingest.crash;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.tributary.ingest.testing.LocalResources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Runs the service as a separate JVM, SIGKILLs it at random moments while batches are being
 * produced (topic with {@code flush.messages=1}, acks=all), restarts it on the same data folder
 * and checks after every restart that each acknowledged record is there exactly once, in
 * order, that no batch is torn, and that the log takes new writes.
 *
 * <p>Partitions 0 and 1 are written by an idempotent producer that retries its in-flight batch
 * after each restart with the same sequence, so their logs must end up holding every batch
 * exactly once. Partition 2 is written by plain produces that are never retried: an
 * unacknowledged batch may be there or not, but whole and at most once.
 */
class CrashRecoveryTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TOPIC = "crash";
    private static final int PARTITIONS = 3;
    private static final int IDEMPOTENT_PARTITIONS = 2;
    private static final int CYCLES = 5;

    @TempDir
    Path data;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Fixes the kill times and batch sizes (not the timing around them); -Dcrash.seed picks other ones. */
    private static final long SEED = Long.getLong("crash.seed", 7L);

    private final Random random = new Random(SEED);
    private Process child;
    private Path childLog;
    private String base;
    private final List<Throwable> writerErrors = new java.util.concurrent.CopyOnWriteArrayList<>();
    private int retriesFoundWritten;
    private int retriesFoundMissing;

    /** What a writer of one partition has sent. */
    private static final class PartitionWriter {
        final int partition;
        final boolean idempotent;
        /** value counter: record values are consecutive numbers per partition */
        long next;
        /** acknowledged batches: first value -> count, and their offsets */
        final Map<Long, Integer> acked = new ConcurrentHashMap<>();
        final Map<Long, Long> ackedOffsets = new ConcurrentHashMap<>();
        /** the batch whose request got no answer (the kill), with its first value and size */
        long pendingFirst = -1;
        int pendingCount;
        long ackedRecords;

        PartitionWriter(int partition, boolean idempotent) {
            this.partition = partition;
            this.idempotent = idempotent;
        }
    }

    @AfterEach
    void killChild() {
        if (child != null && child.isAlive()) {
            child.destroyForcibly();
            try {
                child.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void acknowledgedRecordsSurviveRepeatedSigkillsExactlyOnce() throws Exception {
        Path logs = Path.of("target", "crash-test");
        Files.createDirectories(logs);
        childLog = logs.resolve("ingest-child-" + System.currentTimeMillis() + ".log");

        startChild();
        JsonNode created = post("/api/v1/topics", "{\"name\":\"" + TOPIC + "\",\"partitions\":" + PARTITIONS
                + ",\"configs\":{\"flush.messages\":\"1\",\"segment.bytes\":\"32768\"}}", 201);
        assertThat(created.path("effectiveConfigs").path("flush.messages").asString()).isEqualTo("1");
        JsonNode identity = post("/api/v1/producers", "{\"name\":\"crash-writer\"}", 200);
        long producerId = identity.path("producerId").asLong();
        int epoch = identity.path("producerEpoch").asInt();

        List<PartitionWriter> writers = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            writers.add(new PartitionWriter(p, p < IDEMPOTENT_PARTITIONS));
        }

        for (int cycle = 0; cycle < CYCLES; cycle++) {
            AtomicBoolean stop = new AtomicBoolean();
            Map<Integer, Long> ackedBefore = new HashMap<>();
            writers.forEach(w -> ackedBefore.put(w.partition, w.ackedRecords));
            List<Thread> threads = new ArrayList<>();
            for (PartitionWriter w : writers) {
                Thread t = new Thread(() -> {
                    try {
                        produceUntilFailure(w, producerId, epoch, stop);
                    } catch (Throwable e) {
                        writerErrors.add(e);
                    }
                }, "crash-writer-" + w.partition);
                t.start();
                threads.add(t);
            }
            Thread.sleep(400 + random.nextInt(1200));
            child.destroyForcibly(); // SIGKILL
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
            stop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
                assertThat(t.isAlive()).isFalse();
            }
            if (!writerErrors.isEmpty()) {
                throw new AssertionError("a writer failed", writerErrors.get(0));
            }
            for (PartitionWriter w : writers) {
                assertThat(w.ackedRecords).as("cycle %d: partition %d took writes after the restart", cycle, w.partition)
                        .isGreaterThan(ackedBefore.get(w.partition));
            }

            startChild();
            verify(writers, false);
            retryPending(writers, producerId, epoch);
        }
        verify(writers, true);
        System.out.printf("crash test (seed %d): %d kills; acknowledged records per partition %s; in-flight batches "
                        + "retried after a kill: %d had been written, %d had not%n", SEED, CYCLES,
                writers.stream().map(w -> w.ackedRecords).toList(), retriesFoundWritten, retriesFoundMissing);
        child.destroy();
        child.waitFor(30, TimeUnit.SECONDS);
    }

    /** Sends batches to one partition, one at a time, until a request gets no answer. */
    private void produceUntilFailure(PartitionWriter w, long producerId, int epoch, AtomicBoolean stop) {
        Random r = new Random(SEED * 31 + w.partition);
        while (!stop.get()) {
            int count = 1 + r.nextInt(25);
            long first = w.next;
            w.pendingFirst = first;
            w.pendingCount = count;
            JsonNode answer;
            try {
                answer = send(w, producerId, epoch, first, count);
            } catch (IOException | InterruptedException e) {
                return; // the kill: this batch stays pending
            }
            record(w, first, count, answer);
        }
    }

    private void record(PartitionWriter w, long first, int count, JsonNode answer) {
        JsonNode offsets = answer.path("offsets");
        assertThat(offsets.size()).isEqualTo(count);
        for (int i = 0; i < count; i++) {
            assertThat(offsets.get(i).path("partition").asInt()).isEqualTo(w.partition);
            assertThat(offsets.get(i).path("offset").asLong()).isEqualTo(offsets.get(0).path("offset").asLong() + i);
        }
        w.acked.put(first, count);
        w.ackedOffsets.put(first, offsets.get(0).path("offset").asLong());
        w.ackedRecords += count;
        w.next = first + count;
        w.pendingFirst = -1;
    }

    /** A batch of values first..first+count-1, each naming its batch; fails on anything but 200. */
    private JsonNode send(PartitionWriter w, long producerId, int epoch, long first, int count)
            throws IOException, InterruptedException {
        StringBuilder body = new StringBuilder("{\"acks\":\"all\",");
        if (w.idempotent) {
            body.append("\"producerId\":").append(producerId).append(",\"producerEpoch\":").append(epoch)
                    .append(",\"baseSequence\":").append(first).append(',');
        }
        body.append("\"records\":[");
        for (int i = 0; i < count; i++) {
            long v = first + i;
            body.append(i == 0 ? "" : ",").append("{\"partition\":").append(w.partition)
                    .append(",\"key\":\"k").append(v % 13).append("\",\"value\":{\"v\":").append(v)
                    .append(",\"batch\":").append(first).append(",\"size\":").append(count)
                    .append(",\"pad\":\"").append("x".repeat((int) (v % 200))).append("\"}}");
        }
        body.append("]}");
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/topics/" + TOPIC
                        + "/records")).timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            fail("produce to partition %d answered %d: %s", w.partition, response.statusCode(), response.body());
        }
        return JSON.readTree(response.body());
    }

    /** After a restart: the idempotent writers resend the batch that got no answer, same sequence. */
    private void retryPending(List<PartitionWriter> writers, long producerId, int epoch) throws Exception {
        for (PartitionWriter w : writers) {
            if (w.pendingFirst < 0) {
                continue;
            }
            if (w.idempotent) {
                long first = w.pendingFirst;
                int count = w.pendingCount;
                List<JsonNode> before = readAll(w.partition);
                boolean wasWritten = before.stream().anyMatch(r -> r.path("value").path("batch").asLong() == first);
                JsonNode answer = send(w, producerId, epoch, first, count);
                long offset = answer.path("offsets").get(0).path("offset").asLong();
                if (wasWritten) {
                    retriesFoundWritten++;
                    assertThat(offset).as("a retry of a batch written before the kill gets its original offset")
                            .isEqualTo(before.stream().filter(r -> r.path("value").path("batch").asLong() == first)
                                    .findFirst().orElseThrow().path("offset").asLong());
                    assertThat(readAll(w.partition)).as("and is not written again").hasSize(before.size());
                } else {
                    retriesFoundMissing++;
                    assertThat(offset).isEqualTo(before.size());
                }
                record(w, first, count, answer);
            } else {
                // Plain produce: not retried; later values continue after it, whether or not it landed.
                w.next = w.pendingFirst + w.pendingCount;
                w.pendingFirst = -1;
            }
        }
    }

    private void verify(List<PartitionWriter> writers, boolean end) throws Exception {
        for (PartitionWriter w : writers) {
            List<JsonNode> records = readAll(w.partition);
            Set<Long> seen = new HashSet<>();
            long lastValue = -1;
            int i = 0;
            while (i < records.size()) {
                JsonNode r = records.get(i);
                long batch = r.path("value").path("batch").asLong();
                int size = r.path("value").path("size").asInt();
                assertThat(i + size).as("partition %d: batch %d is whole", w.partition, batch).isLessThanOrEqualTo(records.size());
                for (int k = 0; k < size; k++) {
                    JsonNode rec = records.get(i + k);
                    long v = rec.path("value").path("v").asLong();
                    assertThat(rec.path("offset").asLong()).as("offsets are dense").isEqualTo(i + k);
                    assertThat(rec.path("value").path("batch").asLong()).as("partition %d: batch %d is whole, not torn",
                            w.partition, batch).isEqualTo(batch);
                    assertThat(v).as("partition %d: value order", w.partition).isEqualTo(batch + k);
                    assertThat(v).as("partition %d: in order", w.partition).isGreaterThan(lastValue);
                    assertThat(seen.add(v)).as("partition %d: value %d appears once", w.partition, v).isTrue();
                    assertThat(rec.path("value").path("pad").asString()).hasSize((int) (v % 200));
                    lastValue = v;
                }
                if (w.acked.containsKey(batch)) {
                    assertThat(size).isEqualTo(w.acked.get(batch));
                    assertThat((long) i).as("partition %d: acknowledged batch %d keeps its offset", w.partition, batch)
                            .isEqualTo(w.ackedOffsets.get(batch));
                }
                i += size;
            }
            for (Map.Entry<Long, Integer> acked : w.acked.entrySet()) {
                for (int k = 0; k < acked.getValue(); k++) {
                    assertThat(seen).as("partition %d: acknowledged value %d survived", w.partition, acked.getKey() + k)
                            .contains(acked.getKey() + k);
                }
            }
            if (end && w.idempotent) {
                assertThat((long) records.size()).as("partition %d: every batch exactly once", w.partition)
                        .isEqualTo(w.next);
            }
        }
    }

    private List<JsonNode> readAll(int partition) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        long offset = 0;
        while (true) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/topics/" + TOPIC
                    + "/partitions/" + partition + "/records?maxRecords=5000&offset=" + offset))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode body = JSON.readTree(r.body());
            body.path("records").forEach(out::add);
            long next = body.path("nextOffset").asLong();
            if (next >= body.path("highWatermark").asLong()) {
                return out;
            }
            offset = next;
        }
    }

    private JsonNode post(String path, String json, int expectedStatus) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(expectedStatus);
        return JSON.readTree(r.body());
    }

    private void startChild() throws Exception {
        int port = LocalResources.freePort();
        base = "http://127.0.0.1:" + port;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), "io.tributary.ingest.IngestApplication",
                "--server.port=" + port, "--ingest.data-dir=" + data, "--spring.jmx.enabled=false",
                "--springdoc.api-docs.enabled=false", "--ingest.kafka.port=0")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(childLog.toFile()));
        Files.writeString(childLog, "\n===== start on port " + port + " =====\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        child = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!child.isAlive()) {
                fail("the service exited with %d during start-up; see %s", child.exitValue(), childLog.toAbsolutePath());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/actuator/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        fail("the service did not become healthy within 90 s; see %s", childLog.toAbsolutePath());
    }
}
