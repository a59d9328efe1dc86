package io.tributary.ingest.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.tributary.ingest.log.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Randomized fault test (issue 11, "what must be shown"): three ingest nodes as three JVMs on
 * 127.0.0.1 ({@link ProcessCluster}), a topic with 3 partitions and replication factor 3, writers
 * producing with {@code acks=all} through random nodes, a consumer group reading and committing
 * through random nodes, and a nemesis that, round after round, hits one random node with a random
 * {@link Fault}: SIGKILL and restart, SIGSTOP then SIGCONT, SIGTERM and restart, and once per run
 * (the middle round) a lost disk: SIGKILL, data folder deleted, and a new node under a new id added,
 * given every replica of the lost one and the lost one removed, all through the membership API (the
 * new node then stands in for it in every later round and check). At most one node is down at a time, and the cluster must be healthy again (every node up, every partition led,
 * three replicas in sync) before the next round. The nodes balance preferred leaders every 5 s, so leads also move
 * back and forth by leadership transfers under the load.
 *
 * <p>Every record carries a unique id (its value, {@code w<writer>-<sequence>}). Each writer has an
 * idempotent producer id and retries an unacknowledged request, unchanged (same partition, same
 * sequences), through random nodes until it is acknowledged, so a retry is deduplicated by the log;
 * one attempt in four waits only 0.3-2.3 s for its answer, so that some retries follow a write that
 * was committed after all.
 * At the end, with every node up and nothing written any more:
 * <ul>
 *   <li>every acknowledged record is on every replica exactly once, at the partition and offset it
 *       was acknowledged with; no record is there that was never sent; a writer's records are in
 *       its order;</li>
 *   <li>the three replicas hold the same records in the same order, and, once stopped, the same
 *       batches byte for byte (CRC and bytes, read from their data folders);</li>
 *   <li>the group consumer saw every acknowledged record (at least once), saw each at the offset
 *       the log holds it at (nothing it read vanished later), and the group's committed offsets are
 *       the log ends through every node.</li>
 * </ul>
 *
 * <p>Schedule: {@code -Dnemesis.rounds} (default 3, for CI), {@code -Dnemesis.seed} (default: from
 * the clock; printed, and part of every failure message, so a failing schedule can be replayed:
 * the seed fixes the choices of node, fault, pause and downtime lengths and batch shapes, not the
 * timing), {@code -Dnemesis.writers} (default 2), {@code -Dnemesis.fetchWrites} (default true: partitions
 * written the Kafka way, {@code ingest.replication.fetch-writes}; false: a Raft entry per batch). {@code bench/run-nemesis.sh --rounds N} runs the
 * long schedule. Child logs and a summary ({@code summary-<seed>.txt}, copied to
 * {@code last-summary.txt}) go to {@code target/replication-nemesis/}.
 */
class ReplicationNemesisTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TOPIC = "nemesis";
    private static final int PARTITIONS = 3;
    private static final int NODES = 3;
    private static final String GROUP = "nemesis-readers";
    private static final String LOG_FOLDER = "replication-nemesis";
    /** Bound of every wait: for a node to come back, the cluster to be healthy, the writers to progress. */
    private static final Duration WAIT = Duration.ofSeconds(120);
    /** Client-side bound of one HTTP request (a paused node never answers). */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    /** Acknowledged records the writers must add after each round before the next fault. */
    private static final int PROGRESS_PER_ROUND = 40;

    /**
     * The faults the nemesis injects. KILL, PAUSE and TERMINATE are drawn at random and leave the
     * node running again; REPLACE comes once per run, in the middle round (see {@link #replace}).
     */
    enum Fault {
        /** SIGKILL, a few seconds down, restart on the same data folder. */
        KILL {
            @Override
            void inject(ProcessCluster cluster, int node, Random random) throws Exception {
                cluster.kill(node);
                Thread.sleep(1_000 + random.nextInt(3_000));
                cluster.start(node);
                cluster.awaitHealthy(node);
            }
        },
        /** SIGSTOP for 2-6 s (the node is frozen, its sockets stay open), then SIGCONT. */
        PAUSE {
            @Override
            void inject(ProcessCluster cluster, int node, Random random) throws Exception {
                cluster.pause(node);
                Thread.sleep(2_000 + random.nextInt(4_000));
                cluster.resume(node);
            }
        },
        /** SIGTERM (a clean stop), a few seconds down, restart on the same data folder. */
        TERMINATE {
            @Override
            void inject(ProcessCluster cluster, int node, Random random) throws Exception {
                cluster.terminate(node);
                Thread.sleep(1_000 + random.nextInt(3_000));
                cluster.start(node);
                cluster.awaitHealthy(node);
            }
        },

        /**
         * SIGKILL, the data folder deleted (a lost disk), and a new empty node with a new id brought in
         * through the membership API in its place: add it, move every replica of the lost node to it,
         * remove the lost node. Run by the test itself, which keeps the list of members.
         */
        REPLACE {
            @Override
            void inject(ProcessCluster cluster, int node, Random random) {
                throw new UnsupportedOperationException("the test replaces nodes itself (replace)");
            }
        };

        /** The faults drawn at random. */
        static final Fault[] RANDOM = {KILL, PAUSE, TERMINATE};

        abstract void inject(ProcessCluster cluster, int node, Random random) throws Exception;
    }

    /** Where a record landed. */
    record Position(int partition, long offset) {
    }

    /** A record the group consumer was given. */
    record Consumed(int partition, long offset, String id) {
    }

    @TempDir
    Path dataRoot;

    private ProcessCluster cluster;
    /** The members now, in the order they took their place (a replacement takes the lost node's). */
    private final List<Integer> members = new CopyOnWriteArrayList<>(java.util.stream.IntStream
            .rangeClosed(1, NODES).boxed().toList());
    /** The id the next replacement node gets. */
    private int nextSpare = NODES + 1;
    private final int rounds = Integer.getInteger("nemesis.rounds", 3);
    private final long seed = Long.getLong("nemesis.seed", System.nanoTime());
    private final int writers = Integer.getInteger("nemesis.writers", 2);
    /**
     * Partitions written the Kafka way (ingest.replication.fetch-writes) instead of a Raft entry per batch.
     * On by default, as in the service: CI runs the default write path; bench/run-nemesis.sh --raft-entries
     * runs the other.
     */
    private final boolean fetchWrites = Boolean.parseBoolean(System.getProperty("nemesis.fetchWrites", "true"));

    /** Every id a writer sent at least once (acknowledged or not). */
    private final Set<String> sent = ConcurrentHashMap.newKeySet();
    /** Acknowledged ids and where the acknowledgement said they landed. */
    private final Map<String, Position> acked = new ConcurrentHashMap<>();
    /** Ids a writer gave up on at the end (never acknowledged): each may be stored at most once. */
    private final Set<String> unresolved = ConcurrentHashMap.newKeySet();
    private final AtomicInteger produceRequests = new AtomicInteger();
    private final AtomicInteger produceRetries = new AtomicInteger();
    /** Batches acknowledged only after an earlier attempt failed (the attempt may have been written: dedup). */
    private final AtomicInteger ackedAfterRetry = new AtomicInteger();
    private final AtomicBoolean stopWriters = new AtomicBoolean();
    private final AtomicBoolean stopConsumer = new AtomicBoolean();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();

    /** Owned by the consumer thread until it is joined. */
    private final List<Consumed> consumed = new ArrayList<>();
    /** Offsets whose commit was answered 204, per partition (read by the test thread). */
    private final Map<Integer, Long> committedByConsumer = new ConcurrentHashMap<>();
    private final AtomicInteger consumerJoins = new AtomicInteger();
    private final AtomicInteger consumerRetries = new AtomicInteger();

    private final Map<Fault, Integer> faults = new EnumMap<>(Fault.class);
    private final List<String> checksPassed = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        stopWriters.set(true);
        stopConsumer.set(true);
        for (Thread t : threads) {
            t.interrupt();
            t.join(10_000);
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void acknowledgedRecordsSurviveRandomKillsPausesAndRestartsIdenticalOnEveryReplica() throws Exception {
        System.out.printf("[nemesis] seed=%d rounds=%d writers=%d fetch-writes=%b (replay: -Dnemesis.seed=%d "
                + "-Dnemesis.rounds=%d -Dnemesis.fetchWrites=%b)%n", seed, rounds, writers, fetchWrites, seed, rounds,
                fetchWrites);
        assertThat(rounds).as("nemesis.rounds").isNotNegative();
        assertThat(writers).as("nemesis.writers").isPositive();
        long started = System.nanoTime();
        try {
            run(started);
        } catch (AssertionError | RuntimeException e) {
            try {
                writeSummary("FAILED: " + e.getMessage(), Duration.ofNanos(System.nanoTime() - started), null, -1);
            } catch (IOException | RuntimeException summaryFailed) {
                e.addSuppressed(summaryFailed);
            }
            throw new AssertionError("nemesis seed=" + seed + " rounds=" + rounds + " (replay with -Dnemesis.seed="
                    + seed + "; child logs in " + Path.of("target", LOG_FOLDER).toAbsolutePath() + "): "
                    + e.getMessage(), e);
        }
    }

    private void run(long started) throws Exception {
        cluster = new ProcessCluster(dataRoot, LOG_FOLDER, NODES, rounds > 0 ? 1 : 0,
                // Small Raft segments and a short purge gap: leaders purge their Raft logs during the
                // test, so a node that comes back may have to copy the partition instead of replaying.
                "--ingest.replication.raft-segment-size=16KB",
                "--ingest.replication.purge-gap=10",
                // Preferred-leader balancing every few seconds: nodes back from a fault take their leads
                // back while the writers write and the nemesis strikes again.
                "--ingest.replication.leader-rebalance-interval=5s",
                "--ingest.replication.fetch-writes=" + fetchWrites).startAll();
        createTopic();

        Random master = new Random(seed);
        for (int w = 1; w <= writers; w++) {
            int index = w;
            Random random = new Random(master.nextLong());
            start("nemesis-writer-" + w, () -> write(index, random));
        }
        Random consumerRandom = new Random(master.nextLong());
        start("nemesis-consumer", () -> consume(consumerRandom));
        Random nemesis = new Random(master.nextLong());

        awaitProgress(0, "before the first round");
        int replaceRound = (rounds + 1) / 2;
        for (int round = 1; round <= rounds; round++) {
            int node = anyNode(nemesis);
            Fault fault = round == replaceRound ? Fault.REPLACE : Fault.RANDOM[nemesis.nextInt(Fault.RANDOM.length)];
            int ackedBefore = acked.size();
            System.out.printf("[nemesis] round %d/%d: %s node %d (%d records acknowledged so far)%n", round, rounds,
                    fault, node, ackedBefore);
            if (fault == Fault.REPLACE) {
                replace(node, nemesis);
            } else {
                fault.inject(cluster, node, nemesis);
            }
            faults.merge(fault, 1, Integer::sum);
            awaitClusterHealthy("after round " + round + " (" + fault + " node " + node + ")");
            awaitProgress(acked.size(), "after round " + round + " (" + fault + " node " + node + ")");
            System.out.printf("[nemesis] round %d/%d done: cluster healthy, %d records acknowledged%n", round, rounds,
                    acked.size());
        }

        stopWriters.set(true);
        for (Thread t : threads.subList(0, writers)) {
            t.join(WAIT.toMillis());
            assertThat(t.isAlive()).as("%s still running", t.getName()).isFalse();
        }
        throwFirstError();
        Map<Integer, Long> ends = awaitEqualLogEnds();
        await("the consumer commits every partition's log end " + ends, () -> {
            throwFirstError();
            return ends.entrySet().stream()
                    .allMatch(e -> committedByConsumer.getOrDefault(e.getKey(), 0L) >= e.getValue());
        });
        stopConsumer.set(true);
        threads.get(writers).join(WAIT.toMillis());
        assertThat(threads.get(writers).isAlive()).as("consumer still running").isFalse();
        throwFirstError();

        checkReplicas(ends);
        checkGroupOffsets(ends);
        int batches = checkBatchesOnDisk();
        writeSummary("PASSED", Duration.ofNanos(System.nanoTime() - started), ends, batches);
    }

    // ---------------------------------------------------------------- writers

    /** Produces batches of 1-4 new ids to random partitions through random nodes, each retried until acknowledged. */
    private void write(int index, Random random) throws Exception {
        JsonNode identity = sendUntil(random, node -> cluster.post(node, "/api/v1/producers", "{}", REQUEST_TIMEOUT),
                200, "producer id");
        long producerId = identity.get("producerId").asLong();
        int epoch = identity.get("producerEpoch").asInt();
        long sequence = 0;
        while (!stopWriters.get()) {
            int partition = random.nextInt(PARTITIONS);
            List<String> ids = new ArrayList<>();
            StringBuilder body = new StringBuilder("{\"acks\":\"all\",\"producerId\":").append(producerId)
                    .append(",\"producerEpoch\":").append(epoch).append(",\"baseSequence\":").append(sequence)
                    .append(",\"records\":[");
            int count = 1 + random.nextInt(4);
            for (int i = 0; i < count; i++) {
                String id = "w" + index + "-" + (sequence + i);
                ids.add(id);
                body.append(i == 0 ? "" : ",").append("{\"value\":\"").append(id).append("\",\"partition\":")
                        .append(partition).append('}');
            }
            body.append("]}");
            sent.addAll(ids);
            JsonNode offsets = sendProduce(random, body.toString());
            if (offsets == null) {
                unresolved.addAll(ids);
                return;
            }
            for (int i = 0; i < count; i++) {
                JsonNode o = offsets.get(i);
                assertThat(o.get("partition").asInt()).as("partition of %s", ids.get(i)).isEqualTo(partition);
                acked.put(ids.get(i), new Position(partition, o.get("offset").asLong()));
            }
            sequence += count;
        }
    }

    /**
     * Sends one produce request through random nodes until it is acknowledged; a 503 or an I/O
     * error (refused connection, timeout of a paused node) is retried. Once the writers are told
     * to stop, gives up after {@link #WAIT} and answers null.
     */
    private JsonNode sendProduce(Random random, String body) throws Exception {
        long giveUpAt = Long.MAX_VALUE;
        boolean retried = false;
        while (true) {
            if (stopWriters.get() && giveUpAt == Long.MAX_VALUE) {
                giveUpAt = System.nanoTime() + WAIT.toNanos();
            }
            if (System.nanoTime() > giveUpAt) {
                return null;
            }
            int node = anyNode(random);
            produceRequests.incrementAndGet();
            try {
                // Now and then the writer gives up early, while the write may still be committed:
                // the retry then has to be recognised as one.
                Duration timeout = random.nextInt(4) == 0 ? Duration.ofMillis(300 + random.nextInt(2_000))
                        : REQUEST_TIMEOUT;
                HttpResponse<String> r = cluster.post(node, "/api/v1/topics/" + TOPIC + "/records", body, timeout);
                if (r.statusCode() == 200) {
                    if (retried) {
                        ackedAfterRetry.incrementAndGet();
                    }
                    return JSON.readTree(r.body()).get("offsets");
                }
                if (r.statusCode() != 503) {
                    throw new AssertionError("produce through node " + node + " answered " + r.statusCode() + " "
                            + r.body() + " for " + body);
                }
            } catch (IOException e) {
                // connection refused (node down) or no answer in time (node paused, or the writer's
                // short patience): retried
            }
            retried = true;
            produceRetries.incrementAndGet();
            Thread.sleep(100 + random.nextInt(200));
        }
    }

    // ---------------------------------------------------------------- consumer

    /**
     * One group member, joining, polling and committing through random nodes: a 404 (the member
     * is unknown, e.g. after a coordinator change) makes it join again, a 503, a 409 (generation
     * moved on) or an I/O error makes it retry. Each poll names the latest answer received
     * ({@code after}), so a poll whose answer was lost is simply sent again, through another node,
     * and gets that answer's records again. It commits the offset after the last record it was
     * given per partition, again until a commit of it is answered 204.
     */
    private void consume(Random random) throws Exception {
        String member = null;
        int generation = 0;
        long pollSeq = 0;
        Map<Integer, Long> position = new HashMap<>();
        String groupPath = "/api/v1/groups/" + GROUP;
        while (!stopConsumer.get()) {
            int node = anyNode(random);
            try {
                if (member == null) {
                    HttpResponse<String> r = cluster.post(node, groupPath + "/members", "{\"topics\":[\"" + TOPIC
                            + "\"],\"sessionTimeoutMs\":20000,\"autoOffsetReset\":\"earliest\"}", REQUEST_TIMEOUT);
                    if (r.statusCode() == 200) {
                        JsonNode body = JSON.readTree(r.body());
                        member = body.get("memberId").asString();
                        generation = body.get("generation").asInt();
                        pollSeq = 0;
                        consumerJoins.incrementAndGet();
                        continue;
                    }
                    expectRetriable("join through node " + node, r);
                } else {
                    // An I/O error (the answer may have been lost) is retried below with the same
                    // `after`: the coordinator then reads from where the lost answer started.
                    HttpResponse<String> r = cluster.get(node, groupPath + "/members/" + member
                            + "/records?maxRecords=500&maxWaitMs=300&after=" + pollSeq, REQUEST_TIMEOUT);
                    if (r.statusCode() == 200) {
                        JsonNode body = JSON.readTree(r.body());
                        generation = body.get("generation").asInt();
                        pollSeq = body.get("pollSeq").asLong();
                        for (JsonNode rec : body.get("records")) {
                            int p = rec.get("partition").asInt();
                            long offset = rec.get("offset").asLong();
                            consumed.add(new Consumed(p, offset, rec.get("value").asString()));
                            position.merge(p, offset + 1, Math::max);
                        }
                    } else if (r.statusCode() == 404) {
                        member = null;
                        continue;
                    } else {
                        expectRetriable("poll through node " + node, r);
                    }
                    if (!position.equals(committedByConsumer)) {
                        commit(random, groupPath, member, generation, position);
                    }
                    continue;
                }
            } catch (IOException e) {
                // node down or paused: retried through another
            }
            consumerRetries.incrementAndGet();
            Thread.sleep(100 + random.nextInt(200));
        }
    }

    private void commit(Random random, String groupPath, String member, int generation, Map<Integer, Long> position)
            throws IOException, InterruptedException {
        Map<Integer, Long> offsets = new HashMap<>(position);
        StringBuilder body = new StringBuilder("{\"memberId\":\"").append(member).append("\",\"generation\":")
                .append(generation).append(",\"offsets\":[");
        boolean first = true;
        for (Map.Entry<Integer, Long> e : offsets.entrySet()) {
            body.append(first ? "" : ",").append("{\"topic\":\"").append(TOPIC).append("\",\"partition\":")
                    .append(e.getKey()).append(",\"offset\":").append(e.getValue()).append('}');
            first = false;
        }
        int node = anyNode(random);
        HttpResponse<String> r = cluster.post(node, groupPath + "/offsets", body.append("]}").toString(),
                REQUEST_TIMEOUT);
        if (r.statusCode() == 204) {
            committedByConsumer.putAll(offsets);
        } else if (r.statusCode() != 404 && r.statusCode() != 409) {
            // 404 / 409: the member or its generation is gone; the next poll tells (and rejoins)
            expectRetriable("commit through node " + node, r);
            consumerRetries.incrementAndGet();
        }
    }

    private static void expectRetriable(String what, HttpResponse<String> r) {
        if (r.statusCode() != 503) {
            throw new AssertionError(what + " answered " + r.statusCode() + " " + r.body());
        }
    }

    // ---------------------------------------------------------------- cluster state

    private void createTopic() throws Exception {
        await("the topic is created", () -> {
            try {
                int status = cluster.post(1, "/api/v1/topics", "{\"name\":\"" + TOPIC + "\",\"partitions\":"
                        + PARTITIONS + ",\"replicationFactor\":3}", REQUEST_TIMEOUT).statusCode();
                return status == 201 || status == 409;
            } catch (IOException e) {
                return false;
            }
        });
        awaitClusterHealthy("after the topic was created");
    }

    /**
     * Every node up and answering its health check; every node sees the same leader for every
     * partition, and that leader has all three replicas in sync.
     */
    private void awaitClusterHealthy(String when) throws Exception {
        await("the cluster is healthy " + when, () -> {
            for (int node : members) {
                if (!cluster.isHealthy(node)) {
                    return false;
                }
            }
            int[] leaders = new int[PARTITIONS];
            for (int node : members) {
                JsonNode partitions = describe(node);
                if (partitions == null) {
                    return false;
                }
                for (JsonNode p : partitions) {
                    int partition = p.get("partition").asInt();
                    int leader = p.get("leader").asInt();
                    if (leader <= 0 || (leaders[partition] != 0 && leaders[partition] != leader)) {
                        return false;
                    }
                    leaders[partition] = leader;
                    if (leader == node && p.get("inSyncReplicas").size() != members.size()) {
                        return false;
                    }
                }
            }
            return true;
        });
    }

    /** The partition details node {@code node} describes, or null when it does not answer 200. */
    private JsonNode describe(int node) {
        try {
            HttpResponse<String> r = cluster.get(node, "/api/v1/topics/" + TOPIC, REQUEST_TIMEOUT);
            return r.statusCode() == 200 ? JSON.readTree(r.body()).get("partitionDetails") : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Waits until the writers have had {@link #PROGRESS_PER_ROUND} more records acknowledged than {@code from}. */
    private void awaitProgress(int from, String when) throws Exception {
        await("the writers make progress " + when + " (from " + from + " acknowledged records)", () -> {
            throwFirstError();
            return acked.size() >= from + PROGRESS_PER_ROUND;
        });
    }

    /** Once nothing is written any more: every partition's log end, equal on every node. */
    private Map<Integer, Long> awaitEqualLogEnds() throws Exception {
        Map<Integer, Long> ends = new HashMap<>();
        await("every node reports the same log ends", () -> {
            ends.clear();
            for (int node : members) {
                JsonNode partitions = describe(node);
                if (partitions == null) {
                    return false;
                }
                for (JsonNode p : partitions) {
                    long end = p.get("logEndOffset").asLong();
                    Long other = ends.putIfAbsent(p.get("partition").asInt(), end);
                    if (other != null && other != end) {
                        return false;
                    }
                }
            }
            return ends.size() == PARTITIONS;
        });
        long maxAcked = acked.values().stream().mapToLong(Position::offset).max().orElse(-1);
        System.out.printf("[nemesis] log ends %s (highest acknowledged offset %d)%n", ends, maxAcked);
        return ends;
    }

    // ---------------------------------------------------------------- final checks

    private void checkReplicas(Map<Integer, Long> ends) throws Exception {
        Map<Integer, List<String>> reference = null;
        for (int node : members) {
            Map<Integer, List<String>> logs = new HashMap<>();
            Map<String, Position> stored = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                List<String> ids = readPartition(node, p, ends.get(p));
                logs.put(p, ids);
                for (int offset = 0; offset < ids.size(); offset++) {
                    Position previous = stored.put(ids.get(offset), new Position(p, offset));
                    if (previous != null) {
                        fail("node %d stores %s twice: at %s and at %s", node, ids.get(offset), previous,
                                new Position(p, offset));
                    }
                }
            }
            List<String> misplaced = new ArrayList<>();
            acked.forEach((id, at) -> {
                if (!at.equals(stored.get(id))) {
                    misplaced.add(id + " acknowledged at " + at + ", stored at " + stored.get(id));
                }
            });
            assertNone("acknowledged records missing or moved on node " + node, misplaced);
            assertNone("records on node " + node + " that no writer sent",
                    stored.keySet().stream().filter(id -> !sent.contains(id)).sorted().toList());
            checkWriterOrder(node, logs);
            if (reference == null) {
                reference = logs;
            } else {
                for (int p = 0; p < PARTITIONS; p++) {
                    assertThat(logs.get(p)).as("partition %d on node %d vs node 1", p, node)
                            .isEqualTo(reference.get(p));
                }
            }
        }
        checksPassed.add("every acknowledged record exactly once at its acknowledged partition and offset, on each of "
                + NODES + " replicas (" + acked.size() + " records)");
        checksPassed.add("no stored record that was never sent; unacknowledged sends (" + unresolved.size()
                + ") at most once");
        checksPassed.add("each writer's records in its own order in every partition");
        checksPassed.add("the same records in the same order on every replica");

        Map<Integer, List<String>> log = reference;
        Set<String> seen = new HashSet<>();
        List<String> phantoms = new ArrayList<>();
        for (Consumed c : consumed) {
            seen.add(c.id());
            List<String> ids = log.get(c.partition());
            String there = c.offset() < ids.size() ? ids.get((int) c.offset()) : null;
            if (!c.id().equals(there)) {
                phantoms.add(c + " but the log holds " + there);
            }
        }
        assertNone("records the consumer got that the log does not hold there", phantoms);
        assertNone("acknowledged records the group consumer never got",
                acked.keySet().stream().filter(id -> !seen.contains(id)).sorted().toList());
        checksPassed.add("the group consumer got every acknowledged record (" + consumed.size() + " deliveries for "
                + seen.size() + " records), each at the offset the log holds it at");
    }

    /** Fails with the count and the first 20 problems, if there are any. */
    private static void assertNone(String what, List<String> problems) {
        if (!problems.isEmpty()) {
            fail("%s: %d, first ones: %s", what, problems.size(), problems.subList(0, Math.min(20, problems.size())));
        }
    }

    /** A writer sends its sequences in increasing order, one request at a time: they must be stored so. */
    private static void checkWriterOrder(int node, Map<Integer, List<String>> logs) {
        for (Map.Entry<Integer, List<String>> e : logs.entrySet()) {
            Map<String, Long> last = new HashMap<>();
            for (String id : e.getValue()) {
                int dash = id.indexOf('-');
                String writer = id.substring(0, dash);
                long sequence = Long.parseLong(id.substring(dash + 1));
                Long before = last.put(writer, sequence);
                if (before != null && before >= sequence) {
                    fail("node %d partition %d stores %s after %s-%d", node, e.getKey(), id, writer, before);
                }
            }
        }
    }

    /** The ids at offsets 0..end-1 of a partition, as node {@code node} serves them from its own replica. */
    private List<String> readPartition(int node, int partition, long end) throws Exception {
        List<String> ids = new ArrayList<>();
        while (ids.size() < end) {
            HttpResponse<String> r = cluster.get(node, "/api/v1/topics/" + TOPIC + "/partitions/" + partition
                    + "/records?offset=" + ids.size() + "&maxRecords=10000", REQUEST_TIMEOUT);
            assertThat(r.statusCode()).as("read of partition %d through node %d: %s", partition, node, r.body())
                    .isEqualTo(200);
            JsonNode records = JSON.readTree(r.body()).get("records");
            assertThat(records.isEmpty()).as("partition %d on node %d ends before %d", partition, node, end).isFalse();
            for (JsonNode rec : records) {
                assertThat(rec.get("offset").asLong()).as("offsets of partition %d on node %d", partition, node)
                        .isEqualTo(ids.size());
                ids.add(rec.get("value").asString());
            }
        }
        return ids;
    }

    /** The group's committed offsets, as every node describes them, are the log ends. */
    private void checkGroupOffsets(Map<Integer, Long> ends) throws Exception {
        for (int node : members) {
            int n = node;
            await("node " + n + " describes the group's committed offsets as the log ends", () -> {
                try {
                    HttpResponse<String> r = cluster.get(n, "/api/v1/groups/" + GROUP, REQUEST_TIMEOUT);
                    if (r.statusCode() != 200) {
                        return false;
                    }
                    Map<Integer, Long> committed = new HashMap<>();
                    for (JsonNode o : JSON.readTree(r.body()).get("offsets")) {
                        committed.put(o.get("partition").asInt(), o.get("committedOffset").asLong());
                    }
                    return committed.equals(ends);
                } catch (IOException e) {
                    return false;
                }
            });
        }
        checksPassed.add("the group's committed offsets are the log ends, through every node");
    }

    /** Stops every node cleanly and compares each partition's batches on disk; answers the batch count. */
    private int checkBatchesOnDisk() throws Exception {
        for (int node : members) {
            cluster.terminate(node);
        }
        int total = 0;
        int first = members.get(0);
        for (int p = 0; p < PARTITIONS; p++) {
            List<RecordBatch> reference = cluster.batchesOnDisk(first, TOPIC, p);
            assertThat(reference).as("partition %d on node %d", p, first).isNotEmpty();
            for (int node : members.subList(1, members.size())) {
                List<RecordBatch> batches = cluster.batchesOnDisk(node, TOPIC, p);
                assertThat(batches).as("partition %d batches on node %d vs node %d", p, node, first)
                        .hasSameSizeAs(reference);
                for (int i = 0; i < reference.size(); i++) {
                    assertThat(batches.get(i).storedCrc()).as("CRC of batch %d of partition %d on node %d", i, p, node)
                            .isEqualTo(reference.get(i).storedCrc());
                    assertThat(batches.get(i).copyBytes()).as("batch %d of partition %d on node %d", i, p, node)
                            .isEqualTo(reference.get(i).copyBytes());
                }
            }
            total += reference.size();
        }
        checksPassed.add("every partition's batches byte-identical (CRC and bytes) on disk on every replica ("
                + total + " batches)");
        return total;
    }

    /** Prints the summary and writes it to {@code target/replication-nemesis/}; {@code ends} is null after a failure. */
    private void writeSummary(String verdict, Duration took, Map<Integer, Long> ends, int batches) throws IOException {
        Map<String, Object> lines = new LinkedHashMap<>();
        lines.put("seed", seed);
        lines.put("rounds", rounds + " (faults injected: " + faults.values().stream().mapToInt(i -> i).sum() + ")");
        lines.put("faults", faults);
        lines.put("writers", writers);
        lines.put("acknowledged records", acked.size());
        lines.put("unacknowledged records (given up at the end)", unresolved.size());
        lines.put("produce requests / retried / batches acknowledged after a retry", produceRequests.get() + " / "
                + produceRetries.get() + " / " + ackedAfterRetry.get());
        lines.put("log ends per partition", ends);
        lines.put("batches per replica", batches);
        lines.put("consumer deliveries / joins / retries", consumed.size() + " / " + consumerJoins.get() + " / "
                + consumerRetries.get());
        lines.put("catch-ups by copy (\"copied N batches\" in the node logs)",
                linesInNodeLogs(".*copied \\d+ batches \\(\\d+ bytes\\) from node.*"));
        lines.put("uncommitted log ends dropped before a copy (\"dropping this log's batches\")",
                linesInNodeLogs(".*dropping this log's batches from .*"));
        lines.put("duration", took.toSeconds() + " s");
        StringBuilder out = new StringBuilder("nemesis: ").append(verdict).append('\n');
        lines.forEach((k, v) -> out.append(k).append(": ").append(v).append('\n'));
        out.append("checks passed (").append(checksPassed.size()).append("):\n");
        checksPassed.forEach(c -> out.append("  - ").append(c).append('\n'));
        System.out.print(out);
        Path folder = Path.of("target", LOG_FOLDER);
        Files.writeString(folder.resolve("summary-" + seed + ".txt"), out);
        Files.writeString(folder.resolve("last-summary.txt"), out);
    }

    /** How many lines of the nodes' logs match {@code regex} (e.g. how often a node caught up by copy). */
    private long linesInNodeLogs(String regex) throws IOException {
        long found = 0;
        if (cluster == null) {
            return 0;
        }
        for (int node = 1; node < nextSpare; node++) {
            if (!Files.exists(cluster.logFile(node))) {
                continue;
            }
            try (var lines = Files.lines(cluster.logFile(node))) {
                found += lines.filter(l -> l.matches(regex)).count();
            }
        }
        return found;
    }

    // ---------------------------------------------------------------- plumbing

    @FunctionalInterface
    private interface Call {
        HttpResponse<String> send(int node) throws IOException, InterruptedException;
    }

    @FunctionalInterface
    private interface Condition {
        boolean holds() throws Exception;
    }

    @FunctionalInterface
    private interface Task {
        void run() throws Exception;
    }

    /** Sends through random nodes until the answer has {@code status}, within {@link #WAIT}. */
    private JsonNode sendUntil(Random random, Call call, int status, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = call.send(anyNode(random));
                if (r.statusCode() == status) {
                    return JSON.readTree(r.body());
                }
                expectRetriable(what, r);
            } catch (IOException e) {
                // retried
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no " + what + " within " + WAIT);
    }

    private void start(String name, Task task) {
        Thread t = new Thread(() -> {
            try {
                task.run();
            } catch (InterruptedException e) {
                if (!stopWriters.get() || !stopConsumer.get()) {
                    errors.add(e);
                }
            } catch (Throwable e) {
                errors.add(new AssertionError(name + ": " + e.getMessage(), e));
            }
        }, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private void throwFirstError() {
        if (!errors.isEmpty()) {
            throw new AssertionError(errors.get(0).getMessage(), errors.get(0));
        }
    }

    /** Whether the node answers its health with the storage guard's refusal (component {@code storage} DOWN). */
    private boolean refusedAsWiped(int node) {
        try {
            HttpResponse<String> r = cluster.get(node, "/actuator/health", REQUEST_TIMEOUT);
            JsonNode storage = JSON.readTree(r.body()).path("components").path("storage");
            return r.statusCode() == 503 && "DOWN".equals(storage.path("status").asString())
                    && storage.path("details").path("refused").asString().contains("knows node " + node);
        } catch (IOException | RuntimeException e) {
            return false; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Polls {@code condition} every 250 ms for up to {@link #WAIT}; fails naming what did not happen. */
    private void await(String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after %s waiting until %s; nodes running: %s", WAIT, what, running());
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
    }

    private String running() {
        Map<Integer, Boolean> up = new java.util.TreeMap<>();
        for (int node : members) {
            up.put(node, cluster.isRunning(node));
        }
        return up.toString();
    }

    private int anyNode(Random random) {
        return members.get(random.nextInt(members.size()));
    }

    /**
     * {@link Fault#REPLACE}: SIGKILL the node, delete its data folder, start a new node under the
     * next id, and through a surviving member add it, move every replica of the lost node to it and
     * remove the lost node; the new node takes the lost one's place among the members.
     */
    private void replace(int lost, Random random) throws Exception {
        int fresh = nextSpare++;
        cluster.kill(lost);
        cluster.wipe(lost);
        // Started again empty under its old id, the lost node is refused (StorageGuard) and joins nothing.
        cluster.start(lost);
        await("node " + lost + " refuses to rejoin with an empty data folder", () -> refusedAsWiped(lost));
        cluster.kill(lost);
        cluster.start(fresh);
        await("new node " + fresh + " answers", () -> cluster.isAnswering(fresh));
        int via = members.stream().filter(n -> n != lost).findFirst().orElseThrow();
        adminUntil(() -> cluster.post(via, "/api/v1/cluster/nodes", cluster.nodeJson(fresh), REQUEST_TIMEOUT),
                201, 409, "add node " + fresh);
        adminUntil(() -> cluster.post(via, "/api/v1/cluster/nodes/" + lost + "/replace", "{\"by\":" + fresh + "}",
                REQUEST_TIMEOUT), 202, 202, "replace node " + lost + " by " + fresh);
        await("every replica of node " + lost + " moved to node " + fresh, () -> {
            HttpResponse<String> r = cluster.get(via, "/api/v1/cluster/reassignments", REQUEST_TIMEOUT);
            return r.statusCode() == 200 && JSON.readTree(r.body()).get("reassignments").isEmpty();
        });
        adminUntil(() -> cluster.delete(via, "/api/v1/cluster/nodes/" + lost, REQUEST_TIMEOUT), 204, 404,
                "remove node " + lost);
        members.set(members.indexOf(lost), fresh);
        cluster.awaitHealthy(fresh);
        checksPassed.add("node " + lost + " lost its disk, was refused when started empty under its old id, and was"
                + " replaced by node " + fresh + " through the membership API (add, replace, remove)");
    }

    /** Sends an admin call until it answers {@code ok} (or {@code alsoOk}, a repeat of one that went through). */
    private void adminUntil(Call0 call, int ok, int alsoOk, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        HttpResponse<String> last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = call.send();
                if (last.statusCode() == ok || last.statusCode() == alsoOk) {
                    return;
                }
                expectRetriable(what, last);
            } catch (IOException e) {
                // a timeout or a reset: sent again (each step can be repeated)
            }
            Thread.sleep(500);
        }
        throw new AssertionError(what + " did not succeed within " + WAIT + "; last answer "
                + (last == null ? "none" : last.statusCode() + " " + last.body()));
    }

    @FunctionalInterface
    private interface Call0 {
        HttpResponse<String> send() throws Exception;
    }
}
