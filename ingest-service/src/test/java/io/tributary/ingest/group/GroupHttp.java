package io.tributary.ingest.group;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.tributary.client.ClientSettings;
import io.tributary.client.IngestClient;
import io.tributary.client.NewTopic;
import io.tributary.client.consumer.AutoOffsetReset;
import io.tributary.client.consumer.ConsumerSettings;
import io.tributary.client.producer.IngestProducer;
import io.tributary.client.producer.ProducerRecord;
import io.tributary.client.producer.ProducerSettings;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Test access to a running service: the real client for topics, producing and group consumers,
 * and raw HTTP for the group calls a test wants to drive by hand (a member that falls silent,
 * a stale commit).
 */
final class GroupHttp {

    static final JsonMapper JSON = JsonMapper.builder().build();

    /** An HTTP answer; {@code body} is a missing node when empty. */
    record Answer(int status, String contentType, JsonNode body) {
    }

    private final String baseUrl;
    private final HttpClient http = HttpClient.newHttpClient();

    GroupHttp(int port) {
        this("http://localhost:" + port);
    }

    GroupHttp(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    ClientSettings clientSettings() {
        return ClientSettings.of(baseUrl);
    }

    void createTopic(String name, int partitions) {
        try (IngestClient client = IngestClient.create(clientSettings())) {
            client.createTopic(new NewTopic(name, partitions, 1));
        }
    }

    /** Produces records {@code {"i":from}..{"i":to-1}}, record i to partition {@code i % partitions}. */
    void produce(String topic, int partitions, int from, int to) {
        try (IngestProducer producer = IngestProducer.create(ProducerSettings.builder(clientSettings()).build())) {
            List<CompletableFuture<?>> sent = new java.util.ArrayList<>();
            for (int i = from; i < to; i++) {
                sent.add(producer.send(topic, ProducerRecord.ofJson("k" + i, "{\"i\":" + i + "}")
                        .withPartition(i % partitions)));
            }
            producer.flush();
            sent.forEach(CompletableFuture::join);
        }
    }

    ConsumerSettings consumer(String group, String topic) {
        return ConsumerSettings.builder(clientSettings(), group, List.of(topic))
                .autoOffsetReset(AutoOffsetReset.EARLIEST)
                .sessionTimeout(Duration.ofSeconds(10))
                .heartbeatInterval(Duration.ofMillis(300))
                .pollWait(Duration.ofMillis(200))
                .maxPollRecords(50)
                .build();
    }

    Answer send(String method, String path, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
        if (json == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            String body = response.body();
            return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                    body == null || body.isBlank() ? JSON.missingNode() : JSON.readTree(body));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Answer join(String group, String topic, long sessionTimeoutMs) {
        return send("POST", "/api/v1/groups/" + group + "/members", "{\"topics\":[\"" + topic
                + "\"],\"sessionTimeoutMs\":" + sessionTimeoutMs + ",\"autoOffsetReset\":\"earliest\"}");
    }

    Answer poll(String group, String memberId, long maxWaitMs) {
        return poll(group, memberId, maxWaitMs, "");
    }

    /** A poll with further query parameters, e.g. {@code "&after=3"}. */
    Answer poll(String group, String memberId, long maxWaitMs, String moreQuery) {
        return send("GET", "/api/v1/groups/" + group + "/members/" + memberId + "/records?maxWaitMs=" + maxWaitMs
                + moreQuery, null);
    }

    Answer commit(String group, String memberId, int generation, String topic, int partition, long offset) {
        return send("POST", "/api/v1/groups/" + group + "/offsets", "{\"memberId\":\"" + memberId + "\",\"generation\":"
                + generation + ",\"offsets\":[{\"topic\":\"" + topic + "\",\"partition\":" + partition
                + ",\"offset\":" + offset + "}]}");
    }
}
