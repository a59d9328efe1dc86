package io.tributary.ingest.api;

import io.tributary.problem.ProblemType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** Raw HTTP against a running ingest service, plus the checks every error answer must pass. */
final class Http {

    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JsonFactory FACTORY = new JsonFactory();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    Http(int port) {
        this.base = "http://localhost:" + port;
    }

    String base() {
        return base;
    }

    /** A fresh data folder for one test class, in the test JVM's temp folder (target/, removed by mvn clean). */
    static Path tempDataDir(String name) {
        try {
            return Files.createTempDirectory("ingest-" + name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Response(int status, String contentType, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            return JSON.readTree(body);
        }
    }

    Response send(String method, String path, String contentType, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        headers.forEach(b::header);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        return send(b.build());
    }

    Response send(HttpRequest request) {
        try {
            HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            Response response = new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(null),
                    r.body());
            assertThat(response.status()).as("no request may end in a 500: %s %s -> %s", request.method(),
                    request.uri(), response.text()).isLessThan(500);
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    }

    Response get(String path) {
        return send("GET", path, null, null, Map.of());
    }

    Response postJson(String path, String json) {
        return send("POST", path, "application/json", json.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    Response postJson(String path, String json, Map<String, String> headers) {
        return send("POST", path, "application/json", json.getBytes(StandardCharsets.UTF_8), headers);
    }

    Response patchJson(String path, String json) {
        return send("PATCH", path, "application/json", json.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    Response delete(String path) {
        return send("DELETE", path, null, null, Map.of());
    }

    /** Creates a topic and checks it was created. */
    void createTopic(String name, int partitions, Map<String, String> configs) {
        String body = JSON.writeValueAsString(Map.of("name", name, "partitions", partitions, "configs", configs));
        Response r = postJson("/api/v1/topics", body);
        assertThat(r.status()).as(r.text()).isEqualTo(201);
    }

    Response produce(String topic, String json) {
        return postJson("/api/v1/topics/" + topic + "/records", json);
    }

    Response fetch(String topic, int partition, long offset, String extraQuery) {
        return get("/api/v1/topics/" + topic + "/partitions/" + partition + "/records?offset=" + offset
                + (extraQuery.isEmpty() ? "" : "&" + extraQuery));
    }

    /** Every record of a partition from offset 0, as JSON nodes, fetched page by page. */
    List<JsonNode> readAll(String topic, int partition) {
        List<JsonNode> out = new ArrayList<>();
        long offset = 0;
        while (true) {
            Response r = fetch(topic, partition, offset, "maxRecords=5000");
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            JsonNode body = r.json();
            for (JsonNode record : body.path("records")) {
                out.add(record);
            }
            long next = body.path("nextOffset").asLong();
            if (next >= body.path("highWatermark").asLong()) {
                return out;
            }
            assertThat(next).as("fetch must make progress").isGreaterThan(offset);
            offset = next;
        }
    }

    /** Log end offsets of every partition, from the topic description. */
    List<Long> logEndOffsets(String topic) {
        Response r = get("/api/v1/topics/" + topic);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        List<Long> ends = new ArrayList<>();
        for (JsonNode p : r.json().path("partitionDetails")) {
            ends.add(p.path("logEndOffset").asLong());
        }
        return ends;
    }

    /** The raw JSON text of each record's {@code value} in a fetch response, exactly as sent. */
    static List<String> rawValues(byte[] fetchBody) {
        List<String> values = new ArrayList<>();
        try (JsonParser p = FACTORY.createParser(ObjectReadContext.empty(), fetchBody)) {
            int depth = 0;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t.isStructStart()) {
                    depth++;
                } else if (t.isStructEnd()) {
                    depth--;
                } else if (t == JsonToken.PROPERTY_NAME && depth == 3 && p.currentName().equals("value")) {
                    JsonToken v = p.nextToken();
                    int start = (int) p.currentTokenLocation().getByteOffset();
                    if (v.isStructStart()) {
                        p.skipChildren();
                    } else {
                        p.finishToken();
                    }
                    int end = (int) p.currentLocation().getByteOffset();
                    values.add(new String(fetchBody, start, end - start, StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }

    /** The RFC 9457 shape every error of the API must have. */
    static JsonNode assertProblem(Response r, int status, String typeSlug) {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.contentType()).as("content type of %s", r.text()).startsWith("application/problem+json");
        JsonNode problem = r.json();
        assertThat(problem.path("type").isString()).as(r.text()).isTrue();
        assertThat(problem.path("title").isString()).as(r.text()).isTrue();
        assertThat(problem.path("title").asString()).as(r.text()).isNotBlank();
        assertThat(problem.path("status").asInt()).as(r.text()).isEqualTo(status);
        assertThat(problem.path("detail").isString()).as(r.text()).isTrue();
        assertThat(problem.path("detail").asString()).as(r.text()).isNotBlank();
        assertThat(problem.path("retriable").isBoolean()).as(r.text()).isTrue();
        assertThat(ProblemType.of(problem.path("type").asString())).as("a type of the catalogue: %s", r.text()).isPresent();
        if (typeSlug != null) {
            assertThat(problem.path("type").asString()).as(r.text()).isEqualTo(ProblemType.BASE + typeSlug);
        }
        return problem;
    }
}
