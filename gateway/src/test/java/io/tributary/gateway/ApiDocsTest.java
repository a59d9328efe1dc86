package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ApiDocsTest extends GatewayTestSupport {

    @BeforeEach
    void clear() {
        clearStubs();
    }

    @Test
    void shouldListTheThreeServicesInTheSwaggerUiConfig() throws Exception {
        HttpResponse<String> response = send(request("/v3/api-docs/swagger-config"));

        assertThat(response.body())
                .contains("{\"url\":\"/ingest/v3/api-docs\",\"name\":\"ingest\"}")
                .contains("{\"url\":\"/clean/v3/api-docs\",\"name\":\"clean\"}")
                .contains("{\"url\":\"/analytics/v3/api-docs\",\"name\":\"analytics\"}");
    }

    @Test
    void shouldFetchEachDocumentThroughTheGatewayWithTheGatewaysAddress() throws Exception {
        HttpResponse<String> response = send(request("/clean/v3/api-docs"));

        assertThat(response.statusCode()).isEqualTo(200);
        UpstreamStub.Received received = CLEAN.take();
        assertThat(received.path()).isEqualTo("/v3/api-docs");
        assertThat(received.header("X-Forwarded-Host")).isEqualTo("127.0.0.1:" + port);
        assertThat(received.header("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(received.header("X-Forwarded-Prefix")).as("the API is routed without a prefix").isNull();
    }

    @Test
    void shouldRedirectSwaggerUiHtmlToTheConsole() throws Exception {
        HttpResponse<String> response = send(request("/swagger-ui.html"));

        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("Location")).hasValueSatisfying(
                l -> assertThat(l).endsWith("/swagger-ui/index.html"));
    }
}
