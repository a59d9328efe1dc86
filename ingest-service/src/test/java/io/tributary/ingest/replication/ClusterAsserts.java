package io.tributary.ingest.replication;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** Small checks the cluster admin tests share. */
final class ClusterAsserts {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ClusterAsserts() {
    }

    /** The answer is an RFC 9457 problem of that status whose type ends with {@code type}. */
    static void assertProblem(HttpResponse<String> r, int status, String type) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct ->
                assertThat(ct).startsWith("application/problem+json"));
        assertThat(JSON.readTree(r.body()).get("type").asString()).endsWith(type);
    }

    /** A JSON array of numbers as a list. */
    static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }
}
