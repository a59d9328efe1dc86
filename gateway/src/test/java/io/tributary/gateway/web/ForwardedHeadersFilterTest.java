package io.tributary.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.gateway.config.GatewayProperties;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;

/** The forwarded-headers policy with a trusted proxy in front (ForwardedHeadersTest covers the default: none). */
class ForwardedHeadersFilterTest {

    private final ForwardedHeadersFilter filter = new ForwardedHeadersFilter(new GatewayProperties(
            URI.create("http://i"), URI.create("http://c"), URI.create("http://a"), DataSize.ofMegabytes(1), null,
            new GatewayProperties.Forwarded("10\\.0\\.0\\.\\d+")), new Problems(JsonMapper.builder().build()));

    private static MockHttpServletRequest request(String remoteAddr) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/topics");
        request.setRemoteAddr(remoteAddr);
        request.setServerName("gateway.internal");
        request.setServerPort(8080);
        return request;
    }

    private ForwardedHeadersFilter.View view(MockHttpServletRequest request, MockHttpServletResponse response)
            throws Exception {
        MockFilterChain chain = new MockFilterChain();
        filter.doFilter(request, response, chain);
        return chain.getRequest() == null ? null
                : (ForwardedHeadersFilter.View) request.getAttribute(ForwardedHeadersFilter.VIEW_ATTRIBUTE);
    }

    @Test
    void shouldTakeATrustedProxysView() throws Exception {
        MockHttpServletRequest request = request("10.0.0.7");
        request.addHeader("X-Forwarded-Proto", "https");
        request.addHeader("X-Forwarded-Host", "api.example.com");
        request.addHeader("X-Forwarded-Prefix", "/tributary");
        request.addHeader("X-Forwarded-For", "203.0.113.9, 10.0.0.3");

        ForwardedHeadersFilter.View view = view(request, new MockHttpServletResponse());

        assertThat(view).isEqualTo(new ForwardedHeadersFilter.View("https", "api.example.com", null, "/tributary",
                "203.0.113.9, 10.0.0.3, 10.0.0.7"));
    }

    @Test
    void shouldIgnoreWhatAnUntrustedCallerClaims() throws Exception {
        MockHttpServletRequest request = request("203.0.113.9");
        request.addHeader("X-Forwarded-Proto", "https");
        request.addHeader("X-Forwarded-Host", "evil.example");
        request.addHeader("X-Forwarded-Prefix", "/evil");
        request.addHeader("X-Forwarded-For", "not an address");
        request.addHeader("Forwarded", "proto=https");

        ForwardedHeadersFilter.View view = view(request, new MockHttpServletResponse());

        assertThat(view).isEqualTo(new ForwardedHeadersFilter.View("http", "gateway.internal:8080", "8080", null,
                "203.0.113.9"));
    }

    @Test
    void shouldRefuseMalformedHeadersFromATrustedProxyWith400() throws Exception {
        for (String[] header : new String[][] {{"X-Forwarded-Proto", "gopher"}, {"X-Forwarded-Host", "a b"},
                {"X-Forwarded-Port", "99999"}, {"X-Forwarded-Prefix", "no-slash"}, {"X-Forwarded-For", "<script>"}}) {
            MockHttpServletRequest request = request("10.0.0.7");
            request.addHeader(header[0], header[1]);
            MockHttpServletResponse response = new MockHttpServletResponse();

            assertThat(view(request, response)).as(header[0]).isNull();
            assertThat(response.getStatus()).isEqualTo(400);
            assertThat(response.getContentType()).isEqualTo("application/problem+json");
            assertThat(response.getContentAsString()).contains("https://tributary.dev/problems/bad-forwarded-header")
                    .contains(header[0]).contains("\"retriable\":false");
        }
    }
}
