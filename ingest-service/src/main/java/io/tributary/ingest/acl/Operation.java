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
        return this == DESCRIBE ? Set.of(DESCRIBE, READ, WRITE, DELETE, ALTER, ALL) : Set.of(this, ALL);
    }
}
