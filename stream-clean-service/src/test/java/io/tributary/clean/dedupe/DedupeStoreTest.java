package io.tributary.clean.dedupe;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import io.tributary.clean.step.dedupe.KeyHash;
import io.tributary.clean.step.dedupe.KeyMemory;
import io.tributary.clean.step.dedupe.SeenKeys;
import io.tributary.client.ProducerIdentity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@SpringBootTest(properties = {"spring.datasource.url=jdbc:h2:mem:dedupe-store", "clean.runner.enabled=false"})
class DedupeStoreTest {

    private static final long WINDOW = 60_000;
    private static final int MAX_KEYS = 1_000;

    @Autowired
    DedupeStore store;

    /** Feeds keys at consecutive offsets from {@code offset}; returns the duplicate decisions. */
    private static List<Boolean> feed(KeyMemory memory, long offset, String... keys) {
        SeenKeys state = memory.state("/id");
        return java.util.stream.IntStream.range(0, keys.length).mapToObj(i -> state.duplicate(KeyHash.of(keys[i]),
                offset + i, 1_000L * (offset + i), WINDOW, MAX_KEYS)).toList();
    }

    private void save(DedupeClaim claim, long nextOffset) {
        SeenKeys state = claim.memory().state("/id");
        store.save(List.of(new DedupeSave(claim, nextOffset,
                Map.of("/id", new DedupeSave.StateChanges(state.drainChanges(), state.newestTimestamp())))));
    }

    @Test
    void shouldLoadExactlyWhatWasSavedWithTheOffsetItIsCompleteUpTo() {
        ProducerIdentity first = new ProducerIdentity(7, 1);
        DedupeClaim claim = store.claim("p1", "raw", 0, first, Set.of("/id"));
        assertThat(claim.nextOffset()).isEqualTo(-1);
        assertThat(feed(claim.memory(), 0, "a", "b", "a")).containsExactly(false, false, true);
        save(claim, 3);
        assertThat(feed(claim.memory(), 3, "c", "b")).containsExactly(false, true);
        save(claim, 5);

        DedupeClaim next = store.claim("p1", "raw", 0, new ProducerIdentity(7, 2), Set.of("/id"));
        assertThat(next.nextOffset()).isEqualTo(5);
        SeenKeys loaded = next.memory().state("/id");
        assertThat(loaded.snapshot()).isEqualTo(claim.memory().state("/id").snapshot());
        assertThat(loaded.newestTimestamp()).isEqualTo(4_000);
        assertThat(feed(next.memory(), 5, "a", "c", "d")).containsExactly(true, true, false);
        // Another partition, pipeline or source topic is a separate state.
        assertThat(store.claim("p1", "raw", 1, first, Set.of("/id")).memory().state("/id").size()).isZero();
        assertThat(store.claim("p1", "raw2", 0, first, Set.of("/id")).memory().state("/id").size()).isZero();
    }

    @Test
    void shouldRefuseASaveOrClaimOfAnOlderOwner() {
        DedupeClaim old = store.claim("p2", "raw", 0, new ProducerIdentity(9, 1), Set.of("/id"));
        feed(old.memory(), 0, "a");
        DedupeClaim newer = store.claim("p2", "raw", 0, new ProducerIdentity(9, 2), Set.of("/id"));
        assertThatThrownBy(() -> save(old, 1)).isInstanceOf(DedupeFencedException.class);
        assertThatThrownBy(() -> store.claim("p2", "raw", 0, new ProducerIdentity(9, 1), Set.of("/id")))
                .isInstanceOf(DedupeFencedException.class);
        assertThat(store.claim("p2", "raw", 0, new ProducerIdentity(9, 3), Set.of("/id")).nextOffset()).isEqualTo(-1);
        assertThat(newer.epoch()).isEqualTo(2);
    }

    /**
     * The source re-created: the new incarnation's producer (another id, epoch 0) claims the state
     * afresh. A save of the old incarnation's owner, whose epoch may well be 0 too, must be refused:
     * it would put the old topic's keys and next offset into the new one's state (records of the
     * new topic below that offset would be skipped).
     */
    @Test
    void shouldRefuseASaveOfAnotherProducerIdWithTheSameEpoch() {
        DedupeClaim old = store.claim("p5", "raw", 0, new ProducerIdentity(21, 0), Set.of("/id"));
        feed(old.memory(), 0, "a", "b");
        DedupeClaim fresh = store.claim("p5", "raw", 0, new ProducerIdentity(22, 0), Set.of("/id"));
        assertThat(fresh.nextOffset()).isEqualTo(-1);
        assertThatThrownBy(() -> save(old, 10)).isInstanceOf(DedupeFencedException.class);
        assertThat(store.claim("p5", "raw", 0, new ProducerIdentity(22, 1), Set.of("/id")).nextOffset())
                .isEqualTo(-1);
    }

    @Test
    void shouldStartAfreshForAnotherProducerIdOrARemovedState() {
        DedupeClaim claim = store.claim("p3", "raw", 0, new ProducerIdentity(11, 5), Set.of("/id"));
        feed(claim.memory(), 0, "a", "b");
        save(claim, 2);
        DedupeClaim renamed = store.claim("p3", "raw", 0, new ProducerIdentity(11, 6), Set.of("/other"));
        assertThat(renamed.nextOffset()).isEqualTo(2);
        assertThat(renamed.memory().states()).isEmpty();
        DedupeClaim back = store.claim("p3", "raw", 0, new ProducerIdentity(11, 7), Set.of("/id"));
        assertThat(back.memory().states()).as("the old state was dropped with the step").isEmpty();

        feed(back.memory(), 2, "c");
        save(back, 3);
        DedupeClaim reset = store.claim("p3", "raw", 0, new ProducerIdentity(12, 0), Set.of("/id"));
        assertThat(reset.nextOffset()).isEqualTo(-1);
        assertThat(reset.memory().states()).isEmpty();
    }
}
