package io.tributary.ingest.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.tributary.client.ConsumedRecord;
import io.tributary.client.IngestException;
import io.tributary.client.consumer.CommitFailedException;
import io.tributary.client.consumer.ConsumerSettings;
import io.tributary.client.consumer.GroupConsumer;
import io.tributary.client.consumer.RebalanceListener;
import io.tributary.ingest.replication.LoopbackCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ingest-client's {@link GroupConsumer} against a real 3-node cluster (three Spring contexts on
 * loopback), not stand-in servers: its bootstrap list names every node, with the node of the
 * group's coordinator first, so that stopping that node takes away both the coordinator and the
 * node the consumer talks to. The consumer must carry on through the survivors on its own (no
 * call of the test's beyond poll and commit), read every record, and commit through the new
 * coordinator: a member that joins afterwards starts where it stopped.
 */
class GroupConsumerFailoverClusterTest {

    private static final String TOPIC = "payments";
    private static final String GROUP = "ledger";
    private static final int PARTITIONS = 2;
    private static final int BEFORE_STOP = 200;
    private static final int AFTER_STOP = 100;
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path dataRoot;

    private static LoopbackCluster cluster;

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void consumerFollowsItsGroupToTheNewCoordinatorAndMissesNothing() throws Exception {
        cluster = new LoopbackCluster(dataRoot, 3).startAll();
        assertThat(cluster.createTopic(1, TOPIC, PARTITIONS, 3).statusCode()).isEqualTo(201);
        int coordinator = cluster.context(1).getBean(GroupPlacement.class).coordinator(GROUP);
        assertThat(coordinator).isBetween(1, 3);
        List<Integer> order = new ArrayList<>(List.of(coordinator));
        IntStream.rangeClosed(1, 3).filter(n -> n != coordinator).forEach(order::add);
        int survivor = order.get(1);
        String bootstrap = order.stream().map(cluster::baseUrl).collect(Collectors.joining(","));

        new GroupHttp(cluster.baseUrl(survivor)).produce(TOPIC, PARTITIONS, 0, BEFORE_STOP);
        Set<Integer> seen = new HashSet<>();
        try (GroupConsumer consumer = new GroupConsumer(settings(bootstrap), RebalanceListener.NONE)) {
            // About half of the records read and committed through the first coordinator.
            await().atMost(WAIT).until(() -> {
                readInto(consumer, seen);
                consumer.commitSync();
                return seen.size() >= BEFORE_STOP / 2;
            });
            assertThat(seen.size()).isLessThan(BEFORE_STOP);

            long stopped = System.nanoTime();
            cluster.stop(coordinator);
            await().atMost(WAIT).until(() -> {
                readInto(consumer, seen);
                commitQuietly(consumer);
                return seen.size() >= BEFORE_STOP;
            });
            System.out.printf("[group-consumer] coordinator node %d stopped; the consumer had every record after "
                    + "%d ms, through the survivors%n", coordinator, (System.nanoTime() - stopped) / 1_000_000);
            int newCoordinator = cluster.context(survivor).getBean(GroupPlacement.class).coordinator(GROUP);
            assertThat(newCoordinator).as("the group's new coordinator").isNotEqualTo(coordinator).isBetween(1, 3);

            new GroupHttp(cluster.baseUrl(survivor)).produce(TOPIC, PARTITIONS, BEFORE_STOP, BEFORE_STOP + AFTER_STOP);
            await().atMost(WAIT).until(() -> {
                readInto(consumer, seen);
                commitQuietly(consumer);
                return seen.size() >= BEFORE_STOP + AFTER_STOP;
            });
            // The last positions committed through the new coordinator (retried while it settles).
            await().atMost(WAIT).until(() -> commitQuietly(consumer));
        }
        assertThat(seen).as("every record read at least once, nothing else")
                .isEqualTo(IntStream.range(0, BEFORE_STOP + AFTER_STOP).boxed().collect(Collectors.toSet()));

        // A member joining now starts at the offsets committed through the new coordinator.
        String survivors = order.subList(1, 3).stream().map(cluster::baseUrl).collect(Collectors.joining(","));
        try (GroupConsumer next = new GroupConsumer(settings(survivors), RebalanceListener.NONE)) {
            List<ConsumedRecord> again = new ArrayList<>();
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < until || next.assignment().size() < PARTITIONS) {
                again.addAll(next.poll(Duration.ofMillis(300)));
                assertThat(System.nanoTime() - until).as("the new member was assigned both partitions")
                        .isLessThan(WAIT.toNanos());
            }
            assertThat(again).as("records read again by a member that joined after the last commit").isEmpty();
        }
    }

    /** The group tests' consumer settings, with a bootstrap list of nodes ({@code url,url,...}). */
    private static ConsumerSettings settings(String bootstrap) {
        return new GroupHttp(bootstrap).consumer(GROUP, TOPIC);
    }

    /**
     * One poll, as a consumer loop makes it: a retriable failure (the coordinator moving, a node
     * gone, outlasting this poll's own 200 ms of retries) is ridden out by polling again.
     */
    private static void readInto(GroupConsumer consumer, Set<Integer> seen) {
        List<ConsumedRecord> records;
        try {
            records = consumer.poll(Duration.ofMillis(200));
        } catch (IngestException e) {
            if (!e.retriable()) {
                throw e;
            }
            return;
        }
        for (ConsumedRecord r : records) {
            seen.add(r.value().get("i").asInt());
        }
    }

    /**
     * Commits; false when the commit was refused for a reason a consumer rides out (the group
     * rebalanced, or a retriable failure: its coordinator moving). Anything else fails the test.
     */
    private static boolean commitQuietly(GroupConsumer consumer) {
        try {
            consumer.commitSync();
            return true;
        } catch (CommitFailedException e) {
            return false;
        } catch (IngestException e) {
            if (e.retriable()) {
                return false;
            }
            throw e;
        }
    }
}
