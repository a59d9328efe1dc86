package io.tributary.analytics.reference;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import io.tributary.analytics.config.AnalyticsProperties;
import tools.jackson.databind.JsonNode;

/**
 * Reference tables as analytics jobs see them: read over stream-clean-service's REST API (the
 * tables' only owner) and kept in memory, one copy per table for every job of this instance,
 * read again once it is older than {@code analytics.reference-tables.refresh}.
 *
 * <p>A refresh that fails throws (not found: {@link ReferenceTableNotFoundException}; otherwise
 * {@link ReferenceTablesUnavailableException}), so a batch never joins against a table that has
 * gone. Thread-safe.
 */
@Component
public class ReferenceTables {

    private record Cached(Instant readAt, Map<String, JsonNode> rows) {
    }

    private final ReferenceTableClient client;
    private final Duration refresh;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    ReferenceTables(AnalyticsProperties properties, ReferenceTableClient client, Clock clock) {
        this.client = client;
        this.refresh = properties.referenceTables().refresh();
        this.clock = clock;
    }

    /** Checks that a table exists now (a job is validated against it when created). */
    public void require(String table) {
        rows(table);
    }

    /** The table's rows by key, at most {@code refresh} old. */
    public Map<String, JsonNode> rows(String table) {
        Instant now = clock.instant();
        Cached cached = cache.get(table);
        if (cached == null || !cached.readAt().plus(refresh).isAfter(now)) {
            try {
                cached = new Cached(now, client.fetch(table).rows());
            } catch (ReferenceTableNotFoundException e) {
                cache.remove(table);
                throw e;
            }
            cache.put(table, cached);
        }
        return cached.rows();
    }
}
