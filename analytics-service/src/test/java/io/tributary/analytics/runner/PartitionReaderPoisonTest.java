package io.tributary.analytics.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.tributary.analytics.engine.Projection;
import io.tributary.client.ClientSettings;
import io.tributary.client.IngestClient;
import tools.jackson.databind.JsonNode;

/**
 * A partition whose log holds records nested too deep for the reader (1,500 levels, beyond
 * ingest-client's parse limit; ingest's NDJSON produce once accepted values of 498 levels when the
 * limit was 500 for the whole answer) must not block the partition: every readable record is read,
 * each unreadable one is skipped and counted.
 * The log is served by a stub of ingest's fetch endpoint, so the test does not depend on what
 * ingest's produce accepts.
 */
class PartitionReaderPoisonTest {

    private static final int RECORDS = 12;
    private static final List<Long> POISON = List.of(0L, 4L, 5L, 9L);

    private HttpServer server;
    private final Map<Long, String> log = new TreeMap<>();

    static String deep(int levels) {
        return "[".repeat(levels) + "]".repeat(levels);
    }

    @BeforeEach
    void serveLog() throws IOException {
        for (long offset = 0; offset < RECORDS; offset++) {
            log.put(offset, POISON.contains(offset) ? "{\"ts\":" + offset + ",\"x\":" + deep(1_500) + "}"
                    : "{\"ts\":" + offset + ",\"x\":[1,2]}");
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/topics/t/partitions/0/records", this::fetch);
        server.createContext("/api/v1/topics/t/partitions/0/offsets", exchange -> answer(exchange,
                "{\"partition\":0,\"offset\":0,\"timestamp\":-1}"));
        server.createContext("/api/v1/topics/t", exchange -> answer(exchange,
                "{\"name\":\"t\",\"partitions\":1,\"replicationFactor\":1,\"configs\":{},\"partitionDetails\":[]}"));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void fetch(HttpExchange exchange) throws IOException {
        Map<String, String> query = new HashMap<>();
        for (String pair : URI.create(exchange.getRequestURI().toString()).getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            query.put(kv[0], kv[1]);
        }
        long offset = Long.parseLong(query.get("offset"));
        int max = Integer.parseInt(query.get("maxRecords"));
        StringBuilder body = new StringBuilder("{\"records\":[");
        long next = offset;
        for (long o = offset; o < RECORDS && o < offset + max; o++) {
            body.append(o == offset ? "" : ",").append("{\"partition\":0,\"offset\":").append(o)
                    .append(",\"timestamp\":0,\"key\":\"k").append(o).append("\",\"value\":").append(log.get(o)).append(",\"headers\":{}}");
            next = o + 1;
        }
        body.append("],\"nextOffset\":").append(next).append(",\"highWatermark\":").append(RECORDS).append('}');
        answer(exchange, body.toString());
    }

    private static void answer(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Test
    void shouldSkipAndCountUnreadableRecordsAndReadEveryOtherOne() {
        Projection projection = new Projection(List.of("/ts"));
        try (IngestClient ingest = IngestClient.create(ClientSettings.of("http://127.0.0.1:"
                + server.getAddress().getPort()))) {
            Map<Integer, Long> positions = Map.of(0, 0L);
            List<Long> read = new ArrayList<>();
            long unreadable = 0;
            for (int batch = 0; batch < 20 && positions.get(0) < RECORDS; batch++) {
                PartitionReader.Batch<JsonNode[]> result = PartitionReader.start(ingest, "t", positions, null, 100,
                        1 << 20, projection::read).await();
                result.values().forEach(row -> read.add(row[0].asLong()));
                unreadable += result.unreadable();
                positions = result.next();
            }
            assertThat(positions).containsEntry(0, (long) RECORDS);
            assertThat(read).containsExactly(1L, 2L, 3L, 6L, 7L, 8L, 10L, 11L);
            assertThat(unreadable).isEqualTo(POISON.size());
        }
    }

    @Test
    void shouldSkipUnreadableRecordsOfAJoinedTableTopic() {
        try (IngestClient ingest = IngestClient.create(ClientSettings.of("http://127.0.0.1:"
                + server.getAddress().getPort()))) {
            TopicJoin join = new TopicJoin(new io.tributary.analytics.job.CompiledJob.Join(true, "t", "/k", "/v", false),
                    ingest, 100);
            join.refresh();
            assertThat(join.size()).isEqualTo(RECORDS - POISON.size());
            assertThat(join.lookup("k1")).isNotNull();
            assertThat(join.lookup("k4")).isNull();
            join.refresh(); // at the end now: nothing more, nothing fails
            assertThat(join.size()).isEqualTo(RECORDS - POISON.size());
        }
    }

    @Test
    void shouldNeverSkipPastTheEndOfAnAvailableNowBatch() {
        try (IngestClient ingest = IngestClient.create(ClientSettings.of("http://127.0.0.1:"
                + server.getAddress().getPort()))) {
            PartitionReader.Batch<JsonNode> result = PartitionReader.start(ingest, "t", Map.of(0, 0L),
                    Map.of(0, 1L), 100, 1 << 20, parser -> (JsonNode) parser.readValueAsTree()).await();
            assertThat(result.values()).isEmpty();
            assertThat(result.unreadable()).isEqualTo(1);
            assertThat(result.next()).containsEntry(0, 1L);
        }
    }
}
