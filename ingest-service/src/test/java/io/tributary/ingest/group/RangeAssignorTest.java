package io.tributary.ingest.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.tributary.ingest.topic.TopicPartition;
import org.junit.jupiter.api.Test;

class RangeAssignorTest {

    private static TopicPartition tp(String topic, int partition) {
        return new TopicPartition(topic, partition);
    }

    @Test
    void spreadsPartitionsEvenlyInConsecutiveRangesWithTheFirstMembersTakingTheRemainder() {
        Map<String, List<TopicPartition>> assignment = RangeAssignor.assign(
                Map.of("b", List.of("orders"), "a", List.of("orders"), "c", List.of("orders")),
                Map.of("orders", 7));

        assertThat(assignment.get("a")).containsExactly(tp("orders", 0), tp("orders", 1), tp("orders", 2));
        assertThat(assignment.get("b")).containsExactly(tp("orders", 3), tp("orders", 4));
        assertThat(assignment.get("c")).containsExactly(tp("orders", 5), tp("orders", 6));
    }

    @Test
    void givesTheSameAnswerWhateverTheOrderOfItsInput() {
        Map<String, List<String>> forward = new LinkedHashMap<>();
        forward.put("m1", List.of("x", "y"));
        forward.put("m2", List.of("y", "x"));
        Map<String, List<String>> backward = new LinkedHashMap<>();
        backward.put("m2", List.of("x", "y"));
        backward.put("m1", List.of("y", "x"));
        Map<String, Integer> counts = Map.of("x", 3, "y", 5);

        assertThat(RangeAssignor.assign(forward, counts)).isEqualTo(RangeAssignor.assign(backward, counts));
    }

    @Test
    void splitsEachTopicOnlyAmongItsOwnSubscribers() {
        Map<String, List<TopicPartition>> assignment = RangeAssignor.assign(
                Map.of("a", List.of("clicks", "orders"), "b", List.of("orders"), "c", List.of("clicks")),
                Map.of("clicks", 2, "orders", 4));

        assertThat(assignment.get("a")).containsExactly(tp("clicks", 0), tp("orders", 0), tp("orders", 1));
        assertThat(assignment.get("b")).containsExactly(tp("orders", 2), tp("orders", 3));
        assertThat(assignment.get("c")).containsExactly(tp("clicks", 1));
    }

    @Test
    void leavesTheMembersBeyondThePartitionCountWithNothing() {
        Map<String, List<TopicPartition>> assignment = RangeAssignor.assign(
                Map.of("a", List.of("t"), "b", List.of("t"), "c", List.of("t"), "d", List.of("t")),
                Map.of("t", 2));

        assertThat(assignment.get("a")).containsExactly(tp("t", 0));
        assertThat(assignment.get("b")).containsExactly(tp("t", 1));
        assertThat(assignment.get("c")).isEmpty();
        assertThat(assignment.get("d")).isEmpty();
    }

    @Test
    void assignsEveryPartitionExactlyOnce() {
        Map<String, List<String>> subscriptions = new LinkedHashMap<>();
        for (int m = 0; m < 5; m++) {
            subscriptions.put("member-" + m, List.of("a", "b"));
        }
        Map<String, List<TopicPartition>> assignment = RangeAssignor.assign(subscriptions, Map.of("a", 13, "b", 2));

        List<TopicPartition> all = new ArrayList<>();
        assignment.values().forEach(all::addAll);
        assertThat(all).doesNotHaveDuplicates().hasSize(15);
        assertThat(assignment.values()).allSatisfy(ps ->
                assertThat(ps.stream().filter(p -> p.topic().equals("a")).count()).isBetween(2L, 3L));
    }

    @Test
    void assignsNothingForATopicThatDoesNotExist() {
        Map<String, List<TopicPartition>> assignment = RangeAssignor.assign(Map.of("a", List.of("gone")), Map.of());

        assertThat(assignment).containsOnlyKeys("a");
        assertThat(assignment.get("a")).isEmpty();
    }
}
