package io.tributary.ingest.acl;

import java.util.List;

import io.tributary.ingest.replication.ReplicationService;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

/**
 * Changes the stored ACLs: on a cluster as entries of the metadata Raft group (every node
 * applies them in the same order, see {@code MetadataStateMachine}); on a single node directly.
 */
@Service
public class AclService {

    private final AclStore store;
    /** Null on a single node. */
    private final ReplicationService replication;

    AclService(AclStore store, ObjectProvider<ReplicationService> replication) {
        this.store = store;
        this.replication = replication.getIfAvailable();
    }

    /** The bindings the command added or removed (empty: it changed nothing). */
    public List<AclBinding> apply(AclCommand command) {
        if (command instanceof AclCommand.Create c) {
            validate(c.binding());
        }
        return replication == null ? store.apply(command) : replication.changeAcls(command);
    }

    /** What Bean Validation cannot say: the CLUSTER resource has one name. */
    static void validate(AclBinding b) {
        if (b.resourceType() == ResourceType.CLUSTER && !(b.patternType() == PatternType.LITERAL
                && (b.name().equals(ResourceType.CLUSTER_NAME) || b.name().equals("*")))) {
            throw new IllegalArgumentException("a CLUSTER binding is LITERAL and named " + ResourceType.CLUSTER_NAME
                    + " (or *)");
        }
    }
}
