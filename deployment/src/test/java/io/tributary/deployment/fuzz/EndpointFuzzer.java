package io.tributary.deployment.fuzz;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends the cases of {@link FuzzCases} for every operation of the services' own OpenAPI documents to each service
 * directly and through the gateway — once with an admin key and once with another credential in turn (each role's
 * key, no key, an unknown key) — and checks every answer ({@link AnswerChecks}). One body over the gateway's size
 * limit goes to each service both ways.
 */
public final class EndpointFuzzer {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Longer than the longest long poll a request may ask for (30 s): an answer later than this is a hang. */
    private static final Duration ANSWER_LIMIT = Duration.ofSeconds(40);

    /**
     * Where to send and as whom.
     *
     * @param name    shows in findings ({@code gateway as producer})
     * @param url     the base URL
     * @param headers sent with every request (the credential)
     */
    public record Target(String name, String url, Map<String, String> headers) {
    }

    /** An answer that is not as it must be. */
    public record Finding(String target, FuzzCase sent, String what) {
        @Override
        public String toString() {
            return target + ": " + sent + " -> " + what;
        }
    }

    /** What a run did and found. */
    public record Report(int operations, int requests, Map<String, Map<Integer, Integer>> statuses,
                         List<Finding> findings) {
        /** One line per target with its answers by status, then the findings. */
        public String summary() {
            StringBuilder out = new StringBuilder("fuzzer: " + operations + " operations, " + requests + " requests\n");
            statuses.forEach((target, counts) -> out.append("  ").append(target).append(": ").append(counts).append('\n'));
            findings.stream().limit(60).forEach(f -> out.append("  FINDING ").append(f).append('\n'));
            if (findings.size() > 60) {
                out.append("  ... and ").append(findings.size() - 60).append(" more findings\n");
            }
            return out.toString();
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();
    private final Map<String, String> services;
    private final Target gatewayAdmin;
    private final List<Target> gatewayOthers;
    private final FuzzCases cases;
    private final int casesPerOperation;
    private final long oversize;

    /**
     * @param services          per service ({@code ingest}, ...), its base URL
     * @param gatewayAdmin      the gateway with a key of every role
     * @param gatewayOthers     the gateway with the other credentials, used in turn
     * @param cases             the case generator
     * @param casesPerOperation how many cases each operation gets
     * @param oversize          the size of the one oversize body per service
     */
    public EndpointFuzzer(Map<String, String> services, Target gatewayAdmin, List<Target> gatewayOthers,
                          FuzzCases cases, int casesPerOperation, long oversize) {
        this.services = services;
        this.gatewayAdmin = gatewayAdmin;
        this.gatewayOthers = List.copyOf(gatewayOthers);
        this.cases = cases;
        this.casesPerOperation = casesPerOperation;
        this.oversize = oversize;
    }

    /** The operations of each service's OpenAPI document, read from the service itself. */
    public List<ApiOperation> operations() throws IOException, InterruptedException {
        List<ApiOperation> operations = new ArrayList<>();
        for (Map.Entry<String, String> service : services.entrySet()) {
            HttpResponse<String> docs = http.send(HttpRequest.newBuilder(URI.create(service.getValue() + "/v3/api-docs"))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            if (docs.statusCode() != 200) {
                throw new IOException(service.getKey() + " /v3/api-docs answered " + docs.statusCode());
            }
            operations.addAll(ApiOperation.of(service.getKey(), JSON.readTree(docs.body())));
        }
        return operations;
    }

    public Report run(List<ApiOperation> operations) throws InterruptedException {
        Map<String, Map<Integer, Integer>> statuses = new TreeMap<>();
        List<Finding> findings = new ArrayList<>();
        int requests = 0;
        int turn = 0;
        Map<String, FuzzCase> oversized = new LinkedHashMap<>();
        for (ApiOperation operation : operations) {
            for (FuzzCase sent : cases.of(operation, casesPerOperation)) {
                Target direct = new Target(operation.service() + " directly", services.get(operation.service()),
                        Map.of());
                Target other = gatewayOthers.get(turn++ % gatewayOthers.size());
                for (Target target : List.of(direct, gatewayAdmin, other)) {
                    requests++;
                    send(target, sent, statuses, findings);
                }
            }
            if (operation.bodySchema() != null && !operation.method().equals("GET")) {
                oversized.putIfAbsent(operation.service(), FuzzCase.oversize(operation,
                        operation.path().replaceAll("\\{[^}]+}", "fuzz-oversize"), oversize));
            }
        }
        for (FuzzCase sent : oversized.values()) {
            for (Target target : List.of(new Target(sent.operation().service() + " directly",
                    services.get(sent.operation().service()), Map.of()), gatewayAdmin)) {
                requests++;
                send(target, sent, statuses, findings);
            }
        }
        return new Report(operations.size(), requests, statuses, findings);
    }

    private void send(Target target, FuzzCase sent, Map<String, Map<Integer, Integer>> statuses,
                      List<Finding> findings) throws InterruptedException {
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(URI.create(target.url() + sent.pathAndQuery())).timeout(ANSWER_LIMIT)
                    .method(sent.method(), sent.publisher());
        } catch (IllegalArgumentException e) {
            // a path the JDK's client will not send (no server could be reached with it either)
            statuses.computeIfAbsent(target.name(), t -> new TreeMap<>()).merge(0, 1, Integer::sum);
            return;
        }
        target.headers().forEach(request::header);
        if (sent.contentType() != null) {
            request.header("Content-Type", sent.contentType());
        }
        try {
            HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            statuses.computeIfAbsent(target.name(), t -> new TreeMap<>()).merge(answer.statusCode(), 1, Integer::sum);
            for (String what : AnswerChecks.check(sent, answer.statusCode(),
                    answer.headers().firstValue("Content-Type").orElse(null), answer.body())) {
                findings.add(new Finding(target.name(), sent, what));
            }
        } catch (HttpTimeoutException e) {
            findings.add(new Finding(target.name(), sent, "no answer within " + ANSWER_LIMIT.toSeconds() + " s"));
        } catch (IOException e) {
            // A server may close the connection on a body it refuses before reading it all (an oversize one).
            if (sent.bodyLength() == 0) {
                findings.add(new Finding(target.name(), sent, "connection failed: " + e));
            }
        }
    }
}
