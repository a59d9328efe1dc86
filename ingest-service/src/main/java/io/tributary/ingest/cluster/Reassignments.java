package io.tributary.ingest.cluster;

import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;

/** The shapes of partition reassignment and preferred-leader election ({@code /api/v1/cluster/...}). */
public final class Reassignments {

    private Reassignments() {
    }

    /** One partition's move as asked: its new replicas, preferred leader first. */
    @Schema(description = "A partition and the nodes that should hold its replicas, the preferred leader first")
    public record Move(@Schema(example = "raw.orders") String topic,
                       @Schema(example = "0") int partition,
                       @Schema(example = "[2, 3]") List<Integer> replicas) {
    }

    /** A request to move partitions. */
    public record Request(List<Move> partitions) {
    }

    /**
     * A partition whose replicas are being moved: the nodes that hold a replica now (old and new
     * together while the move runs), the nodes it goes to, and the replicas it had before the move
     * ({@code original}: where a cancel sends it; null for a move started by an earlier version);
     * {@code target} and {@code original} are null for a move that only changed the order (the
     * preferred leader), which is done at once.
     */
    public record Running(String topic, int partition, List<Integer> replicas, List<Integer> target,
                          List<Integer> original) {
    }

    /** The moves started or running. */
    public record Listing(List<Running> reassignments) {
    }

    /**
     * A proposal that spreads partitions evenly over {@code nodes} ({@code GET /api/v1/cluster/reassignments/plan}):
     * {@code partitions} is a body for {@code POST /api/v1/cluster/reassignments} as it stands (a partition whose
     * list only changes order moves its preferred leader alone); the counts per node show the spread before and after.
     * Partitions that are moving already are left out and named in {@code skipped}.
     */
    public record Plan(List<Integer> nodes, List<Move> partitions,
                       @Schema(description = "replicas per node now") Map<Integer, Integer> replicasBefore,
                       @Schema(description = "replicas per node once the plan ran") Map<Integer, Integer> replicasAfter,
                       @Schema(description = "partitions each node is the preferred leader of now")
                       Map<Integer, Integer> leadersBefore,
                       @Schema(description = "partitions each node is the preferred leader of once the plan ran")
                       Map<Integer, Integer> leadersAfter,
                       List<String> skipped) {
    }

    /**
     * What a preferred-leader election did for a partition: {@code elected}, {@code already-leader},
     * {@code not-in-sync} (the leader has not heard from the preferred node lately), {@code lagging}
     * (in sync but more than 64 entries behind the leader's commit), {@code no-leader}, {@code moving} (a
     * reassignment runs) or {@code failed: <reason>}.
     */
    public record LeaderChange(String topic, int partition, int preferred, int leaderBefore, String result) {
    }

    /** The outcome of a preferred-leader election, one entry per partition. */
    public record Elections(List<LeaderChange> partitions) {
    }
}
