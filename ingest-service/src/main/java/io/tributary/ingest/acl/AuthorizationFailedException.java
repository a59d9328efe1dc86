package io.tributary.ingest.acl;

import java.util.LinkedHashMap;
import java.util.Map;

import io.tributary.ingest.problem.ProblemException;
import io.tributary.problem.ProblemType;

/**
 * 403 {@code authorization-failed}: the problem names the principal, the operation and the
 * resource, and {@code rule} when the internal-topic rule refused it.
 */
public class AuthorizationFailedException extends ProblemException {

    public AuthorizationFailedException(String principal, Operation op, ResourceType type, String name,
                                        Decision decision) {
        super(ProblemType.AUTHORIZATION_FAILED, detail(principal, op, type, name, decision),
                properties(principal, op, type, name, decision));
    }

    private static String detail(String principal, Operation op, ResourceType type, String name, Decision d) {
        if (Decision.INTERNAL_TOPIC_RULE.equals(d.reason())) {
            return "internal topic " + name + " cannot be changed through the API (" + op + " refused for everyone)";
        }
        return principal + " may not " + op + " " + type + " " + name;
    }

    private static Map<String, Object> properties(String principal, Operation op, ResourceType type, String name,
                                                  Decision d) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("principal", principal);
        p.put("operation", op.name());
        p.put("resourceType", type.name());
        p.put("resource", name);
        if (Decision.INTERNAL_TOPIC_RULE.equals(d.reason())) {
            p.put("rule", Decision.INTERNAL_TOPIC_RULE);
        }
        return p;
    }
}
