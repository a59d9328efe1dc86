package io.tributary.ingest.topic;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Where a partition's replicas live, once an operator moved them (a topic without stored
 * assignments keeps the placement computed from the peer list, see
 * {@code replication.ClusterPeers#placement}).
 *
 * @param replicas the nodes that keep a log of the partition now, in preference order (the first
 *                 is the preferred leader); while a move runs, the old and the new nodes together
 * @param target   while a move runs, the nodes the partition's Raft group is being changed to
 *                 ({@code replicas} becomes this list when the move completes); null otherwise
 * @param original while a move runs, the replicas before it (where a cancel sends the partition back); null
 *                 otherwise, and for moves started by an earlier version
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PartitionAssignment(List<Integer> replicas, List<Integer> target, List<Integer> original) {

    public PartitionAssignment {
        replicas = List.copyOf(replicas);
        target = target == null ? null : List.copyOf(target);
        original = original == null || target == null ? null : List.copyOf(original);
    }

    /** A settled assignment: no move in progress. */
    public static PartitionAssignment of(List<Integer> replicas) {
        return new PartitionAssignment(replicas, null, null);
    }

    public boolean moving() {
        return target != null;
    }
}
