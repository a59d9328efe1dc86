package io.tributary.ingest.config;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Title and description of the ingest API's OpenAPI document. */
@Configuration(proxyBeanMethods = false)
class OpenApiConfig {

    @Bean
    OpenAPI ingestOpenApi() {
        return new OpenAPI().info(new Info()
                .title("Tributary ingest API")
                .version("v1")
                .description("Topics and partitions over a disk-backed append-only log: produce, fetch, offsets, "
                        + "idempotent producers and consumer groups. Errors are application/problem+json (RFC 9457) "
                        + "with a boolean 'retriable'.")
                .license(new License().name("Apache-2.0")));
    }
}
