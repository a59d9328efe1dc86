package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RequestIdTest extends GatewayTestSupport {

    @BeforeEach
    void clear() {
        clearStubs();
    }

    @Test
    void shouldForwardAndReturnTheCallersRequestId() throws Exception {
        HttpResponse<String> response = send(request("/api/v1/jobs", "a-key").header("X-Request-Id", "req-42"));

        assertThat(response.headers().allValues("X-Request-Id")).containsExactly("req-42");
        assertThat(ANALYTICS.take().header("X-Request-Id")).isEqualTo("req-42");
    }

    @Test
    void shouldGenerateARequestIdAndForwardTheSameOne() throws Exception {
        HttpResponse<String> response = send(request("/api/v1/pipelines", "a-key"));

        String id = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(id).matches("[0-9a-f-]{36}");
        assertThat(response.headers().allValues("X-Request-Id")).hasSize(1);
        assertThat(CLEAN.take().header("X-Request-Id")).isEqualTo(id);
    }

    @Test
    void shouldKeepTheRequestIdInTheLoggingContextOfTheProxiedCall() throws Exception {
        CALL_CONTEXTS.clear();

        assertThat(send(request("/api/v1/jobs", "a-key").header("X-Request-Id", "req-mdc-9")
                .header("X-Test-Probe", "1")).statusCode()).isEqualTo(200);

        CallContext context = CALL_CONTEXTS.poll(5, TimeUnit.SECONDS);
        assertThat(context).isEqualTo(new CallContext("req-mdc-9", true));
    }

    @Test
    void shouldReturnARequestIdOnErrorsAnsweredByTheGatewayItself() throws Exception {
        HttpResponse<String> response = send(request("/api/v1/topics").header("X-Request-Id", "no-key-7"));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("X-Request-Id")).hasValue("no-key-7");
    }
}
