package io.tributary.ingest.acl;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Selects bindings for listing or deleting: every given field must equal the binding's (exact
 * match, no pattern logic: {@code name=orders.} selects the bindings whose name is
 * {@code orders.}); null fields match anything.
 */
@Schema(description = "Bindings whose given fields are equal; absent fields match anything")
public record AclFilter(String principal, ResourceType resourceType, PatternType patternType, String name,
                        Operation operation, Permission permission) {

    public static final AclFilter ANY = new AclFilter(null, null, null, null, null, null);

    public boolean matches(AclBinding b) {
        return (principal == null || principal.equals(b.principal()))
                && (resourceType == null || resourceType == b.resourceType())
                && (patternType == null || patternType == b.patternType())
                && (name == null || name.equals(b.name()))
                && (operation == null || operation == b.operation())
                && (permission == null || permission == b.permission());
    }

    /** True when no field is set: such a filter would delete every binding, which the API refuses. */
    public boolean isEmpty() {
        return this.equals(ANY);
    }
}
