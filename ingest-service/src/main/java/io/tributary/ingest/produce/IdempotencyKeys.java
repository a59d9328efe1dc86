package io.tributary.ingest.produce;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.ingest.config.IngestProperties;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Remembers the answers to produce requests that carried an {@code Idempotency-Key} header,
 * for a configurable window. A retry with the same key and the same body gets the original
 * answer without writing again; a retry that arrives while the first attempt still runs waits
 * for it. Reusing a key with a different body is refused.
 *
 * <p>Bounded (issue 10): a key is 1 to {@code ingest.produce.idempotency-key-max-length}
 * printable ASCII characters (else 400); keys are namespaced by the caller's principal and the
 * topic, so one client can neither collide with nor replay another's; entries are kept in age
 * order, every use drops the ones older than the window, and when more than
 * {@code idempotency-key-max-entries} remain the oldest go first. Gauge
 * {@code ingest.produce.idempotency.keys}.
 *
 * <p>Keys live in memory: they protect against client retries (timeouts, dropped connections)
 * while the service runs. A producer that must be exactly-once across service restarts uses
 * producer ids and sequences, which the log itself makes durable.
 *
 * <p>On a cluster this memory is only the node's fast path and its wait for an attempt in
 * flight: the key also travels with each batch as an {@link IdempotencyKey}, and the partitions'
 * replicated state answers a retry through any node, after a leader change or a restart
 * (docs/replication.md, "Idempotency-Key on a cluster").
 */
@Component
public class IdempotencyKeys {

    private record Entry(CompletableFuture<ProduceResponse> answer, long fingerprint, long createdMs) {
    }

    /** Insertion (= age) order; guarded by {@code this}. */
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
    private final long windowMs;
    private final int maxEntries;
    private final int maxKeyLength;
    private final LongSupplier clock;

    @Autowired
    public IdempotencyKeys(IngestProperties props, MeterRegistry meters) {
        this(props.produce().idempotencyKeyWindow(), props.produce().idempotencyKeyMaxEntries(),
                props.produce().idempotencyKeyMaxLength(), System::currentTimeMillis);
        Gauge.builder("ingest.produce.idempotency.keys", this, IdempotencyKeys::size)
                .description("Idempotency-Keys remembered (bounded by ingest.produce.idempotency-key-max-entries)")
                .register(meters);
    }

    IdempotencyKeys(Duration window, int maxEntries, int maxKeyLength, LongSupplier clock) {
        this.windowMs = window.toMillis();
        this.maxEntries = maxEntries;
        this.maxKeyLength = maxKeyLength;
        this.clock = clock;
    }

    /**
     * Runs {@code produce} once per (principal, topic, key) within the window.
     *
     * @param principal   the caller ({@code User:ANONYMOUS} when unauthenticated)
     * @param fingerprint a checksum of the request body, to catch a key reused for other data
     * @throws InvalidProduceRequestException when the key is empty, too long or not printable ASCII
     */
    public ProduceResponse once(String principal, String topic, String key, long fingerprint,
                                Supplier<ProduceResponse> produce) {
        return once(principal, topic, key, fingerprint, k -> produce.get());
    }

    /**
     * {@link #once(String, String, String, long, Supplier)}, handing {@code produce} the key as a
     * cluster's partitions remember it (same id, this node's window, bound and clock).
     */
    public ProduceResponse once(String principal, String topic, String key, long fingerprint,
                                Function<IdempotencyKey, ProduceResponse> produce) {
        checkKey(key);
        long now = clock.getAsLong();
        // Length-prefixed parts: no principal/topic/key combination can spell another's id.
        String id = principal.length() + ":" + principal + topic.length() + ":" + topic + key;
        IdempotencyKey replicated = new IdempotencyKey(id, fingerprint, now, windowMs, maxEntries);
        CompletableFuture<ProduceResponse> mine = new CompletableFuture<>();
        Entry fresh = new Entry(mine, fingerprint, now);
        Entry existing;
        synchronized (this) {
            expire(now);
            existing = entries.get(id);
            if (existing == null) {
                entries.put(id, fresh);
                // Oldest first: the head of the age-ordered map.
                for (Iterator<Entry> it = entries.values().iterator(); entries.size() > maxEntries && it.hasNext(); ) {
                    it.next();
                    it.remove();
                }
                existing = fresh;
            }
        }
        if (existing != fresh) {
            if (existing.fingerprint != fingerprint) {
                throw new IdempotencyKeyReusedException(key);
            }
            return existing.answer.join();
        }
        try {
            ProduceResponse response = produce.apply(replicated);
            mine.complete(response);
            return response;
        } catch (RuntimeException e) {
            // A failed attempt wrote nothing (produce is all-or-nothing), so a retry may run again.
            synchronized (this) {
                entries.remove(id, fresh);
            }
            mine.completeExceptionally(e);
            throw e;
        }
    }

    private void checkKey(String key) {
        if (key.isEmpty() || key.length() > maxKeyLength) {
            throw new InvalidProduceRequestException("Idempotency-Key must be 1 to " + maxKeyLength
                    + " characters (ingest.produce.idempotency-key-max-length), was " + key.length());
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new InvalidProduceRequestException("Idempotency-Key must be printable ASCII");
            }
        }
    }

    /** Drops the entries older than the window: a prefix of the age-ordered map. */
    private void expire(long now) {
        for (Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
            if (now - it.next().getValue().createdMs <= windowMs) {
                return;
            }
            it.remove();
        }
    }

    synchronized int size() {
        return entries.size();
    }
}
