package io.tributary.ingest.acl;

import java.security.Principal;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Who sent a request, as the identity contract defines it: the servlet principal's name
 * ({@code User:x}, {@code Service:x}, {@code Node:x}; filled by the security filter chain), or
 * {@code User:ANONYMOUS} when there is none. A bare name without a type is read as a user.
 */
public final class Principals {

    public static final String ANONYMOUS = "User:ANONYMOUS";
    /** The gateway role that makes a user a cluster administrator. */
    public static final String ADMIN_ROLE = "admin";

    private Principals() {
    }

    public static String of(HttpServletRequest request) {
        Principal p = request.getUserPrincipal();
        if (p == null || p.getName() == null || p.getName().isBlank()) {
            return ANONYMOUS;
        }
        String name = p.getName();
        return name.matches("(User|Service|Node):.+") ? name : "User:" + name;
    }

    public static boolean isAdmin(HttpServletRequest request) {
        return request.getUserPrincipal() != null && request.isUserInRole(ADMIN_ROLE);
    }
}
