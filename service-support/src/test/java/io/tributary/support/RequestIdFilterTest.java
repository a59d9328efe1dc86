package io.tributary.support;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Collections;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class RequestIdFilterTest {

    private final RequestIdFilter filter = new RequestIdFilter();

    @Test
    void shouldKeepTheCallersIdAndReturnIt() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/topics");
        request.addHeader("X-Request-Id", "abc-123");
        MockHttpServletResponse response = new MockHttpServletResponse();
        Seen seen = new Seen();

        filter.doFilter(request, response, seen.chain());

        assertThat(response.getHeader("X-Request-Id")).isEqualTo("abc-123");
        assertThat(seen.mdc.get()).isEqualTo("abc-123");
        assertThat(seen.header.get()).isEqualTo("abc-123");
        assertThat(MDC.get(RequestIdFilter.MDC_KEY)).as("MDC cleared afterwards").isNull();
    }

    @Test
    void shouldGenerateAnIdAndShowItToTheChainAsAHeader() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/topics");
        MockHttpServletResponse response = new MockHttpServletResponse();
        Seen seen = new Seen();

        filter.doFilter(request, response, seen.chain());

        String id = response.getHeader("X-Request-Id");
        assertThat(id).matches("[0-9a-f-]{36}");
        assertThat(seen.header.get()).isEqualTo(id);
        assertThat(seen.mdc.get()).isEqualTo(id);
        assertThat(seen.headerNames.get()).contains("X-Request-Id");
    }

    @Test
    void shouldReplaceAMalformedIdInsteadOfLoggingIt() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/");
        request.addHeader("X-Request-Id", "evil\nINFO forged log line");
        MockHttpServletResponse response = new MockHttpServletResponse();

        filter.doFilter(request, response, new MockFilterChain());

        assertThat(response.getHeader("X-Request-Id")).matches("[0-9a-f-]{36}");
    }

    @Test
    void shouldRejectOverlongIds() {
        assertThat(RequestIdFilter.acceptOrGenerate("x".repeat(129))).hasSize(36);
        assertThat(RequestIdFilter.acceptOrGenerate("x".repeat(128))).hasSize(128);
    }

    @Test
    void shouldReturnTheIdOnceEvenWhenAProxiedUpstreamSendsItToo() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/");
        request.addHeader("X-Request-Id", "r-1");
        MockHttpServletResponse response = new MockHttpServletResponse();

        filter.doFilter(request, response, new MockFilterChain() {
            @Override
            public void doFilter(jakarta.servlet.ServletRequest req, jakarta.servlet.ServletResponse res) {
                ((jakarta.servlet.http.HttpServletResponse) res).addHeader("x-request-id", "r-1");
                ((jakarta.servlet.http.HttpServletResponse) res).addHeader("X-Other", "kept");
            }
        });

        assertThat(response.getHeaders("X-Request-Id")).containsExactly("r-1");
        assertThat(response.getHeader("X-Other")).isEqualTo("kept");
    }

    /** What the rest of the chain saw. */
    private static final class Seen {
        final AtomicReference<String> mdc = new AtomicReference<>();
        final AtomicReference<String> header = new AtomicReference<>();
        final AtomicReference<java.util.List<String>> headerNames = new AtomicReference<>();

        MockFilterChain chain() {
            return new MockFilterChain(new jakarta.servlet.http.HttpServlet() {
            }) {
                @Override
                public void doFilter(jakarta.servlet.ServletRequest request, jakarta.servlet.ServletResponse response) {
                    HttpServletRequest http = (HttpServletRequest) request;
                    mdc.set(MDC.get(RequestIdFilter.MDC_KEY));
                    header.set(http.getHeader("X-Request-Id"));
                    headerNames.set(Collections.list(http.getHeaderNames()));
                }
            };
        }
    }
}
