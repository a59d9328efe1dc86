package io.tributary.deployment.fuzz;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the fixtures hold, read from the services directly: the definitions of topics, the pipeline and the job, and
 * the offsets of the quiet topic that only the fuzzer's (refused) requests name. Members that move while the demo
 * flows (offsets of the demo's topics, counters, timestamps) are left out, so two snapshots are equal exactly when no
 * request changed stored data.
 */
public final class StoredState {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * One thing to read.
     *
     * @param url      its address
     * @param volatile members left out wherever they occur (they change on their own)
     */
    public record Source(String url, Set<String> volatileMembers) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Source> sources;

    public StoredState(List<Source> sources) {
        this.sources = List.copyOf(sources);
    }

    /** Reads every source now. */
    public Map<String, JsonNode> snapshot() throws IOException, InterruptedException {
        Map<String, JsonNode> state = new LinkedHashMap<>();
        for (Source source : sources) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(source.url()))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                throw new IOException(source.url() + " answered " + answer.statusCode() + ": " + answer.body());
            }
            JsonNode node = JSON.readTree(answer.body());
            strip(node, source.volatileMembers());
            state.put(source.url(), node);
        }
        return state;
    }

    private static void strip(JsonNode node, Set<String> members) {
        if (node instanceof ObjectNode object) {
            object.remove(members);
        }
        node.forEach(child -> strip(child, members));
    }
}
