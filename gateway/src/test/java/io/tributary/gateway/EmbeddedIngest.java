package io.tributary.gateway;

import io.tributary.ingest.IngestApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The real ingest-service in the test JVM, behind a gateway under test: its own data folder and ports, the
 * development identities (it trusts the gateway's tokens), and as deployed: without Spring Boot's security
 * auto-configuration, which the gateway's class path brings (ingest sets up its own filter chain).
 */
final class EmbeddedIngest {

    private EmbeddedIngest() {
    }

    static ConfigurableApplicationContext start(String... extraProperties) {
        List<String> properties = new ArrayList<>(List.of(
                "spring.config.name=ingest-in-gateway-test", // not the gateway's application.yml
                "server.port=0",
                "ingest.kafka.port=0",
                "ingest.data-dir=" + tempDir(),
                "spring.mvc.problemdetails.enabled=true",
                "spring.autoconfigure.exclude="
                        + "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration,"
                        + "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration,"
                        + "org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration,"
                        + "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration,"
                        + "org.springframework.boot.security.autoconfigure.actuate.web.servlet."
                        + "ManagementWebSecurityAutoConfiguration,"
                        + "org.springframework.boot.security.oauth2.server.resource.autoconfigure.servlet."
                        + "OAuth2ResourceServerAutoConfiguration",
                "tributary.identity.name=ingest",
                "tributary.identity.secret=dev-only-ingest-identity-secret-not-for-production",
                "ingest.security.issuers.gateway=dev-only-gateway-identity-secret-not-for-production"));
        properties.addAll(List.of(extraProperties));
        // the gateway's auto-configuration is on this class path too; with no routes it stays inert here
        return new SpringApplicationBuilder(IngestApplication.class).properties(properties.toArray(String[]::new))
                .run();
    }

    /** The port ingest's HTTP API listens on. */
    static String url(ConfigurableApplicationContext ingest) {
        return "http://127.0.0.1:" + ingest.getEnvironment().getProperty("local.server.port");
    }

    private static String tempDir() {
        try {
            return Files.createTempDirectory("gateway-test-ingest").toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
