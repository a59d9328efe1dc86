package io.tributary.analytics.reference;

import java.net.http.HttpClient;
import java.util.HashMap;
import java.util.Map;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.tributary.analytics.config.AnalyticsProperties;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import tools.jackson.databind.JsonNode;

/**
 * Reads reference tables from their one owner, stream-clean-service:
 * {@code GET {cleanUrl}/api/v1/reference-tables/{name}} answers
 * {@code {"name","revision","rowCount","updatedAt","rows":{"<key>":<any JSON>,...}}}.
 *
 * <p>Spring's {@link RestClient} from the application's builder (its message converters and the
 * {@code http.client.requests} metrics), over the JDK's HTTP client, with every knob in
 * {@code analytics.reference-tables}: one request's {@code timeout} (connecting, and waiting for the
 * answer), and {@code attempts} in all for a failure that may pass (no answer, a 5xx, a 429), the first
 * retry after {@code backoff}, each next one after twice the wait before (resilience4j's {@link Retry}).
 * A 404 is not retried: the table does not exist. Thread-safe.
 */
@Component
final class ReferenceTableClient {

    private final RestClient rest;
    private final Retry retry;
    private final String baseUrl;

    ReferenceTableClient(RestClient.Builder builder, AnalyticsProperties properties) {
        AnalyticsProperties.ReferenceTables settings = properties.referenceTables();
        String url = properties.cleanUrl();
        this.baseUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(settings.timeout()).build());
        requests.setReadTimeout(settings.timeout());
        this.rest = builder.clone().baseUrl(baseUrl).requestFactory(requests).build();
        this.retry = Retry.of("reference-tables", RetryConfig.custom()
                .maxAttempts(settings.attempts())
                .intervalFunction(IntervalFunction.ofExponentialBackoff(settings.backoff(), 2.0))
                .retryOnException(e -> e instanceof MayPass)
                .build());
    }

    /** The table's revision and rows; after the retries, {@link ReferenceTablesUnavailableException}. */
    TableSnapshot fetch(String table) {
        try {
            return retry.executeSupplier(() -> fetchOnce(table));
        } catch (MayPass e) {
            throw new ReferenceTablesUnavailableException(e.getMessage() + " (" + retry.getRetryConfig().getMaxAttempts()
                    + " attempts)", e.getCause());
        }
    }

    private TableSnapshot fetchOnce(String table) {
        JsonNode body;
        try {
            body = rest.get().uri("/api/v1/reference-tables/{name}", table).accept(MediaType.APPLICATION_JSON)
                    .retrieve()
                    .onStatus(status -> status.value() == 404, (request, response) -> {
                        throw new ReferenceTableNotFoundException(table);
                    })
                    .onStatus(HttpStatusCode::isError, (request, response) -> {
                        String why = "stream-clean-service answered " + response.getStatusCode().value()
                                + " for reference table '" + table + "'";
                        int status = response.getStatusCode().value();
                        if (status >= 500 || status == 429) {
                            throw new MayPass(why, null);
                        }
                        throw new ReferenceTablesUnavailableException(why, null);
                    })
                    .body(JsonNode.class);
        } catch (ResourceAccessException e) {
            throw new MayPass("stream-clean-service at " + baseUrl + " could not be reached for reference table '"
                    + table + "': " + e.getMostSpecificCause(), e);
        } catch (RestClientException e) {
            throw new ReferenceTablesUnavailableException("unreadable reference table '" + table + "': "
                    + e.getMostSpecificCause().getMessage(), e);
        }
        if (body == null || !body.path("rows").isObject()) {
            throw new ReferenceTablesUnavailableException("unreadable reference table '" + table + "': no rows", null);
        }
        Map<String, JsonNode> rows = new HashMap<>();
        body.path("rows").properties().forEach(row -> rows.put(row.getKey(), row.getValue()));
        return new TableSnapshot(body.path("revision").asLong(-1), Map.copyOf(rows));
    }

    /** A failure that may pass if the request is sent again: no answer, a 5xx or a 429. */
    private static final class MayPass extends RuntimeException {
        MayPass(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** @param revision stream-clean's revision of the table (-1 when it did not say) */
    record TableSnapshot(long revision, Map<String, JsonNode> rows) {
    }
}
