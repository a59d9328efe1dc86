package io.tributary.testkit;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import io.tributary.ingest.IngestApplication;

/**
 * A real ingest-service in the test JVM, on a random port with its own data folder. It reads no
 * {@code application.yml} (the service under test has its own first on the classpath); what it
 * needs is passed as arguments. As deployed, it runs without Spring Boot's security
 * auto-configuration, which the class path of the application under test may bring (the gateway's
 * does): ingest sets up its own filter chain.
 */
public final class EmbeddedIngest implements AutoCloseable {

    /** Spring Boot's security auto-configuration; excluding a class that is not on the class path is harmless. */
    private static final List<String> BOOT_SECURITY = List.of(
            "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration",
            "org.springframework.boot.security.oauth2.server.resource.autoconfigure.servlet."
                    + "OAuth2ResourceServerAutoConfiguration");

    private final ConfigurableApplicationContext context;
    private final String url;

    private EmbeddedIngest(ConfigurableApplicationContext context) {
        this.context = context;
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        this.url = "http://127.0.0.1:" + port;
    }

    public static EmbeddedIngest start(Path dataDir) {
        return start(dataDir, 0);
    }

    /** On a given port (0: any), e.g. to restart on the port clients already know. */
    public static EmbeddedIngest start(Path dataDir, int port) {
        return start(dataDir, List.of("--server.port=" + port));
    }

    /**
     * With more arguments ({@code --name=value}): one naming a setting of the defaults here replaces it (Spring would
     * otherwise join two values of one name with a comma); on any port unless they say.
     */
    public static EmbeddedIngest start(Path dataDir, List<String> extraArguments) {
        Map<String, String> arguments = new LinkedHashMap<>();
        arguments.put("spring.config.name", "embedded-ingest-none");
        arguments.put("server.port", "0");
        arguments.put("spring.application.name", "ingest-service");
        arguments.put("spring.mvc.problemdetails.enabled", "true");
        arguments.put("spring.mvc.async.request-timeout", "120s");
        arguments.put("spring.datasource.url", "jdbc:h2:mem:embedded-ingest-" + System.nanoTime());
        // ingest keeps nothing in a database: no migrations (the class path holds the service under test's)
        arguments.put("spring.flyway.enabled", "false");
        arguments.put("spring.jmx.enabled", "false");
        arguments.put("ingest.data-dir", dataDir.toString());
        arguments.put("ingest.kafka.port", "0"); // no Kafka listener: several may run in one JVM
        arguments.put("logging.level.io.tributary.ingest", "WARN");
        // The development identities (as in the services' application.yml): the services' tokens verify, and the
        // ingest node signs its own.
        arguments.put("tributary.identity.name", "ingest");
        arguments.put("tributary.identity.secret", "dev-only-ingest-identity-secret-not-for-production");
        arguments.put("ingest.security.issuers.gateway", "dev-only-gateway-identity-secret-not-for-production");
        arguments.put("ingest.security.issuers.stream-clean",
                "dev-only-stream-clean-identity-secret-not-for-production");
        arguments.put("ingest.security.issuers.analytics", "dev-only-analytics-identity-secret-not-for-production");
        arguments.put("spring.autoconfigure.exclude", String.join(",", BOOT_SECURITY));
        for (String argument : extraArguments) {
            if (!argument.startsWith("--") || !argument.contains("=")) {
                throw new IllegalArgumentException("expected --name=value: " + argument);
            }
            int eq = argument.indexOf('=');
            arguments.put(argument.substring(2, eq), argument.substring(eq + 1));
        }
        ConfigurableApplicationContext context = new SpringApplicationBuilder(IngestApplication.class)
                .run(arguments.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                        .toArray(String[]::new));
        return new EmbeddedIngest(context);
    }

    public String url() {
        return url;
    }

    @Override
    public void close() {
        context.close();
    }
}
