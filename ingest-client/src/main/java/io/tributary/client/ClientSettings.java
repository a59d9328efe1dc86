package io.tributary.client;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Connection settings shared by every client type: where the ingest service lives, how long to
 * wait for it, and extra headers (for example an API key) added to every request.
 *
 * @param baseUrl        the ingest service root, e.g. {@code http://localhost:8081}
 * @param connectTimeout TCP connect timeout
 * @param requestTimeout how long one request may take; long polls add their wait time on top
 * @param extraHeaders   called for every request; lets callers rotate credentials
 */
public record ClientSettings(URI baseUrl, Duration connectTimeout, Duration requestTimeout,
                             Supplier<Map<String, String>> extraHeaders) {

    public ClientSettings {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(extraHeaders, "extraHeaders");
        String text = baseUrl.toString();
        if (text.endsWith("/")) {
            baseUrl = URI.create(text.substring(0, text.length() - 1));
        }
    }

    /** Settings with 5s connect and 30s request timeouts and no extra headers. */
    public static ClientSettings of(String baseUrl) {
        return new ClientSettings(URI.create(baseUrl), Duration.ofSeconds(5), Duration.ofSeconds(30), Map::of);
    }

    public ClientSettings withConnectTimeout(Duration timeout) {
        return new ClientSettings(baseUrl, timeout, requestTimeout, extraHeaders);
    }

    public ClientSettings withRequestTimeout(Duration timeout) {
        return new ClientSettings(baseUrl, connectTimeout, timeout, extraHeaders);
    }

    public ClientSettings withExtraHeaders(Supplier<Map<String, String>> headers) {
        return new ClientSettings(baseUrl, connectTimeout, requestTimeout, headers);
    }
}
