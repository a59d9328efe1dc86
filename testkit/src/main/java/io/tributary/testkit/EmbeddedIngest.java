package io.tributary.testkit;

import java.nio.file.Path;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import io.tributary.ingest.IngestApplication;

/**
 * A real ingest-service in the test JVM, on a random port with its own data folder. It reads no
 * {@code application.yml} (the service under test has its own first on the classpath); what it
 * needs is passed as arguments.
 */
public final class EmbeddedIngest implements AutoCloseable {

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
        ConfigurableApplicationContext context = new SpringApplicationBuilder(IngestApplication.class)
                .run("--spring.config.name=embedded-ingest-none",
                        "--server.port=" + port,
                        "--spring.application.name=ingest-service",
                        "--spring.mvc.problemdetails.enabled=true",
                        "--spring.mvc.async.request-timeout=120s",
                        "--spring.datasource.url=jdbc:h2:mem:embedded-ingest-" + System.nanoTime(),
                        "--spring.jmx.enabled=false",
                        "--ingest.data-dir=" + dataDir,
                        "--ingest.kafka.port=0", // no Kafka listener: several may run in one JVM
                        "--logging.level.io.tributary.ingest=WARN",
                        // The development identities (as in the services' application.yml): the services' tokens
                        // verify, and the ingest node signs its own.
                        "--tributary.identity.name=ingest",
                        "--tributary.identity.secret=dev-only-ingest-identity-secret-not-for-production",
                        "--ingest.security.issuers.gateway=dev-only-gateway-identity-secret-not-for-production",
                        "--ingest.security.issuers.stream-clean=dev-only-stream-clean-identity-secret-not-for-production",
                        "--ingest.security.issuers.analytics=dev-only-analytics-identity-secret-not-for-production");
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
