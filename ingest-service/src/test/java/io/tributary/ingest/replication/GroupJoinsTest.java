package io.tributary.ingest.replication;

import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.exceptions.AlreadyExistsException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A join that Ratis fails is tried again, with the left-over member closed first, until it
 * succeeds or the group is no longer placed here.
 */
class GroupJoinsTest {

    private static final RaftGroup GROUP = RaftGroup.valueOf(RaftGroupId.randomId());
    private final ExecutorService admin = Executors.newSingleThreadExecutor();

    /** Answers the adds in order from a script; records the order of adds and closes. */
    private static final class ScriptedServer implements GroupJoins.Server {
        final Deque<CompletableFuture<?>> answers = new ArrayDeque<>();
        final List<String> events = new ArrayList<>();
        final AtomicInteger adds = new AtomicInteger();
        volatile boolean leftoverExists;

        @Override
        public synchronized CompletableFuture<?> add(RaftGroup group) {
            adds.incrementAndGet();
            events.add("add");
            CompletableFuture<?> answer = answers.poll();
            return answer != null ? answer : CompletableFuture.completedFuture(null);
        }

        @Override
        public Closeable leftover(RaftGroupId gid) {
            if (!leftoverExists) {
                return null;
            }
            return () -> {
                synchronized (this) {
                    events.add("close");
                }
                leftoverExists = false;
            };
        }

        synchronized List<String> events() {
            return List.copyOf(events);
        }
    }

    @AfterEach
    void stop() throws InterruptedException {
        admin.shutdownNow();
        admin.awaitTermination(5, TimeUnit.SECONDS);
    }

    private static CompletableFuture<?> failedStart() {
        // What Ratis answers when the member's start tripped over a follower timer already running.
        return CompletableFuture.failedFuture(new CompletionException(new IllegalStateException("previous != null")));
    }

    private GroupJoins joins(ScriptedServer server, AtomicBoolean placed) {
        return new GroupJoins(server, gid -> placed.get(), gid -> "p-0", admin, Duration.ofMillis(20));
    }

    @Test
    void aFailedStartIsClosedAndTheJoinTriedAgainUntilItSucceeds() {
        ScriptedServer server = new ScriptedServer();
        server.answers.add(failedStart());
        server.answers.add(failedStart());
        server.leftoverExists = true;
        admin.execute(() -> joins(server, new AtomicBoolean(true)).join(GROUP));
        // Third add succeeds; every failed one had its left-over member closed before the next add.
        await().atMost(Duration.ofSeconds(10)).until(() -> server.adds.get() == 3);
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThat(server.events()).containsExactly("add", "close", "add", "add"));
    }

    @Test
    void aGroupNoLongerPlacedHereIsNotJoinedAgain() throws InterruptedException {
        ScriptedServer server = new ScriptedServer();
        server.answers.add(failedStart());
        AtomicBoolean placed = new AtomicBoolean(false); // e.g. the topic was deleted meanwhile
        admin.execute(() -> joins(server, placed).join(GROUP));
        Thread.sleep(300); // many pauses of 20 ms: a retry would have come
        assertThat(server.adds.get()).isEqualTo(1);
    }

    @Test
    void anExistingMemberIsNotJoinedAgain() throws InterruptedException {
        ScriptedServer server = new ScriptedServer();
        server.answers.add(CompletableFuture.failedFuture(new AlreadyExistsException("group exists")));
        server.leftoverExists = true; // never closed: the member is the registered one
        admin.execute(() -> joins(server, new AtomicBoolean(true)).join(GROUP));
        Thread.sleep(300);
        assertThat(server.events()).containsExactly("add");
    }

    @Test
    void pausesDoubleUpToTheLongest() {
        GroupJoins joins = new GroupJoins(new ScriptedServer(), gid -> true, gid -> "", admin, Duration.ofSeconds(1));
        assertThat(joins.pause(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(joins.pause(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(joins.pause(5)).isEqualTo(Duration.ofSeconds(16));
        assertThat(joins.pause(6)).isEqualTo(GroupJoins.LONGEST_PAUSE);
        assertThat(joins.pause(1000)).isEqualTo(GroupJoins.LONGEST_PAUSE);
    }
}
