package io.tributary.ingest.kafka;

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
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import io.tributary.ingest.IngestApplication;
import io.tributary.ingest.log.Record;
import io.tributary.ingest.log.RecordBatch;
import io.tributary.ingest.log.StoredBatches;
import io.tributary.ingest.testing.LocalResources;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Kafka's idempotent producer through network faults and a crash (issue 12): one unmodified
 * {@code KafkaProducer} ({@code acks=all}, five requests in flight, small batches) writes records
 * numbered 0, 1, 2, ... (key {@code r<n>}) to a node running as a separate JVM, through a
 * {@link TcpProxy} the node advertises ({@code ingest.kafka.advertised-port}), so that the client
 * stays behind the proxy after bootstrapping. Three faults, one after the other, the producer
 * writing throughout:
 * <ol>
 * <li><b>Cut</b>: the proxy holds the answers until five requests are in flight and the node has
 *     answered all five (appended, not acknowledged), then cuts every connection. The client sends
 *     them again; the node must answer them as duplicates, with their first offsets.</li>
 * <li><b>Epoch bump</b>: the proxy stalls (forwards nothing, closes nothing) until every record
 *     sent so far has its answer: those in flight fail ({@code delivery.timeout.ms}). The client
 *     then bumps its epoch itself (once, or more when its partitions expire in separate passes of
 *     its sender) and starts its sequences again at 0, which the node must accept; what the proxy
 *     held is delivered late, in the old epoch.</li>
 * <li><b>SIGKILL</b>: five requests appended and unanswered again, the node is killed, restarted on
 *     the same data folder and ports; the client sends them again to a node that must know them
 *     from the producer state it recovered.</li>
 * </ol>
 * The oracle is the producer's callbacks, and the check what Kafka guarantees an idempotent
 * producer: an acknowledged record is written exactly once, at the offset it was acknowledged
 * with, and the acknowledged records of a partition are in send order; a record whose send failed
 * (a retriable error the client gave up on: never a refusal here) may or may not be written, as
 * its request may have been appended before the answer was lost, but at most once: the client
 * never sends a failed batch again, and once a newer epoch has written the older one is fenced.
 * Send order is checked for every record there, failed ones included, which follows from the
 * same rules (sequences in order within an epoch, older epochs fenced). The stored batches, read
 * from the data folder once the node is stopped, show each record's epoch and the sequences.
 */
class KafkaIdempotenceFaultTest {

    private static final String TOPIC = "idem";
    private static final int PARTITIONS = 3;
    private static final int IN_FLIGHT = 5;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path data;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final int httpPort = LocalResources.freePort();
    private final int kafkaPort = LocalResources.freePort();
    private TcpProxy proxy;
    private Process node;
    private Path nodeLog;

    @AfterEach
    void stop() throws InterruptedException {
        if (node != null) {
            node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void aCutAnEpochBumpAndASigkillLoseAndDuplicateNoRecord() throws Exception {
        proxy = new TcpProxy(kafkaPort);
        Files.createDirectories(Path.of("target", "kafka-idempotence-fault"));
        nodeLog = Path.of("target", "kafka-idempotence-fault", "node-" + System.currentTimeMillis() + ".log");
        startNode();
        String bootstrap = "127.0.0.1:" + proxy.port();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get();
            // The node names the proxy's port, not the one it listens on.
            assertThat(admin.describeCluster().nodes().get()).extracting(Node::port).containsExactly(proxy.port());
        }

        Writer writer = new Writer(producer(bootstrap));
        Thread writing = new Thread(writer, "idempotence-fault-writer");
        writing.start();
        await("2,000 records acknowledged").atMost(WAIT).until(() -> writer.acked.size() >= 2_000);

        // 1. Cut: five requests appended, their answers lost with the connection.
        double retriedBefore = metric(writer.producer, "record-retry-total");
        holdFiveAnswers();
        int cut = proxy.cut();
        proxy.resume();
        int afterCut = writer.sent();
        await("2,000 records acknowledged after the cut").atMost(WAIT)
                .until(() -> writer.ackedFrom(afterCut) >= 2_000);
        assertThat(cut).isPositive();
        assertThat(metric(writer.producer, "record-retry-total")).as("records sent again after the cut")
                .isGreaterThan(retriedBefore);
        assertThat(writer.failed).as("the cut costs no record").isEmpty();

        // 2. Stall until everything sent has its answer: the in-flight batches expire, the client bumps its epoch.
        proxy.stall();
        int stalledAt = writer.sent();
        await("200 records sent into the stall").atMost(WAIT).until(() -> writer.sent() >= stalledAt + 200);
        int resumedAt = writer.pause();
        await("every record sent has its answer").atMost(WAIT).until(() -> writer.completed() == resumedAt);
        int failedInStall = writer.failed.size();
        assertThat(failedInStall).as("records whose batches expired in the stall").isPositive();
        proxy.resume();
        writer.resume();
        await("2,000 records acknowledged after the epoch bump").atMost(WAIT)
                .until(() -> writer.ackedFrom(resumedAt) >= 2_000);

        // 3. SIGKILL with five requests appended and unanswered, restart on the same data and ports.
        Set<Integer> ackedBeforeKill = new HashSet<>(writer.acked.keySet());
        holdFiveAnswers();
        node.destroyForcibly().waitFor();
        proxy.cut();
        proxy.resume();
        startNode();
        int restartedAt = writer.sent();
        await("2,000 records acknowledged after the restart").atMost(WAIT)
                .until(() -> writer.ackedFrom(restartedAt) >= 2_000);
        int sent = writer.stop();
        writing.join(WAIT.toMillis());
        assertThat(writing.isAlive()).isFalse();
        writer.producer.close(WAIT);

        // Every send has its answer; the only failures are the network's, never a refusal by the node.
        assertThat(writer.completed()).isEqualTo(sent);
        writer.failed.forEach((n, e) -> assertThat(e).as("record %d", n).isInstanceOf(RetriableException.class));

        Map<Integer, ConsumerRecord<String, String>> read = readAll(bootstrap);
        for (Map.Entry<Integer, RecordMetadata> e : writer.acked.entrySet()) {
            ConsumerRecord<String, String> r = read.get(e.getKey());
            assertThat(r).as("acknowledged record %d", e.getKey()).isNotNull();
            assertThat(r.partition()).isEqualTo(e.getValue().partition());
            assertThat(r.offset()).as("record %d at its acknowledged offset", e.getKey())
                    .isEqualTo(e.getValue().offset());
        }
        for (int n : read.keySet()) {
            assertThat(n).as("only records sent are there").isBetween(0, sent - 1);
            assertThat(writer.acked.containsKey(n) || writer.failed.containsKey(n)).isTrue();
        }

        // The batches as stored: Kafka's sequence rules (each epoch from 0, no gap), one bump in the stall.
        stopNode();
        Map<Integer, Short> epochOf = new HashMap<>();
        Set<Long> producerIds = new HashSet<>();
        List<String> epochs = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            short epoch = -1;
            long next = 0;
            for (RecordBatch b : StoredBatches.read(data.resolve("node"), TOPIC, p)) {
                producerIds.add(b.producerId());
                if (b.producerEpoch() != epoch) {
                    assertThat(b.producerEpoch()).as("partition %d: epochs only grow", p).isGreaterThan(epoch);
                    epoch = b.producerEpoch();
                    next = 0;
                    epochs.add(p + ":" + epoch);
                }
                assertThat(b.baseSequence()).as("partition %d, epoch %d: the next sequence", p, epoch).isEqualTo(next);
                next = b.lastSequence() + 1;
                for (Record r : b) {
                    int n = Integer.parseInt(r.key().utf8().substring(1));
                    epochOf.put(n, b.producerEpoch());
                    assertThat(read.get(n)).as("record %d stored and fetched alike", n).isNotNull();
                    assertThat(read.get(n).offset()).isEqualTo(r.offset());
                }
            }
        }
        assertThat(epochOf.keySet()).isEqualTo(read.keySet());
        assertThat(producerIds).as("one producer id: the client bumped its epoch, it did not start over").hasSize(1);
        // The client bumps once per pass of its sender that finds partitions it cannot resolve: once or more.
        short first = epochOf.get(0);
        short bumped = epochOf.get(ackedBeforeKill.stream().filter(n -> n >= resumedAt).min(Integer::compare)
                .orElseThrow());
        assertThat(bumped).as("the epoch after the stall").isGreaterThan(first);
        epochOf.forEach((n, epoch) -> {
            if (n < resumedAt) {
                assertThat(epoch).as("record %d, sent before the stall ended", n).isEqualTo(first);
            } else if (ackedBeforeKill.contains(n)) {
                assertThat(epoch).as("record %d, sent after the bump", n).isEqualTo(bumped);
            } else {
                // A restart slower than delivery.timeout.ms would expire batches again: another bump.
                assertThat(epoch).as("record %d, sent around the restart", n).isGreaterThanOrEqualTo(bumped);
            }
        });

        long failedPresent = writer.failed.keySet().stream().filter(read::containsKey).count();
        System.out.printf("[kafka-idempotence-fault] %d records sent, %d acknowledged, %d failed (%d of them in the "
                        + "stall; %d written all the same); %d connections cut; partition:epoch %s%n", sent,
                writer.acked.size(), writer.failed.size(), failedInStall, failedPresent, cut, epochs);
    }

    /** Holds the answers until five requests are in flight and the node has answered all five. */
    private void holdFiveAnswers() {
        proxy.holdAnswers();
        await("five answers held").atMost(WAIT).until(() -> proxy.answersHeld() >= IN_FLIGHT);
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, IN_FLIGHT);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 1024);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        // A batch in flight through the stall times out (3 s), is retried, then expires (20 s): the epoch bump.
        // Batches in flight at the SIGKILL are sent again if the node is back within 20 s (5-13 s measured);
        // otherwise they expire too, which the checks allow, and the restart exercises less.
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private static double metric(KafkaProducer<?, ?> producer, String name) {
        return producer.metrics().entrySet().stream()
                .filter(e -> e.getKey().group().equals("producer-metrics") && e.getKey().name().equals(name))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).findFirst().orElseThrow();
    }

    /** Every record of the topic by number; fails on one read twice or out of send order within its partition. */
    private static Map<Integer, ConsumerRecord<String, String>> readAll(String bootstrap) {
        Map<Integer, ConsumerRecord<String, String>> out = new HashMap<>();
        Map<Integer, Integer> lastOfPartition = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                tps.add(new TopicPartition(TOPIC, p));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps);
            await("the topic read to its end").atMost(WAIT).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    int n = Integer.parseInt(r.key().substring(1));
                    assertThat(out.put(n, r)).as("record %d read once", n).isNull();
                    Integer before = lastOfPartition.put(r.partition(), n);
                    assertThat(before == null || before < n).as("record %d after %d in partition %d", n, before,
                            r.partition()).isTrue();
                }
                return tps.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp));
            });
        }
        return out;
    }

    private void startNode() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(nodeLog, "\n===== start =====\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        node = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), IngestApplication.class.getName(),
                "--server.port=" + httpPort, "--server.address=127.0.0.1",
                "--ingest.data-dir=" + data.resolve("node"),
                "--ingest.kafka.port=" + kafkaPort,
                "--ingest.kafka.advertised-host=127.0.0.1",
                "--ingest.kafka.advertised-port=" + proxy.port(),
                "--spring.jmx.enabled=false", "--springdoc.api-docs.enabled=false")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(nodeLog.toFile()))
                .start();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!node.isAlive()) {
                fail("the node exited with %d; see %s", node.exitValue(), nodeLog.toAbsolutePath());
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                        + "/actuator/health/readiness")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        fail("the node was not ready within %s; see %s", WAIT, nodeLog.toAbsolutePath());
    }

    private void stopNode() throws InterruptedException {
        node.destroy();
        assertThat(node.waitFor(30, TimeUnit.SECONDS)).as("the node stopped").isTrue();
    }

    /**
     * Sends record n = 0, 1, 2, ... (key {@code r<n>}) from one thread, a steady stream, and keeps
     * what each callback said: the oracle. Pausing holds the lock each send takes, so no record is
     * sent between {@link #pause()} and {@link #resume()}.
     */
    private static final class Writer implements Runnable {

        final KafkaProducer<String, String> producer;
        final Map<Integer, RecordMetadata> acked = new ConcurrentHashMap<>();
        final Map<Integer, Exception> failed = new ConcurrentHashMap<>();
        private final ReentrantLock sending = new ReentrantLock(true);
        private volatile int sent;
        private volatile boolean stopped;

        Writer(KafkaProducer<String, String> producer) {
            this.producer = producer;
        }

        @Override
        public void run() {
            while (true) {
                sending.lock();
                try {
                    if (stopped) {
                        return;
                    }
                    int n = sent;
                    producer.send(new ProducerRecord<>(TOPIC, "r" + n, Integer.toString(n)), (m, e) -> {
                        if (e == null) {
                            acked.put(n, m);
                        } else {
                            failed.put(n, e);
                        }
                    });
                    sent = n + 1;
                } finally {
                    sending.unlock();
                }
                if (sent % 4 == 0) {
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }

        int sent() {
            return sent;
        }

        int completed() {
            return acked.size() + failed.size();
        }

        long ackedFrom(int first) {
            return acked.keySet().stream().filter(n -> n >= first).count();
        }

        /** Stops sending until {@link #resume()}; answers the number of records sent so far. */
        int pause() {
            sending.lock();
            return sent;
        }

        void resume() {
            sending.unlock();
        }

        /** Stops for good; answers the number of records sent. */
        int stop() {
            stopped = true;
            sending.lock();
            try {
                return sent;
            } finally {
                sending.unlock();
            }
        }
    }
}
