package io.tributary.gateway.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * A verified bearer token as a caller ({@code gateway.security.jwt}): its name from the principal claim, its roles
 * from the roles claim (a dotted path into nested objects, a list or a space/comma separated string), each value
 * mapped through {@code role-mapping} or taken as a role's own name; values that name no role are ignored. A token
 * without the principal claim is refused (401): the services need a name to authorize.
 */
final class JwtCallerConverter implements Converter<Jwt, AbstractAuthenticationToken> {

    private final String principalClaim;
    private final List<String> rolesPath;
    private final Map<String, Role> mapping;

    JwtCallerConverter(SecurityProperties.Jwt properties) {
        this.principalClaim = properties.principalClaim();
        this.rolesPath = List.of(properties.rolesClaim().split("\\."));
        this.mapping = new HashMap<>();
        properties.roleMapping().forEach((value, role) -> mapping.put(value.toLowerCase(Locale.ROOT), role));
    }

    @Override
    public AbstractAuthenticationToken convert(Jwt jwt) {
        String name = jwt.getClaimAsString(principalClaim);
        if (name == null || name.isBlank()) {
            throw new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_TOKEN,
                    "the token has no '" + principalClaim + "' claim naming the caller", null));
        }
        List<SimpleGrantedAuthority> authorities = roles(jwt).stream()
                .map(r -> new SimpleGrantedAuthority(r.authority())).toList();
        return new JwtAuthenticationToken(jwt, authorities, name);
    }

    private Set<Role> roles(Jwt jwt) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String value : values(jwt)) {
            Role mapped = mapping.get(value.toLowerCase(Locale.ROOT));
            if (mapped != null) {
                roles.add(mapped);
            } else {
                Role.ofExternalName(value).ifPresent(roles::add);
            }
        }
        return roles;
    }

    private List<String> values(Jwt jwt) {
        Object node = jwt.getClaims();
        for (String step : rolesPath) {
            if (!(node instanceof Map<?, ?> object)) {
                return List.of();
            }
            node = object.get(step);
        }
        List<String> values = new ArrayList<>();
        if (node instanceof Collection<?> list) {
            list.forEach(v -> {
                if (v instanceof String s && !s.isBlank()) {
                    values.add(s);
                }
            });
        } else if (node instanceof String s) {
            for (String v : s.split("[\\s,]+")) {
                if (!v.isBlank()) {
                    values.add(v);
                }
            }
        }
        return values;
    }
}
