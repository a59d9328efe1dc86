package io.tributary.ingest.group;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import io.tributary.ingest.topic.TopicPartition;

/**
 * Kafka's range assignor: each topic is split on its own among the members subscribed to it,
 * sorted by member id; every subscriber gets {@code partitions / subscribers} consecutive
 * partitions and the first {@code partitions % subscribers} get one more. The result depends
 * only on its inputs, so every replay of the same membership gives the same assignment.
 */
final class RangeAssignor {

    private RangeAssignor() {
    }

    /**
     * @param subscriptions   member id to the topics it subscribes to
     * @param partitionCounts partitions per existing topic; subscribed topics missing here get no partitions
     * @return every member id mapped to its partitions, sorted by topic and partition (empty when none)
     */
    static Map<String, List<TopicPartition>> assign(Map<String, ? extends Collection<String>> subscriptions,
                                                   Map<String, Integer> partitionCounts) {
        Map<String, List<TopicPartition>> result = new TreeMap<>();
        Map<String, Set<String>> subscribersByTopic = new TreeMap<>();
        subscriptions.forEach((member, topics) -> {
            result.put(member, new ArrayList<>());
            for (String topic : topics) {
                subscribersByTopic.computeIfAbsent(topic, t -> new TreeSet<>()).add(member);
            }
        });
        subscribersByTopic.forEach((topic, members) -> {
            Integer count = partitionCounts.get(topic);
            if (count == null || count <= 0) {
                return;
            }
            int perMember = count / members.size();
            int withExtra = count % members.size();
            int next = 0;
            int i = 0;
            for (String member : members) {
                int take = perMember + (i < withExtra ? 1 : 0);
                for (int p = next; p < next + take; p++) {
                    result.get(member).add(new TopicPartition(topic, p));
                }
                next += take;
                i++;
            }
        });
        result.replaceAll((member, partitions) -> partitions.stream().sorted().toList());
        return result;
    }
}
