package io.tributary.gateway.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.cloud.gateway.server.mvc.filter.HttpHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.servlet.function.ServerRequest;

/**
 * The forwarding headers of every proxied request: whatever {@code Forwarded} and {@code X-Forwarded-*} headers came
 * in are dropped, and {@code X-Forwarded-Proto/Host/Port/For} (and {@code Prefix} from a trusted proxy) are set from
 * the {@link ForwardedHeadersFilter.View} decided before the route. The services' {@code ForwardedHeaderFilter}
 * (service-support) turns them into the gateway's address: OpenAPI servers, {@code Location} headers. Nothing here
 * parses what the caller sent, so nothing here can fail on it.
 */
public class ForwardedHeadersWriter implements HttpHeadersFilter.RequestHttpHeadersFilter, Ordered {

    @Override
    public HttpHeaders apply(HttpHeaders input, ServerRequest request) {
        HttpServletRequest servlet = request.servletRequest();
        ForwardedHeadersFilter.View view = servlet.getAttribute(ForwardedHeadersFilter.VIEW_ATTRIBUTE)
                instanceof ForwardedHeadersFilter.View v ? v : ForwardedHeadersFilter.own(servlet);
        HttpHeaders headers = new HttpHeaders();
        for (Map.Entry<String, List<String>> entry : input.headerSet()) {
            String name = entry.getKey().toLowerCase(Locale.ROOT);
            if (!name.equals("forwarded") && !name.startsWith("x-forwarded-")) {
                headers.addAll(entry.getKey(), entry.getValue());
            }
        }
        headers.set("X-Forwarded-Proto", view.proto());
        headers.set("X-Forwarded-Host", view.host());
        if (view.port() != null) {
            headers.set("X-Forwarded-Port", view.port());
        }
        if (view.prefix() != null) {
            headers.set("X-Forwarded-Prefix", view.prefix());
        }
        headers.set("X-Forwarded-For", view.forChain());
        return headers;
    }

    /** After the gateway's own header filters (order 0), so that nothing re-adds a caller's header. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE - 100;
    }
}
