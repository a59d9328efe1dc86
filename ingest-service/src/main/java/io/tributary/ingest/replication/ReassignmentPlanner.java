package io.tributary.ingest.replication;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import io.tributary.ingest.cluster.Reassignments;
import io.tributary.ingest.cluster.Reassignments.Move;

/**
 * Proposes replica lists that spread partitions evenly over a set of nodes, moving as few replicas as it can (what
 * Kafka's {@code kafka-reassign-partitions --generate} is for, after nodes are added or before some are removed). A
 * pure function of the current lists: nothing is started; the operator sends the proposal to
 * {@code POST /api/v1/cluster/reassignments}.
 *
 * <p>Three passes, each made of one move repeated: a replica on node {@code h} is replaced, at the same position of
 * the partition's list, by node {@code l} that holds no replica of that partition.
 * <ol>
 *   <li>Replicas on nodes that are not in the set move to the least loaded node of the set.</li>
 *   <li>Per topic, then over all topics: while the most loaded node holds two replicas more than the least loaded,
 *       one of its replicas moves there (per topic, ties between nodes go by their load over all topics). Each move
 *       takes one replica off a node above the even share and puts it on one below, so no move is wasted.</li>
 *   <li>Preferred leaders (the first replica): while a node is the first of two partitions more than another node
 *       that holds a replica of one of them, the two swap places in that partition's list (a new order of the same
 *       nodes only moves the lead, done at once when applied).</li>
 * </ol>
 * Everything is visited in topic name and partition order and ties go to the lower node id, so the same state gives
 * the same proposal.
 */
final class ReassignmentPlanner {

    /** A partition's current replicas, preferred leader first. */
    record Current(String topic, int partition, List<Integer> replicas) {
    }

    private final List<Integer> nodes;
    /** Every partition's list as the passes change it, in topic and partition order. */
    private final List<Current> partitions;
    private final List<List<Integer>> lists = new ArrayList<>();

    private ReassignmentPlanner(List<Integer> nodes, List<Current> partitions) {
        this.nodes = nodes.stream().sorted().toList();
        this.partitions = partitions.stream()
                .sorted(Comparator.comparing(Current::topic).thenComparingInt(Current::partition)).toList();
        this.partitions.forEach(c -> lists.add(new ArrayList<>(c.replicas())));
    }

    /**
     * {@link #plan} with the replicas and preferred leaders per node before and after it, as the API answers it.
     *
     * @param skipped partitions left out of the plan (moving already), named in the answer
     * @throws IllegalArgumentException as {@link #plan}
     */
    static Reassignments.Plan proposal(List<Integer> nodes, List<Current> partitions, List<String> skipped) {
        List<Move> moves = plan(nodes, partitions);
        Map<String, List<Integer>> after = new HashMap<>();
        moves.forEach(m -> after.put(m.topic() + "\u0000" + m.partition(), m.replicas()));
        Map<Integer, Integer> replicasBefore = zeroes(nodes);
        Map<Integer, Integer> replicasAfter = zeroes(nodes);
        Map<Integer, Integer> leadersBefore = zeroes(nodes);
        Map<Integer, Integer> leadersAfter = zeroes(nodes);
        for (Current c : partitions) {
            List<Integer> then = after.getOrDefault(c.topic() + "\u0000" + c.partition(), c.replicas());
            c.replicas().forEach(n -> replicasBefore.merge(n, 1, Integer::sum)); // nodes left out too
            then.forEach(n -> replicasAfter.merge(n, 1, Integer::sum));
            leadersBefore.merge(c.replicas().get(0), 1, Integer::sum);
            leadersAfter.merge(then.get(0), 1, Integer::sum);
        }
        return new Reassignments.Plan(nodes.stream().sorted().toList(), moves, replicasBefore, replicasAfter,
                leadersBefore, leadersAfter, List.copyOf(skipped));
    }

    private static Map<Integer, Integer> zeroes(List<Integer> nodes) {
        Map<Integer, Integer> out = new TreeMap<>();
        nodes.forEach(n -> out.put(n, 0));
        return out;
    }

    /**
     * The moves that spread {@code partitions} over {@code nodes}: one per partition whose list changes (its new list,
     * preferred leader first), in topic and partition order; empty when they are spread already.
     *
     * @throws IllegalArgumentException no nodes, or a partition with more replicas than there are nodes
     */
    static List<Move> plan(List<Integer> nodes, List<Current> partitions) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("name at least one node to spread the partitions over");
        }
        for (Current c : partitions) {
            if (c.replicas().size() > nodes.size()) {
                throw new IllegalArgumentException(c.topic() + "-" + c.partition() + " has " + c.replicas().size()
                        + " replicas, more than the " + nodes.size() + " nodes named");
            }
        }
        ReassignmentPlanner planner = new ReassignmentPlanner(nodes, partitions);
        planner.evacuate();
        Map<String, List<Integer>> byTopic = new TreeMap<>();
        for (int i = 0; i < planner.partitions.size(); i++) {
            byTopic.computeIfAbsent(planner.partitions.get(i).topic(), t -> new ArrayList<>()).add(i);
        }
        byTopic.values().forEach(planner::spread);
        planner.spread(java.util.stream.IntStream.range(0, planner.partitions.size()).boxed().toList());
        planner.spreadLeaders();
        List<Move> moves = new ArrayList<>();
        for (int i = 0; i < planner.partitions.size(); i++) {
            Current c = planner.partitions.get(i);
            if (!planner.lists.get(i).equals(c.replicas())) {
                moves.add(new Move(c.topic(), c.partition(), List.copyOf(planner.lists.get(i))));
            }
        }
        return moves;
    }

    /** Pass 1: every replica on a node outside the set moves to the least loaded node of the set. */
    private void evacuate() {
        for (List<Integer> list : lists) {
            for (int pos = 0; pos < list.size(); pos++) {
                if (!nodes.contains(list.get(pos))) {
                    Map<Integer, Integer> load = load(allPartitions(), l -> l);
                    int to = least(load, load, list);
                    list.set(pos, to);
                }
            }
        }
    }

    /** Pass 2 over the partitions at {@code indexes}: even replica counts, ties broken by the load over all. */
    private void spread(List<Integer> indexes) {
        while (true) {
            Map<Integer, Integer> load = load(indexes, l -> l);
            Map<Integer, Integer> overall = load(allPartitions(), l -> l);
            int high = most(load, overall);
            int low = least(load, overall, List.of());
            if (load.get(high) - load.get(low) < 2) {
                return;
            }
            // a partition on the high node without the low one exists, since high holds more than low
            for (int i : indexes) {
                List<Integer> list = lists.get(i);
                if (list.contains(high) && !list.contains(low)) {
                    list.set(list.indexOf(high), low);
                    break;
                }
            }
        }
    }

    /** Pass 3: even counts of preferred leaders, by swapping positions within a partition's list. */
    private void spreadLeaders() {
        // each swap lowers the sum of squared lead counts, so this ends; the bound is a guard only
        for (int round = 0; round < lists.size() * nodes.size() && swapOneLead(); round++) {
            // swapped one
        }
    }

    /**
     * Swaps the first replica of one partition with another of its replicas that is the first of at least two
     * partitions fewer (the node leading most is tried first); false when there is no such pair.
     */
    private boolean swapOneLead() {
        Map<Integer, Integer> leads = load(allPartitions(), l -> l.subList(0, 1));
        List<Integer> byLeads = nodes.stream().sorted(Comparator.comparing((Integer n) -> -leads.get(n))
                .thenComparing(Comparator.<Integer>naturalOrder())).toList();
        for (int high : byLeads) {
            for (List<Integer> list : lists) {
                if (list.get(0) != high) {
                    continue;
                }
                for (int pos = 1; pos < list.size(); pos++) {
                    if (leads.get(high) - leads.get(list.get(pos)) >= 2) {
                        Collections.swap(list, 0, pos);
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private List<Integer> allPartitions() {
        return java.util.stream.IntStream.range(0, lists.size()).boxed().toList();
    }

    /** Per node of the set: how many of the counted positions ({@code which} of each list) it holds. */
    private Map<Integer, Integer> load(List<Integer> indexes, Function<List<Integer>, List<Integer>> which) {
        Map<Integer, Integer> load = new LinkedHashMap<>();
        nodes.forEach(n -> load.put(n, 0));
        for (int i : indexes) {
            for (int n : which.apply(lists.get(i))) {
                load.computeIfPresent(n, (k, v) -> v + 1);
            }
        }
        return load;
    }

    /** The node with the highest {@code load}, then the highest {@code overall}, then the lowest id. */
    private int most(Map<Integer, Integer> load, Map<Integer, Integer> overall) {
        return nodes.stream().min(Comparator.comparing((Integer n) -> -load.get(n))
                .thenComparing(n -> -overall.get(n)).thenComparing(Comparator.naturalOrder())).orElseThrow();
    }

    /** The node with the lowest {@code load}, then the lowest {@code overall}, then the lowest id, not in {@code except}. */
    private int least(Map<Integer, Integer> load, Map<Integer, Integer> overall, List<Integer> except) {
        Map<Integer, Integer> candidates = new HashMap<>(load);
        except.forEach(candidates::remove);
        return candidates.keySet().stream().min(Comparator.comparing((Integer n) -> load.get(n))
                .thenComparing(overall::get).thenComparing(Comparator.naturalOrder())).orElseThrow();
    }
}
