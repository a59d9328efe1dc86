package io.tributary.ingest.replication;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import io.tributary.ingest.cluster.Reassignments.Move;
import io.tributary.ingest.replication.ReassignmentPlanner.Current;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The spread proposed for {@code GET /api/v1/cluster/reassignments/plan}, checked against counts made here from the
 * lists it answers: every partition keeps its replica count on distinct nodes of the set, replicas and preferred
 * leaders end at most one apart per node, and no more replicas move than the even share demands.
 */
class ReassignmentPlannerTest {

    /** {@code partitions} partitions of {@code topic}, replication factor 3, rotating over nodes 1-3 as placement does. */
    private static List<Current> onThreeNodes(String topic, int partitions) {
        List<Current> out = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            out.add(new Current(topic, p, List.of(1 + p % 3, 1 + (p + 1) % 3, 1 + (p + 2) % 3)));
        }
        return out;
    }

    /** The lists after the plan: the moved ones replaced. */
    private static List<List<Integer>> after(List<Current> current, List<Move> moves) {
        Map<String, List<Integer>> moved = new HashMap<>();
        moves.forEach(m -> moved.put(m.topic() + "-" + m.partition(), m.replicas()));
        return current.stream().map(c -> moved.getOrDefault(c.topic() + "-" + c.partition(), c.replicas())).toList();
    }

    private static Map<Integer, Integer> count(List<List<Integer>> lists, List<Integer> nodes, boolean leadersOnly) {
        Map<Integer, Integer> out = new HashMap<>();
        nodes.forEach(n -> out.put(n, 0));
        for (List<Integer> l : lists) {
            for (int n : leadersOnly ? l.subList(0, 1) : l) {
                out.merge(n, 1, Integer::sum);
            }
        }
        return out;
    }

    private static int spread(Map<Integer, Integer> counts) {
        return counts.values().stream().mapToInt(i -> i).max().orElse(0)
                - counts.values().stream().mapToInt(i -> i).min().orElse(0);
    }

    /** Replicas placed on a node that did not hold one of that partition before. */
    private static int replicasMoved(List<Current> current, List<List<Integer>> after) {
        int moved = 0;
        for (int i = 0; i < current.size(); i++) {
            for (int n : after.get(i)) {
                moved += current.get(i).replicas().contains(n) ? 0 : 1;
            }
        }
        return moved;
    }

    private static void assertValid(List<Current> current, List<List<Integer>> after, List<Integer> nodes) {
        for (int i = 0; i < current.size(); i++) {
            assertThat(after.get(i)).as("partition %d", i).hasSameSizeAs(current.get(i).replicas())
                    .doesNotHaveDuplicates().allMatch(nodes::contains);
        }
    }

    @Test
    void growingFromThreeToFiveNodesMovesTheFewestReplicasAndEvensOutLeaders() {
        List<Current> current = onThreeNodes("orders", 10);
        List<Integer> nodes = List.of(1, 2, 3, 4, 5);
        List<List<Integer>> after = after(current, ReassignmentPlanner.plan(nodes, current));
        assertValid(current, after, nodes);
        assertThat(count(after, nodes, false)).containsValues(6).allSatisfy((n, c) -> assertThat(c).isEqualTo(6));
        // 30 replicas: nodes 1-3 hold 10 each and keep 6, so 4 + 4 + 4 move and no more
        assertThat(replicasMoved(current, after)).isEqualTo(12);
        assertThat(spread(count(after, nodes, true))).as("preferred leaders per node").isLessThanOrEqualTo(1);
    }

    @Test
    void shrinkingMovesEveryReplicaOffTheNodesLeftOut() {
        List<Current> current = new ArrayList<>();
        for (int p = 0; p < 8; p++) {
            current.add(new Current("t", p, List.of(1 + p % 4, 1 + (p + 1) % 4)));
        }
        List<Integer> nodes = List.of(1, 2, 3);
        List<List<Integer>> after = after(current, ReassignmentPlanner.plan(nodes, current));
        assertValid(current, after, nodes);
        assertThat(spread(count(after, nodes, false))).isLessThanOrEqualTo(1);
        assertThat(spread(count(after, nodes, true))).isLessThanOrEqualTo(1);
        // node 4 held 4 replicas, all must go; 16 replicas over 3 nodes end 6, 5, 5: node 1-3 held 4 each
        assertThat(replicasMoved(current, after)).isEqualTo(4);
    }

    @Test
    void eachTopicIsSpreadOnItsOwn() {
        List<Current> current = new ArrayList<>();
        for (String topic : List.of("a", "b")) {
            for (int p = 0; p < 4; p++) {
                current.add(new Current(topic, p, List.of(1)));
            }
        }
        List<Integer> nodes = List.of(1, 2, 3, 4);
        List<List<Integer>> after = after(current, ReassignmentPlanner.plan(nodes, current));
        assertValid(current, after, nodes);
        assertThat(new HashSet<>(after.subList(0, 4))).as("topic a on four nodes").hasSize(4);
        assertThat(new HashSet<>(after.subList(4, 8))).as("topic b on four nodes").hasSize(4);
        assertThat(replicasMoved(current, after)).isEqualTo(6);
    }

    @Test
    void aSpreadClusterIsLeftAsItIsAndTheSameStateGivesTheSamePlan() {
        List<Current> spread = onThreeNodes("orders", 9);
        assertThat(ReassignmentPlanner.plan(List.of(1, 2, 3), spread)).isEmpty();
        List<Current> current = onThreeNodes("orders", 7);
        assertThat(ReassignmentPlanner.plan(List.of(4, 3, 2, 1), current))
                .isEqualTo(ReassignmentPlanner.plan(List.of(1, 2, 3, 4), current));
    }

    @Test
    void theProposalCountsReplicasAndPreferredLeadersPerNodeBeforeAndAfter() {
        List<Current> current = onThreeNodes("orders", 10);
        var proposal = ReassignmentPlanner.proposal(List.of(5, 4, 3, 2, 1), current, List.of("other-0"));
        assertThat(proposal.nodes()).containsExactly(1, 2, 3, 4, 5);
        assertThat(proposal.replicasBefore()).isEqualTo(Map.of(1, 10, 2, 10, 3, 10, 4, 0, 5, 0));
        assertThat(proposal.replicasAfter().values()).containsOnly(6);
        assertThat(proposal.leadersAfter()).isEqualTo(count(after(current, proposal.partitions()), proposal.nodes(), true));
        assertThat(proposal.leadersBefore().values().stream().mapToInt(i -> i).sum()).isEqualTo(10);
        assertThat(proposal.skipped()).containsExactly("other-0");
    }

    @Test
    void refusesMoreReplicasThanNodes() {
        assertThatThrownBy(() -> ReassignmentPlanner.plan(List.of(1, 2), onThreeNodes("orders", 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("orders-0 has 3 replicas, more than the 2 nodes named");
        assertThatThrownBy(() -> ReassignmentPlanner.plan(List.of(), onThreeNodes("orders", 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
