package io.tributary.ingest.produce;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.tributary.ingest.config.IngestProperties;
import org.springframework.stereotype.Component;

/**
 * Remembers the answers to produce requests that carried an {@code Idempotency-Key} header,
 * for a configurable window. A retry with the same key and the same body gets the original
 * answer without writing again; a retry that arrives while the first attempt still runs waits
 * for it. Reusing a key with a different body is refused.
 *
 * <p>Keys live in memory: they protect against client retries (timeouts, dropped connections)
 * while the service runs. A producer that must be exactly-once across service restarts uses
 * producer ids and sequences, which the log itself makes durable.
 */
@Component
public class IdempotencyKeys {

    private record Entry(CompletableFuture<ProduceResponse> answer, long fingerprint, long createdMs) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final long windowMs;
    private final int maxEntries;

    public IdempotencyKeys(IngestProperties props) {
        this.windowMs = props.produce().idempotencyKeyWindow().toMillis();
        this.maxEntries = props.produce().idempotencyKeyMaxEntries();
    }

    /**
     * Runs {@code produce} once per (topic, key) within the window.
     *
     * @param fingerprint a checksum of the request body, to catch a key reused for other data
     */
    public ProduceResponse once(String topic, String key, long fingerprint, Supplier<ProduceResponse> produce) {
        long now = System.currentTimeMillis();
        String id = topic + '\u0000' + key;
        CompletableFuture<ProduceResponse> mine = new CompletableFuture<>();
        Entry fresh = new Entry(mine, fingerprint, now);
        Entry existing = entries.compute(id, (k, old) -> old == null || now - old.createdMs > windowMs ? fresh : old);
        if (existing != fresh) {
            if (existing.fingerprint != fingerprint) {
                throw new IdempotencyKeyReusedException(key);
            }
            return existing.answer.join();
        }
        try {
            ProduceResponse response = produce.get();
            mine.complete(response);
            evictIfFull(now);
            return response;
        } catch (RuntimeException e) {
            // A failed attempt wrote nothing (produce is all-or-nothing), so a retry may run again.
            entries.remove(id, fresh);
            mine.completeExceptionally(e);
            throw e;
        }
    }

    private void evictIfFull(long now) {
        if (entries.size() <= maxEntries) {
            return;
        }
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (now - e.createdMs > windowMs || entries.size() > maxEntries) {
                it.remove();
            }
        }
    }

    /** Drops expired keys; called periodically. */
    public void expire() {
        long now = System.currentTimeMillis();
        entries.values().removeIf(e -> e.answer.isDone() && now - e.createdMs > windowMs);
    }

    int size() {
        return entries.size();
    }
}
