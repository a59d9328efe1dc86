package io.tributary.ingest.replication;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The steps a move takes through Raft configurations: new members one by one, then the removals at once. */
class PartitionMovesTest {

    @Test
    void addsOneNewMemberAtATimeThenDropsTheOnesLeftOut() {
        assertThat(PartitionMoves.nextConfiguration(Set.of(1, 2), List.of(3, 1))).containsExactlyInAnyOrder(1, 2, 3);
        assertThat(PartitionMoves.nextConfiguration(Set.of(1, 2, 3), List.of(3, 1))).containsExactly(3, 1);
        // a single replica moving to another node: both, then the new one alone
        assertThat(PartitionMoves.nextConfiguration(Set.of(1), List.of(2))).containsExactlyInAnyOrder(1, 2);
        assertThat(PartitionMoves.nextConfiguration(Set.of(1, 2), List.of(2))).containsExactly(2);
        // three new nodes for three old ones: one at a time
        List<Integer> step = PartitionMoves.nextConfiguration(Set.of(1, 2, 3), List.of(4, 5, 6));
        assertThat(step).containsExactlyInAnyOrder(1, 2, 3, 4);
        step = PartitionMoves.nextConfiguration(Set.copyOf(step), List.of(4, 5, 6));
        assertThat(step).containsExactlyInAnyOrder(1, 2, 3, 4, 5);
        step = PartitionMoves.nextConfiguration(Set.copyOf(step), List.of(4, 5, 6));
        assertThat(step).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6);
        assertThat(PartitionMoves.nextConfiguration(Set.copyOf(step), List.of(4, 5, 6))).containsExactly(4, 5, 6);
    }
}
