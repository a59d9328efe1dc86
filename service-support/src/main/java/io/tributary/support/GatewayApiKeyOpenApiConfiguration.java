package io.tributary.support;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * Declares the gateway's API key (an {@code apiKey} security scheme in a header, required by every operation) in a
 * service's OpenAPI document, so that the gateway's Swagger UI offers "Authorize" and its "Try it out" calls carry
 * the key. The services themselves do not check keys; the gateway does (docs/gateway.md). Header name:
 * {@code tributary.support.openapi.api-key-header} (default {@code X-Api-Key}, the gateway's default); off with
 * {@code tributary.support.openapi.api-key.enabled=false}.
 */
@AutoConfiguration
@ConditionalOnClass(OpenApiCustomizer.class)
@ConditionalOnProperty(name = "tributary.support.openapi.api-key.enabled", matchIfMissing = true)
public class GatewayApiKeyOpenApiConfiguration {

    static final String SCHEME = "gatewayApiKey";

    @Bean
    OpenApiCustomizer gatewayApiKeyOpenApiCustomizer(
            @Value("${tributary.support.openapi.api-key-header:X-Api-Key}") String header) {
        return openApi -> {
            if (openApi.getComponents() == null) {
                openApi.setComponents(new Components());
            }
            openApi.getComponents().addSecuritySchemes(SCHEME, new SecurityScheme()
                    .type(SecurityScheme.Type.APIKEY).in(SecurityScheme.In.HEADER).name(header)
                    .description("API key checked by the gateway; roles producer, consumer, admin"));
            openApi.addSecurityItem(new SecurityRequirement().addList(SCHEME));
        };
    }
}
