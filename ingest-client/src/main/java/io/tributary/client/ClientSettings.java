package io.tributary.client;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Connection settings shared by every client type: where the ingest service lives, how long to
 * wait for it, and extra headers (for example an API key) added to every request.
 *
 * <p>On a cluster, list several nodes (any of them; each takes any request): the client sends to
 * one node until it fails, then moves on to the next (see {@code docs/api.md}, "ingest-client on a
 * cluster"). One URL behaves as before: one attempt per call.
 *
 * @param bootstrapUrls   the ingest nodes, e.g. {@code http://ingest-1:8081}; at least one, no duplicates
 * @param connectTimeout  TCP connect timeout
 * @param requestTimeout  how long one call may take, attempts on other nodes included; long polls add
 *                        their wait time on top
 * @param extraHeaders    called for every request; lets callers rotate credentials
 * @param failoverBackoff pause before a call is tried on the next node, doubled per further node
 */
public record ClientSettings(List<URI> bootstrapUrls, Duration connectTimeout, Duration requestTimeout,
                             Supplier<Map<String, String>> extraHeaders, Duration failoverBackoff) {

    private static final Duration DEFAULT_FAILOVER_BACKOFF = Duration.ofMillis(50);

    public ClientSettings {
        Objects.requireNonNull(bootstrapUrls, "bootstrapUrls");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(extraHeaders, "extraHeaders");
        Objects.requireNonNull(failoverBackoff, "failoverBackoff");
        LinkedHashSet<URI> urls = new LinkedHashSet<>();
        for (URI url : bootstrapUrls) {
            if (!urls.add(normalized(url))) {
                throw new IllegalArgumentException("ingest URL listed twice: " + url);
            }
        }
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("at least one ingest URL is needed");
        }
        if (failoverBackoff.isNegative()) {
            throw new IllegalArgumentException("failoverBackoff must not be negative");
        }
        bootstrapUrls = List.copyOf(urls);
    }

    /** One node, as before the bootstrap list existed; 50 ms failover backoff (unused with one node). */
    public ClientSettings(URI baseUrl, Duration connectTimeout, Duration requestTimeout,
                          Supplier<Map<String, String>> extraHeaders) {
        this(List.of(Objects.requireNonNull(baseUrl, "baseUrl")), connectTimeout, requestTimeout, extraHeaders,
                DEFAULT_FAILOVER_BACKOFF);
    }

    /**
     * Settings with 5s connect and 30s request timeouts and no extra headers.
     *
     * @param urls one URL, or several separated by commas ({@code http://ingest-1:8081,http://ingest-2:8081});
     *             blanks around and between them are ignored
     * @throws IllegalArgumentException when no URL is given or one is not an absolute http(s) URL
     */
    public static ClientSettings of(String urls) {
        Objects.requireNonNull(urls, "urls");
        List<URI> parsed = new ArrayList<>();
        for (String part : urls.split(",")) {
            if (!part.isBlank()) {
                parsed.add(parse(part.strip()));
            }
        }
        return new ClientSettings(parsed, Duration.ofSeconds(5), Duration.ofSeconds(30), Map::of,
                DEFAULT_FAILOVER_BACKOFF);
    }

    /** The first bootstrap URL (the only one for a single node). */
    public URI baseUrl() {
        return bootstrapUrls.get(0);
    }

    public ClientSettings withBootstrapUrls(List<URI> urls) {
        return new ClientSettings(urls, connectTimeout, requestTimeout, extraHeaders, failoverBackoff);
    }

    public ClientSettings withConnectTimeout(Duration timeout) {
        return new ClientSettings(bootstrapUrls, timeout, requestTimeout, extraHeaders, failoverBackoff);
    }

    public ClientSettings withRequestTimeout(Duration timeout) {
        return new ClientSettings(bootstrapUrls, connectTimeout, timeout, extraHeaders, failoverBackoff);
    }

    public ClientSettings withExtraHeaders(Supplier<Map<String, String>> headers) {
        return new ClientSettings(bootstrapUrls, connectTimeout, requestTimeout, headers, failoverBackoff);
    }

    public ClientSettings withFailoverBackoff(Duration backoff) {
        return new ClientSettings(bootstrapUrls, connectTimeout, requestTimeout, extraHeaders, backoff);
    }

    private static URI parse(String url) {
        try {
            return new URI(url);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: '" + url + "' (" + e.getReason() + ")", e);
        }
    }

    /** Checks the scheme and host and drops a trailing slash, so paths can be appended. */
    private static URI normalized(URI url) {
        Objects.requireNonNull(url, "bootstrap URL");
        String scheme = url.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || url.getHost() == null) {
            throw new IllegalArgumentException("ingest URL must be an absolute http(s) URL with a host: '" + url + "'");
        }
        String text = url.toString();
        return text.endsWith("/") ? URI.create(text.substring(0, text.length() - 1)) : url;
    }
}
