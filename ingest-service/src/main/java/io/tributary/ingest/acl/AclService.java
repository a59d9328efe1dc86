package io.tributary.ingest.acl;

import java.util.List;

import io.tributary.ingest.cluster.ClusterOps;
import io.tributary.ingest.problem.InvalidRequestException;
import org.springframework.stereotype.Service;

/**
 * Changes the stored ACLs through {@link ClusterOps}: on a cluster as entries of the metadata Raft
 * group (every node applies them in the same order, see {@code MetadataStateMachine}); on a single
 * node directly.
 */
@Service
public class AclService {

    private final ClusterOps cluster;

    AclService(ClusterOps cluster) {
        this.cluster = cluster;
    }

    /** The bindings the command added or removed (empty: it changed nothing). */
    public List<AclBinding> apply(AclCommand command) {
        if (command instanceof AclCommand.Create c) {
            validate(c.binding());
        }
        return cluster.changeAcls(command);
    }

    /** What Bean Validation cannot say: the CLUSTER resource has one name. */
    static void validate(AclBinding b) {
        if (b.resourceType() == ResourceType.CLUSTER && !(b.patternType() == PatternType.LITERAL
                && (b.name().equals(ResourceType.CLUSTER_NAME) || b.name().equals("*")))) {
            throw new InvalidRequestException("a CLUSTER binding is LITERAL and named " + ResourceType.CLUSTER_NAME
                    + " (or *)");
        }
    }
}
