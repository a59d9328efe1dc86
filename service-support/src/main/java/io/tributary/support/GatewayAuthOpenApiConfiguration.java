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
 * Declares the gateway's two ways of authenticating in a service's OpenAPI document, so that the gateway's Swagger
 * UI offers both under "Authorize" and its "Try it out" calls carry the credential: the API key (an {@code apiKey}
 * scheme in a header, {@value #API_KEY}) and an OAuth2 bearer token (an {@code http} {@code bearer} scheme of format
 * JWT, {@value #BEARER}), as alternatives required by every operation. The services themselves do not check either;
 * the gateway does (docs/gateway.md), and accepts bearer tokens only where a deployment configured an issuer. Header
 * name: {@code tributary.support.openapi.api-key-header} (default {@code X-Api-Key}, the gateway's default); off with
 * {@code tributary.support.openapi.api-key.enabled=false}.
 */
@AutoConfiguration
@ConditionalOnClass(OpenApiCustomizer.class)
@ConditionalOnProperty(name = "tributary.support.openapi.api-key.enabled", matchIfMissing = true)
public class GatewayAuthOpenApiConfiguration {

    static final String API_KEY = "gatewayApiKey";
    static final String BEARER = "gatewayBearerToken";

    @Bean
    OpenApiCustomizer gatewayAuthOpenApiCustomizer(
            @Value("${tributary.support.openapi.api-key-header:X-Api-Key}") String header) {
        return openApi -> {
            if (openApi.getComponents() == null) {
                openApi.setComponents(new Components());
            }
            openApi.getComponents().addSecuritySchemes(API_KEY, new SecurityScheme()
                    .type(SecurityScheme.Type.APIKEY).in(SecurityScheme.In.HEADER).name(header)
                    .description("API key checked by the gateway; roles producer, consumer, admin, read-only"));
            openApi.getComponents().addSecuritySchemes(BEARER, new SecurityScheme()
                    .type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("JWT")
                    .description("An OAuth2 access token (JWT) of the issuer the gateway is configured with; roles "
                            + "from its roles claim"));
            // two requirements: either one will do
            openApi.addSecurityItem(new SecurityRequirement().addList(API_KEY));
            openApi.addSecurityItem(new SecurityRequirement().addList(BEARER));
        };
    }
}
