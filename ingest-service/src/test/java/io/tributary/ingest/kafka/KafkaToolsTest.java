package io.tributary.ingest.kafka;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import io.tributary.ingest.testing.LocalResources;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kafka's own command-line tools, unmodified (the classes of {@code org.apache.kafka:kafka-tools},
 * each run in its own JVM as a user would run the script): {@code kafka-topics} creates and
 * describes a topic, {@code kafka-producer-perf-test} writes 1,000,000 records, and
 * {@code kafka-consumer-perf-test} with a consumer group and {@code kafka-console-consumer} read
 * them back; the counts are exact, and the REST API sees the same records.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class KafkaToolsTest {

    private static final int KAFKA_PORT = LocalResources.freePort();
    private static final int RECORDS = 1_000_000;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        Path data = Files.createTempDirectory("ingest-kafka-tools-");
        registry.add("ingest.data-dir", data::toString);
        registry.add("ingest.kafka.port", () -> KAFKA_PORT);
        registry.add("ingest.kafka.advertised-host", () -> "127.0.0.1");
        registry.add("ingest.kafka.group-initial-rebalance-delay", () -> "0s");
    }

    @LocalServerPort
    int httpPort;

    @Test
    void topicsProducerPerfConsumerPerfAndConsoleConsumerCountExactly() throws Exception {
        String bootstrap = "127.0.0.1:" + KAFKA_PORT;
        assertThat(tool("org.apache.kafka.tools.TopicCommand", "--bootstrap-server", bootstrap, "--create",
                "--topic", "tools", "--partitions", "3", "--replication-factor", "1")).contains("Created topic tools");
        assertThat(tool("org.apache.kafka.tools.TopicCommand", "--bootstrap-server", bootstrap, "--describe",
                "--topic", "tools")).contains("PartitionCount: 3");

        String produced = tool("org.apache.kafka.tools.ProducerPerformance", "--topic", "tools", "--num-records",
                String.valueOf(RECORDS), "--record-size", "100", "--throughput", "-1", "--producer-props",
                "bootstrap.servers=" + bootstrap, "acks=all", "linger.ms=5");
        assertThat(produced).contains(RECORDS + " records sent");

        // kafka-consumer-perf-test prints a header and one line: the 5th column is the records consumed.
        String consumed = tool("org.apache.kafka.tools.ConsumerPerformance", "--bootstrap-server", bootstrap,
                "--topic", "tools", "--messages", String.valueOf(RECORDS), "--group", "perf", "--timeout", "60000");
        String[] lines = consumed.strip().split("\n");
        String[] columns = lines[lines.length - 1].split(",\\s*");
        assertThat(Long.parseLong(columns[4].trim())).as(consumed).isEqualTo(RECORDS);

        String console = tool("org.apache.kafka.tools.consumer.ConsoleConsumer", "--bootstrap-server", bootstrap,
                "--topic", "tools", "--group", "console", "--from-beginning", "--max-messages", "25",
                "--timeout-ms", "60000");
        assertThat(console.lines().filter(l -> l.length() == 100)).hasSize(25);

        long restTotal = 0;
        HttpClient http = HttpClient.newHttpClient();
        for (int p = 0; p < 3; p++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                    + "/api/v1/topics/tools/partitions/" + p + "/offsets?at=latest")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            restTotal += JsonMapper.builder().build().readTree(r.body()).path("offset").asLong();
        }
        assertThat(restTotal).isEqualTo(RECORDS);
    }

    private static String tool(String mainClass, String... args) throws IOException, InterruptedException {
        return KafkaTool.run(mainClass, args);
    }
}
