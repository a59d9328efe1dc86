package io.tributary.ingest.acl;

import java.util.Set;

/** What a principal does to a resource. {@code ALL} in a binding stands for every operation. */
public enum Operation {
    READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, ALL;

    /**
     * The operations whose ALLOW also allows this one (as in Kafka: READ, WRITE, DELETE or ALTER
     * imply DESCRIBE). Implication applies to ALLOW only; a DENY matches its own operation or ALL.
     */
    Set<Operation> allowedBy() {
        return AllowedBy.SETS.get(this); // asked on every authorized request: built once
    }

    private static final class AllowedBy {
        static final java.util.Map<Operation, Set<Operation>> SETS = new java.util.EnumMap<>(Operation.class);

        static {
            for (Operation op : values()) {
                SETS.put(op, op == DESCRIBE ? Set.of(DESCRIBE, READ, WRITE, DELETE, ALTER, ALL)
                        : java.util.Collections.unmodifiableSet(java.util.EnumSet.of(op, ALL)));
            }
        }
    }
}
