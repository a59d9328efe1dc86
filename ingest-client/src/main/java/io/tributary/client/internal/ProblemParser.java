package io.tributary.client.internal;

import io.tributary.client.IngestException;
import io.tributary.client.OffsetOutOfRangeException;
import io.tributary.client.ProblemKind;
import tools.jackson.databind.JsonNode;

/** Turns an error answer (ideally {@code application/problem+json}) into an {@link IngestException}. */
public final class ProblemParser {

    private static final int MAX_DETAIL_CHARS = 500;

    private ProblemParser() {
    }

    public static IngestException parse(int status, String body) {
        JsonNode problem = readObject(body);
        if (problem == null) {
            // Not problem+json (a proxy's HTML page, say): keep a bounded piece of it as detail.
            String detail = body == null || body.isBlank() ? null : truncate(body.strip());
            return new IngestException(status, null, "HTTP " + status, detail, defaultRetriable(status), null);
        }
        String type = Json.textOrNull(problem, "type");
        String title = Json.textOrNull(problem, "title");
        String detail = Json.textOrNull(problem, "detail");
        if (ProblemKind.of(status, type) == ProblemKind.OFFSET_OUT_OF_RANGE) {
            return new OffsetOutOfRangeException(status, type, title, detail,
                    Json.longOr(problem, "logStartOffset", -1), Json.longOr(problem, "logEndOffset", -1));
        }
        JsonNode retriable = problem.path("retriable");
        boolean isRetriable = retriable.isBoolean() ? retriable.asBoolean() : defaultRetriable(status);
        return new IngestException(status, type, title, detail, isRetriable, null);
    }

    private static boolean defaultRetriable(int status) {
        return status >= 500 || status == 429;
    }

    private static JsonNode readObject(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            return node.isObject() ? node : null;
        } catch (tools.jackson.core.JacksonException e) {
            return null;
        }
    }

    private static String truncate(String text) {
        return text.length() <= MAX_DETAIL_CHARS ? text : text.substring(0, MAX_DETAIL_CHARS) + "...";
    }
}
