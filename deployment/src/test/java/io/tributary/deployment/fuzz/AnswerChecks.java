package io.tributary.deployment.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What every answer to a fuzzed request must be (docs/problems.md): never 5xx; every 4xx an
 * {@code application/problem+json} of the catalogue whose {@code status} is the answer's; no stack trace or
 * class name of ours or a library's in any body; and a request that had to be refused refused.
 */
final class AnswerChecks {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PROBLEMS = "https://tributary.dev/problems/";
    /** A stack frame, or a fully qualified name in a package of the JDK, a library or ours. */
    private static final Pattern LEAK = Pattern.compile("(?m)(^\\s*at [\\w$.]+\\(|\\b(java|javax|jakarta|sun|jdk|org"
            + "|com|tools|io|reactor|net)\\.[a-z_]\\w*\\.[\\w.$]*[A-Z]\\w*|\\b[A-Z]\\w*(Exception|Error)\\b)");

    private AnswerChecks() {
    }

    /** The findings for one answer; empty when it is as it must be. */
    static List<String> check(FuzzCase sent, int status, String contentType, String body) {
        List<String> findings = new ArrayList<>();
        if (status >= 500) {
            findings.add("answered " + status);
        }
        if (sent.refusalDue() && status < 400) {
            findings.add("accepted (" + status + ") a request that must be refused");
        }
        if (status >= 400) {
            problem(status, contentType, body, findings);
        }
        var leak = LEAK.matcher(body);
        if (leak.find()) {
            findings.add("the body shows an internal name: '" + leak.group() + "'");
        }
        return findings;
    }

    private static void problem(int status, String contentType, String body, List<String> findings) {
        if (contentType == null || !contentType.startsWith("application/problem+json")) {
            findings.add(status + " as " + contentType + ", not application/problem+json");
            return;
        }
        JsonNode problem;
        try {
            problem = JSON.readTree(body);
        } catch (JacksonException e) {
            findings.add(status + " with a body that is no JSON");
            return;
        }
        if (!problem.path("type").asString("").startsWith(PROBLEMS)) {
            findings.add(status + " with a problem type outside the catalogue: " + problem.path("type"));
        }
        if (problem.path("status").asInt() != status) {
            findings.add(status + " with a problem whose status is " + problem.path("status"));
        }
    }
}
