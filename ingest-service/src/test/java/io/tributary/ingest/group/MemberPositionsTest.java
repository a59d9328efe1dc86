package io.tributary.ingest.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.tributary.ingest.problem.ProblemException;
import io.tributary.problem.ProblemType;
import io.tributary.ingest.topic.TopicPartition;
import org.junit.jupiter.api.Test;

class MemberPositionsTest {

    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    /** A poll naming {@code after} that reads {@code records} from P0 (its position there, else 0). */
    private static long poll(MemberPositions positions, Long after, long records) {
        Map<TopicPartition, Long> start = positions.startFrom(after, "m");
        start.merge(P0, records, Long::sum);
        return positions.answered(start);
    }

    private static void assertUnknown(MemberPositions positions, long after) {
        assertThatThrownBy(() -> positions.startFrom(after, "m"))
                .isInstanceOfSatisfying(ProblemException.class,
                        e -> assertThat(e.type()).isEqualTo(ProblemType.UNKNOWN_POLL_SEQUENCE));
    }

    @Test
    void aClientThatKeepsLosingAnswersCanAlwaysNameTheLatestItReceived() {
        MemberPositions positions = new MemberPositions(2);
        long received = poll(positions, 0L, 5);
        for (int lost = 0; lost < 20; lost++) {
            poll(positions, received, 3);
        }

        assertThat(positions.startFrom(received, "m")).containsExactly(Map.entry(P0, 5L));
        assertThat(positions.latest()).isEqualTo(21);
    }

    @Test
    void unacknowledgedAnswersBeyondTheBoundAreForgottenOldestFirstAndOlderOnesOnceANewerIsNamed() {
        MemberPositions positions = new MemberPositions(2);
        long first = poll(positions, 0L, 1);
        long second = poll(positions, 0L, 2);
        long third = poll(positions, 0L, 3);

        assertUnknown(positions, first);
        assertThat(positions.startFrom(third, "m")).containsExactly(Map.entry(P0, 3L));
        assertUnknown(positions, second); // older than the answer named since
        assertUnknown(positions, 0);
        assertUnknown(positions, 99);
    }

    @Test
    void aPollWithoutAfterReadsOnFromTheLatestAnswer() {
        MemberPositions positions = new MemberPositions(8);
        poll(positions, 0L, 4);
        poll(positions, null, 2);

        assertThat(positions.startFrom(null, "m")).containsExactly(Map.entry(P0, 6L));
    }

    @Test
    void aRebalanceForgetsLostPartitionsInEveryAnswerStillNameable() {
        MemberPositions positions = new MemberPositions(8);
        Map<TopicPartition, Long> both = new HashMap<>(positions.startFrom(0L, "m"));
        both.put(P0, 4L);
        both.put(P1, 7L);
        long first = positions.answered(both);
        long second = positions.answered(new HashMap<>(Map.of(P0, 9L, P1, 9L)));

        positions.retainAll(List.of(P1));

        assertThat(positions.startFrom(first, "m")).containsExactly(Map.entry(P1, 7L));
        assertThat(positions.startFrom(second, "m")).containsExactly(Map.entry(P1, 9L));
    }

    @Test
    void refusesABoundBelowOne() {
        assertThatThrownBy(() -> new MemberPositions(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ingest.groups.max-unacknowledged-polls");
    }
}
