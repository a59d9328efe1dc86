package io.tributary.ingest.security;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.tributary.problem.ProblemType;
import io.tributary.support.identity.IdentityProperties;
import io.tributary.support.identity.Secrets;
import io.tributary.support.identity.TokenMinter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationManagerResolver;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtIssuerAuthenticationManagerResolver;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.context.AbstractSecurityWebApplicationInitializer;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Who is calling (docs/security.md, "Identity: who is calling"). Callers prove who they are with
 * {@code Authorization: Bearer <JWT>}, HS256-signed by a trusted issuer with its own secret
 * ({@code ingest.security.issuers.<iss>}); the token's {@code iss} picks the secret it is verified with. The
 * verified token becomes the request's principal ({@link HttpServletRequest#getUserPrincipal()}):
 * <ul>
 * <li>{@code iss=gateway}: {@code User:<sub>}, in the roles of its {@code roles} claim
 * ({@code request.isUserInRole("admin")});</li>
 * <li>{@code iss=ingest}: {@code Node:<sub>}, a peer node;</li>
 * <li>any other trusted issuer: {@code Service:<iss>} (stream-clean, analytics).</li>
 * </ul>
 * A request without a bearer token goes on anonymously (principal null: {@code User:ANONYMOUS}; what it may do is
 * the authorization layer's business). A bad, expired or foreign token gets 401 problem+json ({@code unauthorized}),
 * never a redirect. The internal endpoints ({@code /internal/**}: replica copies and reads) serve peer nodes only:
 * 401 without a token, 403 for any other principal. Stateless: no session, no CSRF (no cookies are honoured), no
 * login form or basic authentication.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
@EnableConfigurationProperties(IngestSecurityProperties.class)
public class IngestSecurityConfiguration {

    /** Where Spring Boot would put it: before the application's own filters, on every dispatch. */
    static final int FILTER_ORDER = -100;

    /**
     * The security filter chain as a servlet filter (Spring Boot's security auto-configuration is deliberately
     * absent, see the pom): also on async dispatches (long polls resume there) and error dispatches.
     */
    @Bean
    FilterRegistrationBean<Filter> securityFilterRegistration(
            @Qualifier(AbstractSecurityWebApplicationInitializer.DEFAULT_FILTER_NAME) Filter springSecurityFilterChain) {
        FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(springSecurityFilterChain);
        registration.setOrder(FILTER_ORDER);
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
        registration.setAsyncSupported(true);
        return registration;
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Verified tokens remembered at most: far more than the callers a node has at once. */
    private static final int VERIFIED_TOKENS_KEPT = 10_000;

    @Bean
    SecurityFilterChain ingestSecurityFilterChain(HttpSecurity http, IngestSecurityProperties properties,
                                                  IdentityProperties identity, Environment environment) {
        AuthenticationEntryPoint unauthorized = IngestSecurityConfiguration::unauthorized;
        AccessDeniedHandler forbidden = (request, response, e) -> writeProblem(request, response, ProblemType.FORBIDDEN,
                Principals.name(request) + " may not call " + request.getRequestURI() + ": only peer nodes may");
        http.csrf(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                // The principal is exposed by PrincipalRequestFilter, which leaves a request without a token as it is.
                .servletApi(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/internal/**").access((authentication, context) ->
                                new AuthorizationDecision(authentication.get() instanceof JwtAuthenticationToken jwt
                                        && Principals.isNode(jwt.getName())))
                        .anyRequest().permitAll())
                .oauth2ResourceServer(o -> o
                        .authenticationManagerResolver(issuers(properties, identity, environment))
                        .authenticationEntryPoint(unauthorized)
                        .accessDeniedHandler(forbidden))
                .exceptionHandling(e -> e.authenticationEntryPoint(unauthorized).accessDeniedHandler(forbidden))
                .addFilterAfter(new PrincipalRequestFilter(), AuthorizationFilter.class);
        return http.build();
    }

    /**
     * One verifier per trusted issuer, chosen by the token's {@code iss}; unknown issuers are refused. Issuer names
     * are matched ignoring case and punctuation, so that {@code INGEST_SECURITY_ISSUERS_STREAMCLEAN} (environment
     * variables cannot spell a dash) configures {@code stream-clean}. Tokens already verified are remembered until
     * they expire ({@link VerifiedTokenCache}).
     */
    static AuthenticationManagerResolver<HttpServletRequest> issuers(IngestSecurityProperties properties,
                                                                    IdentityProperties identity,
                                                                    Environment environment) {
        Map<String, String> sources = new HashMap<>(); // canonical issuer -> the property its secret came from
        Map<String, String> secrets = new HashMap<>();
        properties.issuers().forEach((issuer, secret) -> {
            secrets.put(canonical(issuer), secret);
            sources.put(canonical(issuer), IngestSecurityProperties.property(issuer));
        });
        if (!secrets.containsKey(Principals.NODE_ISSUER) && identity.secret() != null) {
            secrets.put(Principals.NODE_ISSUER, identity.secret()); // the peers share this node's own identity
            sources.put(Principals.NODE_ISSUER, IdentityProperties.SECRET_PROPERTY);
        }
        Map<String, AuthenticationManager> managers = new HashMap<>();
        secrets.forEach((issuer, secret) -> {
            String property = sources.get(issuer);
            Secrets.requireReal(environment, property, secret);
            NimbusJwtDecoder decoder = NimbusJwtDecoder.withSecretKey(TokenMinter.secretKey(property, secret))
                    .macAlgorithm(MacAlgorithm.HS256).build();
            decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(JwtValidators.createDefault(),
                    contractClaims(issuer)));
            JwtAuthenticationProvider provider = new JwtAuthenticationProvider(decoder);
            provider.setJwtAuthenticationConverter(IngestSecurityConfiguration::principal);
            managers.put(issuer, provider::authenticate);
        });
        return new VerifiedTokenCache(new JwtIssuerAuthenticationManagerResolver(iss -> managers.get(canonical(iss))),
                Clock.systemUTC(), VERIFIED_TOKENS_KEPT);
    }

    static String canonical(String issuer) {
        return issuer == null ? "" : issuer.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }

    /**
     * The token is the issuer's it was verified for, names a subject and is short-lived: {@code sub}, {@code iat}
     * and {@code exp} are required.
     */
    private static OAuth2TokenValidator<Jwt> contractClaims(String issuer) {
        return jwt -> {
            if (!issuer.equals(canonical(jwt.getClaimAsString("iss")))) {
                return OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token", "wrong issuer", null));
            }
            if (jwt.getSubject() == null || jwt.getSubject().isBlank() || jwt.getIssuedAt() == null
                    || jwt.getExpiresAt() == null) {
                return OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token",
                        "the token must carry sub, iat and exp", null));
            }
            return OAuth2TokenValidatorResult.success();
        };
    }

    /** The contract's principal of a verified token. */
    static AbstractAuthenticationToken principal(Jwt jwt) {
        String issuer = jwt.getClaimAsString("iss");
        List<GrantedAuthority> authorities = new ArrayList<>();
        String name;
        switch (canonical(issuer)) {
            case Principals.GATEWAY_ISSUER -> {
                name = Principals.USER + jwt.getSubject();
                List<String> roles = jwt.hasClaim("roles") ? jwt.getClaimAsStringList("roles") : List.of();
                for (String role : roles) {
                    authorities.add(new SimpleGrantedAuthority("ROLE_" + role));
                }
            }
            case Principals.NODE_ISSUER -> name = Principals.NODE + jwt.getSubject();
            default -> name = Principals.SERVICE + issuer;
        }
        return new JwtAuthenticationToken(jwt, authorities, name);
    }

    private static void unauthorized(HttpServletRequest request, HttpServletResponse response,
                                     AuthenticationException e) throws IOException {
        boolean badToken = e instanceof OAuth2AuthenticationException;
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, badToken ? "Bearer error=\"invalid_token\"" : "Bearer");
        writeProblem(request, response, ProblemType.UNAUTHORIZED, badToken
                ? "the bearer token was refused: " + e.getMessage()
                : "this endpoint needs a bearer token of a peer node");
    }

    private static void writeProblem(HttpServletRequest request, HttpServletResponse response, ProblemType type,
                                     String detail) throws IOException {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", type.uri().toString());
        problem.put("title", type.title());
        problem.put("status", type.status());
        problem.put("detail", detail);
        problem.put("instance", request.getRequestURI());
        problem.put("retriable", type.retriable());
        response.setStatus(type.status());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getOutputStream().write(JSON.writeValueAsBytes(problem));
    }
}
