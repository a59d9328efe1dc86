package io.tributary.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.gateway.GatewayApplication;
import io.tributary.support.identity.Secrets;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** A deployed gateway (any profile but the development one) never runs with a placeholder API key. */
class ApiKeySecretsTest {

    /**
     * A command-line argument, not one of the builder's properties: those are defaults, below application.yml's
     * {@code server.port: 8080}, so the test would take (or fail on) the port a local ./run.sh listens on.
     */
    private static final String ANY_PORT = "--server.port=0";

    private static SpringApplicationBuilder prodGatewayWithKey(String key) {
        return new SpringApplicationBuilder(GatewayApplication.class).profiles("prod").properties(
                "tributary.identity.secret=Vb7Nq2Lx9Pz4Rt6Wy1Kc8Md3Fg5Hj0Sa",
                "gateway.security.api-keys[0].name=admin",
                "gateway.security.api-keys[0].key=" + key,
                "gateway.security.api-keys[0].roles=admin");
    }

    @Test
    void shouldRefuseToStartWithThePlaceholderKeyTheManifestsShipAndNameIt() {
        assertThatThrownBy(() -> prodGatewayWithKey("replace-me").run(ANY_PORT).close())
                .rootCause().isInstanceOf(Secrets.InsecureSecretException.class)
                .hasMessageContaining("gateway.security.api-keys[0].key (admin)");
    }

    @Test
    void shouldRefuseToStartWithTheDevelopmentKey() {
        assertThatThrownBy(() -> prodGatewayWithKey("tributary-dev-key").run(ANY_PORT).close())
                .rootCause().isInstanceOf(Secrets.InsecureSecretException.class);
    }

    @Test
    void shouldStartWithARealKey() {
        try (ConfigurableApplicationContext context = prodGatewayWithKey("p9Xw2Lq7Vz4Nr1Tk6Mb3").run(ANY_PORT)) {
            assertThat(context.isRunning()).isTrue();
        }
    }
}
