package io.tributary.ingest.acl;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * One ACL: {@code principal} may ({@code ALLOW}) or may not ({@code DENY}) perform
 * {@code operation} on the resources of {@code resourceType} whose name matches
 * {@code name} under {@code patternType}. Also the JSON of the REST API, of {@code acls.json}
 * and of the metadata Raft commands.
 */
@Schema(description = "An access control binding")
public record AclBinding(
        @Schema(description = "User:<name>, Service:<name>, Node:<id>, or * for every principal",
                example = "User:orders-app")
        @NotNull @Size(max = 256) @Pattern(regexp = PRINCIPAL, message = "must be User:<name>, Service:<name>, "
                + "Node:<id> or *") String principal,
        @Schema(example = "TOPIC") @NotNull ResourceType resourceType,
        @Schema(description = "LITERAL (a * name matches every name) or PREFIXED", example = "PREFIXED")
        @NotNull PatternType patternType,
        @Schema(description = "Resource name or prefix; the CLUSTER resource is named tributary", example = "orders.")
        @NotNull @Size(min = 1, max = 256) @Pattern(regexp = "[^\\s]+", message = "must not contain whitespace")
        String name,
        @Schema(example = "WRITE") @NotNull Operation operation,
        @Schema(example = "ALLOW") @NotNull Permission permission) {

    /** A principal a binding may name. */
    public static final String PRINCIPAL = "\\*|(User|Service|Node):[^\\s:]+";

    /** Does this binding's resource pattern cover {@code resource} of type {@code type}? */
    boolean coversResource(ResourceType type, String resource) {
        if (resourceType != type) {
            return false;
        }
        return patternType == PatternType.PREFIXED ? resource.startsWith(name)
                : name.equals("*") || name.equals(resource);
    }

    boolean coversPrincipal(String p) {
        return principal.equals("*") || principal.equals(p);
    }

    @Override
    public String toString() {
        return permission + " " + principal + " " + operation + " on " + resourceType + " " + patternType.name()
                .toLowerCase() + " '" + name + "'";
    }
}
