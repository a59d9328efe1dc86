package io.tributary.ingest.acl;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.tributary.ingest.topic.TopicNames;

/**
 * Decides whether a principal may perform an operation on a resource, with the semantics of
 * Kafka's {@code AclAuthorizer}, in this order:
 * <ol>
 *   <li>an internal topic ({@code __…}) is never written, created, altered or deleted through the
 *       API, by anyone ({@link Decision#INTERNAL_TOPIC_RULE});</li>
 *   <li>a super user is allowed everything else;</li>
 *   <li>a DENY binding that covers the principal, the resource and the operation (or ALL) wins;</li>
 *   <li>a user with the gateway's {@code admin} role is a cluster administrator: any operation on
 *       the CLUSTER (managing ACLs), creating, altering, deleting and describing topics, reading
 *       internal topics, describing groups;</li>
 *   <li>an ALLOW binding for the operation, ALL, or (for DESCRIBE) READ, WRITE, DELETE or ALTER;</li>
 *   <li>no binding at all on the resource: allowed only if {@code allowEveryoneIfNoAclFound}.</li>
 * </ol>
 */
public final class Authorizer {

    private static final Set<Operation> ADMIN_TOPIC_OPS = Set.of(Operation.CREATE, Operation.ALTER,
            Operation.DELETE, Operation.DESCRIBE);
    private static final Set<Operation> INTERNAL_TOPIC_CHANGES = Set.of(Operation.WRITE, Operation.CREATE,
            Operation.ALTER, Operation.DELETE, Operation.ALL);

    private final List<String> superUsers;
    private final BooleanSupplier allowEveryoneIfNoAclFound;
    private final Supplier<? extends Collection<AclBinding>> acls;

    public Authorizer(List<String> superUsers, BooleanSupplier allowEveryoneIfNoAclFound,
                      Supplier<? extends Collection<AclBinding>> acls) {
        this.superUsers = List.copyOf(superUsers);
        this.allowEveryoneIfNoAclFound = allowEveryoneIfNoAclFound;
        this.acls = acls;
    }

    public Decision authorize(String principal, boolean admin, ResourceType type, String name, Operation op) {
        if (op == Operation.ALL) {
            throw new IllegalArgumentException("ALL is a binding's operation, not a request's");
        }
        if (type == ResourceType.TOPIC && TopicNames.isInternal(name) && INTERNAL_TOPIC_CHANGES.contains(op)) {
            return Decision.deny(Decision.INTERNAL_TOPIC_RULE);
        }
        if (isSuperUser(principal)) {
            return Decision.allow("super user");
        }
        boolean anyOnResource = false;
        AclBinding allowing = null;
        Set<Operation> allowOps = op.allowedBy();
        for (AclBinding b : acls.get()) {
            if (!b.coversResource(type, name)) {
                continue;
            }
            anyOnResource = true;
            if (!b.coversPrincipal(principal)) {
                continue;
            }
            if (b.permission() == Permission.DENY && (b.operation() == op || b.operation() == Operation.ALL)) {
                return Decision.deny("denied by " + b);
            }
            if (b.permission() == Permission.ALLOW && allowOps.contains(b.operation()) && allowing == null) {
                allowing = b;
            }
        }
        if (admin && adminMay(type, name, op)) {
            return Decision.allow("admin role");
        }
        if (allowing != null) {
            return Decision.allow("allowed by " + allowing);
        }
        if (!anyOnResource) {
            return allowEveryoneIfNoAclFound.getAsBoolean() ? Decision.allow("no ACL on the resource")
                    : Decision.deny("no ACL allows it");
        }
        return Decision.deny("no ACL allows it");
    }

    private static boolean adminMay(ResourceType type, String name, Operation op) {
        return switch (type) {
            case CLUSTER -> true;
            case TOPIC -> ADMIN_TOPIC_OPS.contains(op) || (op == Operation.READ && TopicNames.isInternal(name));
            case GROUP, PRODUCER -> op == Operation.DESCRIBE;
        };
    }

    public boolean isSuperUser(String principal) {
        for (String s : superUsers) {
            if (s.equals(principal) || (s.endsWith(":*") && principal.startsWith(s.substring(0, s.length() - 1)))) {
                return true;
            }
        }
        return false;
    }
}
