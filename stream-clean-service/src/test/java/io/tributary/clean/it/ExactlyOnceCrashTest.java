package io.tributary.clean.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.tributary.client.ClientSettings;
import io.tributary.client.ConsumedRecord;
import io.tributary.client.IngestClient;
import io.tributary.client.NewTopic;
import io.tributary.client.producer.IngestProducer;
import io.tributary.client.producer.ProducerRecord;
import io.tributary.client.producer.ProducerSettings;
import io.tributary.testkit.EmbeddedIngest;
import io.tributary.testkit.ServiceProcess;
import io.tributary.testkit.TestStore;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The exactly-once proof: a real ingest-service runs in the test JVM, the cleaning service in a
 * separate JVM that is SIGKILLed {@code KILLS} times at random moments while {@code RECORDS}
 * raw records flow, and restarted each time on the same database. CI's schedule is 3 kills in
 * 30,000 records per store; {@code bench/run-clean-crash.sh} runs a longer one
 * ({@code -Dclean.crash.kills}, {@code -Dclean.crash.records}). One in ten good records is sent
 * a second time {@value #REPEAT_DISTANCE} records later, for the dedupe step to drop — also when
 * its first occurrence was processed before a kill. Afterwards the clean topic holds exactly the
 * expected records — count and content, each once — and the dead-letter topic exactly the bad ones.
 */
class ExactlyOnceCrashTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int RECORDS = Integer.getInteger("clean.crash.records", 30_000);
    private static final int KILLS = Integer.getInteger("clean.crash.kills", 3);
    private static final int PARTITIONS = 4;
    private static final int REPEAT_DISTANCE = 300;
    private static final String STEPS = """
            [{"type":"validate","schema":{"type":"object","required":["id","amount","email"],
              "properties":{"id":{"type":"integer"}}}},
             {"type":"dedupe","field":"/id","window":"1h"},
             {"type":"cast","field":"/amount","to":"double"},
             {"type":"filter","expression":"id % 11 != 0"},
             {"type":"mask","field":"/email","method":"hash"},
             {"type":"drop","fields":["/pad"]}]""";

    @TempDir
    Path temp;

    private EmbeddedIngest ingest;
    private ServiceProcess clean;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() throws Exception {
        if (clean != null) {
            clean.kill();
        }
        if (ingest != null) {
            ingest.close();
        }
    }

    private static boolean bad(int i) {
        return i % 7 == 0;
    }

    private static boolean filtered(int i) {
        return !bad(i) && i % 11 == 0;
    }

    private static boolean repeated(int i) {
        return !bad(i) && i % 10 == 3;
    }

    /** The ids in the order they are sent: every id once, and the repeated ones again a little later. */
    private static List<Integer> sendOrder() {
        List<Integer> order = new java.util.ArrayList<>();
        for (int i = 0; i < RECORDS + REPEAT_DISTANCE; i++) {
            if (i < RECORDS) {
                order.add(i);
            }
            if (i >= REPEAT_DISTANCE && repeated(i - REPEAT_DISTANCE)) {
                order.add(i - REPEAT_DISTANCE);
            }
        }
        return order;
    }

    private static ProducerRecord raw(int i) {
        String value = bad(i)
                ? "{\"amount\":\"" + i + "\",\"email\":\"u" + i + "@ex.com\"}"
                : "{\"id\":" + i + ",\"amount\":\"" + i + ".25\",\"email\":\"u" + i + "@ex.com\",\"pad\":\"xxxxxxxx\"}";
        return ProducerRecord.ofJson("key-" + i, value);
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void shouldWriteEveryCleanAndDeadLetterRecordExactlyOnceAcrossRepeatedKills(TestStore store) throws Exception {
        Path data = Files.createDirectories(temp.resolve("clean-db"));
        String[] database = store.serviceArgs("clean_crash").toArray(String[]::new);
        Path log = temp.resolve("clean-service.log");
        ingest = EmbeddedIngest.start(Files.createDirectories(temp.resolve("ingest")));
        ClientSettings settings = ClientSettings.of(ingest.url());
        try (IngestClient client = IngestClient.create(settings);
             IngestProducer producer = IngestProducer.create(ProducerSettings.builder(settings).build())) {
            client.createTopic(new NewTopic("raw.crash", PARTITIONS, 1));
            clean = CleanServiceProcess.start(ingest.url(), data, log, database).awaitReady(Duration.ofSeconds(90));
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(clean.url() + "/api/v1/pipelines"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"name":"crash","source":"raw.crash","sink":"clean.crash","deadLetter":"dlq.crash",
                             "parallelism":2,"steps":%s}""".formatted(STEPS))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

            // Raw records flow in the background, about 2,500 a second.
            List<Integer> order = sendOrder();
            AtomicInteger produced = new AtomicInteger();
            AtomicReference<Throwable> producerError = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    for (int n = 0; n < order.size(); n++) {
                        producer.send("raw.crash", raw(order.get(n)));
                        if (n % 500 == 499) {
                            producer.flush();
                            produced.set(n + 1);
                            Thread.sleep(200);
                        }
                    }
                    producer.flush();
                    produced.set(order.size());
                } catch (Throwable e) {
                    producerError.set(e);
                }
            }, "raw-writer");
            writer.start();

            Random random = new Random(11);
            int kills = 0;
            long cleanAtLastKill = -1;
            long alreadyWritten = 0;
            while (kills < KILLS) {
                Thread.sleep(500 + random.nextInt(2_500));
                long cleanNow = PipelineIntegrationTest.count(client, "clean.crash");
                alreadyWritten += alreadyWritten(clean);
                clean.kill();
                kills++;
                cleanAtLastKill = cleanNow;
                clean = CleanServiceProcess.start(ingest.url(), data, log, database).awaitReady(Duration.ofSeconds(90));
            }
            assertThat(cleanAtLastKill).as("the service was killed while it was writing").isPositive();
            writer.join();
            assertThat(producerError.get()).isNull();
            assertThat(produced.get()).isEqualTo(order.size());
            assertThat(order.size() - RECORDS).as("repeats sent").isGreaterThan(RECORDS * 8 / 100);

            Set<Integer> expectedClean = new HashSet<>();
            Set<String> expectedDead = new HashSet<>();
            for (int i = 0; i < RECORDS; i++) {
                if (bad(i)) {
                    expectedDead.add("key-" + i);
                } else if (!filtered(i)) {
                    expectedClean.add(i);
                }
            }
            CaughtUp.await(client, "raw.crash", Duration.ofMinutes(3), () -> JSON.readTree(http.send(HttpRequest
                    .newBuilder(URI.create(clean.url() + "/api/v1/pipelines/crash/status")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()));
            alreadyWritten += alreadyWritten(clean);
            // How often the skip-what-is-written path ran depends on where the kills landed.
            System.out.printf("crash test: %d kills, %d outputs found already written after a restart%n", kills,
                    alreadyWritten);

            List<ConsumedRecord> cleanRecords = PipelineIntegrationTest.readAll(client, "clean.crash");
            List<ConsumedRecord> deadRecords = PipelineIntegrationTest.readAll(client, "dlq.crash");
            Set<Integer> seen = new HashSet<>();
            for (ConsumedRecord record : cleanRecords) {
                int id = record.value().path("id").asInt();
                assertThat(seen.add(id)).as("id %d written once", id).isTrue();
                assertThat(record.key()).isEqualTo("key-" + id);
                assertThat(record.value().path("amount").asDouble()).isEqualTo(id + 0.25);
                assertThat(record.value().path("email").asString()).isEqualTo(sha256("crash-salt", "u" + id + "@ex.com"));
                assertThat(record.value().has("pad")).isFalse();
            }
            assertThat(cleanRecords).hasSize(expectedClean.size());
            assertThat(seen).isEqualTo(expectedClean);

            Set<String> seenDead = new HashSet<>();
            for (ConsumedRecord record : deadRecords) {
                assertThat(seenDead.add(record.key())).as("%s dead-lettered once", record.key()).isTrue();
                assertThat(record.headers().get("step")).isEqualTo("0:validate");
            }
            assertThat(deadRecords).hasSize(expectedDead.size());
            assertThat(seenDead).isEqualTo(expectedDead);
        }
    }

    /** Outputs this process found already written (replays after the previous kill). */
    private long alreadyWritten(ServiceProcess process) {
        try {
            HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create(process.url()
                    + "/api/v1/pipelines/crash/status")).build(), HttpResponse.BodyHandlers.ofString());
            return tools.jackson.databind.json.JsonMapper.builder().build().readTree(status.body())
                    .path("records").path("alreadyWritten").asLong();
        } catch (Exception e) {
            return 0;
        }
    }

    private static String sha256(String salt, String value) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update(salt.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest.digest(value.getBytes(StandardCharsets.UTF_8)));
    }
}
