package io.tributary.ingest.security;

import java.security.Principal;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The principal names of the identity contract (docs/security.md): {@code User:<name>} (a gateway API key's
 * name), {@code Service:<name>} (stream-clean, analytics), {@code Node:<id>} (an ingest peer) and
 * {@code User:ANONYMOUS} (no credentials). Inside ingest the caller is always read as
 * {@link HttpServletRequest#getUserPrincipal()}; null means anonymous.
 */
public final class Principals {

    public static final String USER = "User:";
    public static final String SERVICE = "Service:";
    public static final String NODE = "Node:";
    public static final String ANONYMOUS = USER + "ANONYMOUS";

    /** The issuer of the gateway's tokens (users), and of the peers' tokens (nodes). */
    public static final String GATEWAY_ISSUER = "gateway";
    public static final String NODE_ISSUER = "ingest";
    /** The gateway role that makes a user a cluster administrator (ACLs, topic admin). */
    public static final String ADMIN_ROLE = "admin";

    private Principals() {
    }

    /** The caller's principal name, {@value #ANONYMOUS} without credentials. */
    public static String name(HttpServletRequest request) {
        return name(request.getUserPrincipal());
    }

    /** The principal's name, {@value #ANONYMOUS} for null. */
    public static String name(Principal principal) {
        return principal == null || principal.getName() == null ? ANONYMOUS : principal.getName();
    }

    /**
     * The caller's principal as the authorizer matches it: {@link #name(HttpServletRequest)}, with a bare name
     * (a test's or a servlet container's principal without a type) read as a user.
     */
    public static String of(HttpServletRequest request) {
        String name = name(request);
        return name.isBlank() ? ANONYMOUS : name.matches("(User|Service|Node):.+") ? name : USER + name;
    }

    /** True for a caller with the gateway's {@value #ADMIN_ROLE} role. */
    public static boolean isAdmin(HttpServletRequest request) {
        return request.getUserPrincipal() != null && request.isUserInRole(ADMIN_ROLE);
    }

    /** True for a peer node. */
    public static boolean isNode(String name) {
        return name != null && name.startsWith(NODE);
    }
}
