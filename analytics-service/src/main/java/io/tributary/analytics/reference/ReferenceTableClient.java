package io.tributary.analytics.reference;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads reference tables from their one owner, stream-clean-service:
 * {@code GET {cleanUrl}/api/v1/reference-tables/{name}} answers
 * {@code {"name","revision","rowCount","updatedAt","rows":{"<key>":<any JSON>,...}}}.
 * Thread-safe.
 */
final class ReferenceTableClient {

    private final HttpClient http;
    private final String baseUrl;
    private final Duration timeout;
    private final JsonMapper json;

    ReferenceTableClient(String cleanUrl, Duration timeout, JsonMapper json) {
        this.baseUrl = cleanUrl.endsWith("/") ? cleanUrl.substring(0, cleanUrl.length() - 1) : cleanUrl;
        this.timeout = timeout;
        this.json = json;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    /** The table's revision and rows. */
    TableSnapshot fetch(String table) {
        URI uri = URI.create(baseUrl + "/api/v1/reference-tables/"
                + URLEncoder.encode(table, StandardCharsets.UTF_8).replace("+", "%20"));
        HttpResponse<byte[]> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).timeout(timeout)
                    .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new ReferenceTablesUnavailableException("stream-clean-service at " + baseUrl
                    + " could not be reached for reference table '" + table + "': " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReferenceTablesUnavailableException("interrupted while reading reference table '" + table + "'", e);
        }
        if (response.statusCode() == 404) {
            throw new ReferenceTableNotFoundException(table);
        }
        if (response.statusCode() != 200) {
            throw new ReferenceTablesUnavailableException("stream-clean-service answered " + response.statusCode()
                    + " for reference table '" + table + "'", null);
        }
        try {
            JsonNode body = json.readTree(response.body());
            Map<String, JsonNode> rows = new HashMap<>();
            body.path("rows").properties().forEach(row -> rows.put(row.getKey(), row.getValue()));
            return new TableSnapshot(body.path("revision").asLong(-1), Map.copyOf(rows));
        } catch (JacksonException e) {
            throw new ReferenceTablesUnavailableException("unreadable reference table '" + table + "': "
                    + e.getOriginalMessage(), e);
        }
    }

    /** @param revision stream-clean's revision of the table (-1 when it did not say) */
    record TableSnapshot(long revision, Map<String, JsonNode> rows) {
    }
}
