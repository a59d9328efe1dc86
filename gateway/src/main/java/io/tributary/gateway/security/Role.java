package io.tributary.gateway.security;

import java.util.Locale;
import java.util.Optional;

/**
 * What a caller (an API key or a bearer token's subject) may do. {@link #ADMIN} may do everything; every
 * authenticated caller may read what {@link #READ_ONLY} names, with or without that role.
 */
public enum Role {
    /** Write records (POST .../records) and obtain idempotent producer identities. */
    PRODUCER,
    /** Read records and offsets, and use consumer groups. */
    CONSUMER,
    /** Manage topics, pipelines, reference tables and jobs; everything else too. */
    ADMIN,
    /**
     * Read topic metadata, pipelines, reference tables and jobs (results, progress): what any authenticated caller
     * may; named so that a key or a token can say "nothing more" explicitly.
     */
    READ_ONLY;

    /** The name used in configuration, tokens and problems: {@code producer}, ..., {@code read-only}. */
    public String externalName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The Spring Security authority of this role ({@code ROLE_PRODUCER}, ...). */
    String authority() {
        return "ROLE_" + name();
    }

    /** The role an authority stands for, if it is one of ours. */
    static Optional<Role> ofAuthority(String authority) {
        for (Role role : values()) {
            if (role.authority().equals(authority)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }

    /** The role a token's claim value names ({@code admin}, {@code read-only}, {@code READ_ONLY}), if any. */
    static Optional<Role> ofExternalName(String value) {
        String normalized = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (Role role : values()) {
            if (role.name().equals(normalized)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
