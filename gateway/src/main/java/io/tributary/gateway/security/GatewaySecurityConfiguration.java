package io.tributary.gateway.security;

import static io.tributary.support.problem.ProblemHandlerSupport.problem;

import io.tributary.gateway.web.Problems;
import io.tributary.problem.ProblemType;
import io.tributary.support.identity.Secrets;
import jakarta.servlet.DispatcherType;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AuthenticationEntryPointFailureHandler;
import org.springframework.security.web.authentication.AuthenticationFilter;
import org.springframework.security.web.firewall.RequestRejectedHandler;

/**
 * The gateway's Spring Security filter chain: who is calling, and may they (docs/gateway.md, "Authentication and
 * roles"). Stateless: no session, no CSRF (no cookie is honoured), no login form, no basic authentication.
 * <ul>
 * <li><b>API keys</b> in {@code X-Api-Key} ({@code gateway.security.api-keys}): an {@link AuthenticationFilter} with
 * {@link ApiKeyAuthenticationProvider}.</li>
 * <li><b>Bearer tokens</b> (JWT) when Spring Boot configured a {@link JwtDecoder}
 * ({@code spring.security.oauth2.resourceserver.jwt.issuer-uri} or {@code jwk-set-uri}, optionally
 * {@code audiences}): the OAuth2 resource server, roles from a claim ({@link JwtCallerConverter}).</li>
 * <li><b>Roles</b>: {@link RoleAuthorizationManager} over {@link AccessRules}, on requests only (a forward or an
 * error dispatch was authorized as the request it serves).</li>
 * </ul>
 * Every refusal is problem+json ({@link SecurityProblems}), and so is a request Spring Security's firewall rejects
 * (a path that is not normalized, an encoded slash, an unknown method): 400 {@code invalid-request}.
 */
@Configuration(proxyBeanMethods = false)
class GatewaySecurityConfiguration {

    @Bean
    SecurityFilterChain gatewaySecurityFilterChain(HttpSecurity http, SecurityProperties properties,
                                                   ObjectProvider<JwtDecoder> jwtDecoder, Problems problems,
                                                   Environment environment) {
        requireRealKeys(properties, environment);
        JwtDecoder decoder = jwtDecoder.getIfAvailable();
        SecurityProblems answers = new SecurityProblems(properties.header(), decoder != null, problems);

        http.csrf(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                // proxied responses keep the caching headers their service chose
                .headers(h -> h.cacheControl(c -> c.disable()))
                .addFilterBefore(apiKeyFilter(properties, decoder != null, answers),
                        BearerTokenAuthenticationFilter.class)
                .authorizeHttpRequests(a -> a
                        .dispatcherTypeMatchers(DispatcherType.FORWARD, DispatcherType.ERROR, DispatcherType.ASYNC)
                        .permitAll()
                        .anyRequest().access(new RoleAuthorizationManager()))
                .exceptionHandling(e -> e.authenticationEntryPoint(answers).accessDeniedHandler(answers));
        if (decoder != null) {
            http.oauth2ResourceServer(o -> o
                    .jwt(j -> j.decoder(decoder).jwtAuthenticationConverter(new JwtCallerConverter(properties.jwt())))
                    .authenticationEntryPoint(answers)
                    .accessDeniedHandler(answers));
        }
        return http.build();
    }

    /** Answers what the firewall refuses with problem+json instead of an empty 400. */
    @Bean
    RequestRejectedHandler requestRejectedHandler(Problems problems) {
        return (request, response, e) -> problems.write(response, problem(ProblemType.INVALID_REQUEST,
                "the request was refused before routing: " + e.getMessage()));
    }

    /**
     * Authenticates {@code X-Api-Key} when present. With bearer tokens on, a request may not carry both: which one
     * names the caller would be a guess (401, {@link SecurityProblems.TwoCredentialsException}).
     */
    private static AuthenticationFilter apiKeyFilter(SecurityProperties properties, boolean bearerTokens,
                                                     SecurityProblems answers) {
        String header = properties.header();
        AuthenticationFilter filter = new AuthenticationFilter(
                new ProviderManager(new ApiKeyAuthenticationProvider(properties.apiKeys())), request -> {
                    String presented = request.getHeader(header);
                    if (presented == null) {
                        return null;
                    }
                    String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
                    if (bearerTokens && authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                        throw new SecurityProblems.TwoCredentialsException(header);
                    }
                    return ApiKeyAuthentication.unauthenticated(presented);
                });
        filter.setSuccessHandler((request, response, authentication) -> { }); // go on to the route
        filter.setFailureHandler(new AuthenticationEntryPointFailureHandler(answers));
        return filter;
    }

    /**
     * Outside the development profile a placeholder key (the Kubernetes Secret ships "replace-me") or the
     * development key refuses to start, naming the key.
     */
    private static void requireRealKeys(SecurityProperties properties, Environment environment) {
        for (int i = 0; i < properties.apiKeys().size(); i++) {
            Secrets.requireReal(environment, "gateway.security.api-keys[" + i + "].key ("
                    + properties.apiKeys().get(i).name() + ")", properties.apiKeys().get(i).key());
        }
    }
}
