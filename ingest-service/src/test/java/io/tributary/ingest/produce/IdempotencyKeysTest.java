package io.tributary.ingest.produce;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Idempotency-Key memory is bounded: key length, age, entry count; and namespaced by principal. */
class IdempotencyKeysTest {

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final AtomicInteger writes = new AtomicInteger();

    private IdempotencyKeys keys(int maxEntries) {
        return new IdempotencyKeys(Duration.ofMinutes(10), maxEntries, 128, clock::get);
    }

    private ProduceResponse produce(IdempotencyKeys keys, String principal, String key, long fingerprint) {
        return keys.once(principal, "t", key, fingerprint, () -> {
            int n = writes.incrementAndGet();
            return new ProduceResponse(List.of(new ProduceResponse.RecordOffset(0, n, 0)));
        });
    }

    @Test
    void theSameKeyOfTwoPrincipalsDoesNotCollide() {
        IdempotencyKeys keys = keys(100);
        ProduceResponse alice = produce(keys, "User:alice", "order-1", 1);
        // Another principal's identical key with another body is its own request, not a reuse.
        ProduceResponse bob = produce(keys, "User:bob", "order-1", 2);
        assertThat(writes).hasValue(2);
        assertThat(bob).isNotEqualTo(alice);
        // Each principal's retry still gets its own original answer.
        assertThat(produce(keys, "User:alice", "order-1", 1)).isEqualTo(alice);
        assertThat(produce(keys, "User:bob", "order-1", 2)).isEqualTo(bob);
        assertThat(writes).hasValue(2);
    }

    @Test
    void whenFullTheOldestKeyIsEvictedFirst() {
        IdempotencyKeys keys = keys(3);
        // Many names, so that hash order cannot happen to match age order.
        List<String> names = java.util.stream.IntStream.range(0, 12).mapToObj(i -> "order-" + (i * 7919 % 1000)).toList();
        for (String name : names) {
            clock.addAndGet(1);
            produce(keys, "User:alice", name, 7);
        }
        assertThat(keys.size()).isEqualTo(3);
        int before = writes.get();
        for (String name : names.subList(9, 12)) {
            produce(keys, "User:alice", name, 7);
        }
        assertThat(writes.get()).as("the three newest keys are remembered").isEqualTo(before);
        produce(keys, "User:alice", names.get(8), 7);
        assertThat(writes.get()).as("older keys were evicted").isEqualTo(before + 1);
    }

    @Test
    void expiredKeysAreForgottenAndFreed() {
        IdempotencyKeys keys = keys(100);
        for (int i = 0; i < 50; i++) {
            produce(keys, "User:alice", "k" + i, 1);
        }
        clock.addAndGet(Duration.ofMinutes(10).toMillis() + 1);
        // Any use drops what has expired, not only the key used.
        produce(keys, "User:bob", "fresh", 1);
        assertThat(keys.size()).isEqualTo(1);
        int before = writes.get();
        produce(keys, "User:alice", "k0", 1);
        assertThat(writes.get()).as("an expired key no longer dedupes").isEqualTo(before + 1);
    }

    @Test
    void keysMustBeShortPrintableText() {
        IdempotencyKeys keys = keys(100);
        assertThatThrownBy(() -> produce(keys, "User:alice", "x".repeat(129), 1))
                .isInstanceOf(InvalidProduceRequestException.class).hasMessageContaining("128");
        assertThatThrownBy(() -> produce(keys, "User:alice", "a\u0001b", 1))
                .isInstanceOf(InvalidProduceRequestException.class);
        assertThat(writes).hasValue(0);
        produce(keys, "User:alice", "x".repeat(128), 1);
        assertThat(writes).hasValue(1);
    }
}
