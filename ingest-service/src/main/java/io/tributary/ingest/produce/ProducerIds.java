package io.tributary.ingest.produce;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.ingest.problem.ProblemException;
import io.tributary.problem.ProblemType;
import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.log.AtomicFiles;
import io.tributary.ingest.problem.InvalidRequestException;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Hands out idempotent producer identities and remembers them in {@code producer-ids.json}.
 *
 * <p>An anonymous producer gets a fresh id each time. A named producer (a stable name such as
 * a pipeline and source partition) gets the same id with the epoch bumped, which fences the
 * previous holder: the log refuses its batches from then on. The file is rewritten atomically
 * before an identity is handed out, so an id is never given twice, even across crashes.
 *
 * <p>On a cluster every node keeps this state, changed only by {@link #initAt} as the metadata
 * Raft group applies its {@code init-producer} entries, in the same order everywhere: every node
 * computes the same identities, and the identity the leader's apply computed is the answer. The
 * file also records the metadata log index of the last entry applied, so an entry applied again
 * after a restart (the metadata group replays its log) changes nothing.
 *
 * <p>Anonymous producers on a cluster are handed ids from blocks instead ({@code MetadataAdmin}): a block is the
 * {@value #BLOCK_SIZE} ids from {@link #blockStart} of the metadata log index of the {@code allocate-producer-ids}
 * entry that handed it out. Blocks live above {@link #BLOCK_BASE}, apart from the ids {@link #init} counts up from
 * 1, and two entries never share an index, so no id is handed out twice; ids of a block a node did not use up before
 * it stopped are never used.
 */
@Component
public class ProducerIds {

    /** An identity handed to a producer. */
    public record Identity(long producerId, short producerEpoch) {
    }

    /** @param appliedMetadataIndex cluster only: the metadata log index of the last {@code initAt} (0: none) */
    private record State(long nextId, Map<String, Identity> named, long appliedMetadataIndex) {
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path file;
    private long nextId;
    private final Map<String, Identity> named;
    /**
     * Derived from {@link #named}, never persisted: the name of each named producer's current id. Read on every
     * sequenced produce ({@link #nameOf}), so a lookup, not a scan, and without the lock.
     */
    private final Map<Long, String> nameById = new ConcurrentHashMap<>();
    private long appliedMetadataIndex;
    private final int maxNames;

    /** Ids per block handed to a node for anonymous producers (as Kafka's AllocateProducerIds). */
    public static final int BLOCK_SIZE = 1000;

    /** The first id of the lowest block: far above any count of {@link #init}s, below 2^53 (exact in JSON numbers). */
    public static final long BLOCK_BASE = 1L << 40;

    /** The first id of the block handed out by the {@code allocate-producer-ids} entry at {@code metadataIndex}. */
    public static long blockStart(long metadataIndex) {
        return BLOCK_BASE + metadataIndex * BLOCK_SIZE;
    }

    /** Longest producer name accepted. */
    public static final int MAX_NAME_LENGTH = 255;

    public ProducerIds(IngestProperties props, MeterRegistry meters) {
        this.maxNames = props.limits().maxProducerNames();
        Gauge.builder("ingest.producer.names", this, ProducerIds::nameCount)
                .description("named producer identities (bounded by ingest.limits.max-producer-names)").register(meters);
        this.file = props.dataDir().toAbsolutePath().resolve("producer-ids.json");
        try {
            Files.createDirectories(file.getParent());
            if (Files.exists(file)) {
                State state = JSON.readValue(Files.readAllBytes(file), State.class);
                this.nextId = state.nextId();
                this.named = new HashMap<>(state.named());
                this.appliedMetadataIndex = state.appliedMetadataIndex();
            } else {
                this.nextId = 1;
                this.named = new HashMap<>();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        named.forEach((name, identity) -> nameById.put(identity.producerId(), name));
    }

    /**
     * Refuses a client's init that would remember one name too many (checked before a cluster
     * proposes it, so that the replicated {@link #initAt} never refuses).
     *
     * @throws IllegalArgumentException a name longer than {@value #MAX_NAME_LENGTH}
     * @throws ProblemException LIMIT_REACHED: a new name beyond {@code ingest.limits.max-producer-names}
     */
    public synchronized void checkNameLimit(String name) {
        if (name == null || name.isBlank()) {
            return;
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new InvalidRequestException("a producer name is at most " + MAX_NAME_LENGTH + " characters");
        }
        if (!named.containsKey(name) && named.size() >= maxNames) {
            throw new ProblemException(ProblemType.LIMIT_REACHED, "the node remembers " + named.size()
                    + " producer names, the limit (ingest.limits.max-producer-names)",
                    java.util.Map.of("limit", "ingest.limits.max-producer-names"));
        }
    }

    /** {@link #init} for a client on a single node: the name limit and the init in one step. */
    public synchronized Identity initWithinLimit(String name) {
        checkNameLimit(name);
        return init(name);
    }

    synchronized int nameCount() {
        return named.size();
    }

    /** A new identity; with a name, the name's identity with the next epoch. */
    public synchronized Identity init(String name) {
        Identity identity;
        if (name == null || name.isBlank()) {
            identity = new Identity(nextId++, (short) 0);
        } else {
            Identity previous = named.get(name);
            if (previous == null) {
                identity = new Identity(nextId++, (short) 0);
            } else if (previous.producerEpoch() == Short.MAX_VALUE) {
                // Epochs are exhausted: move the name to a fresh id (its sequences start over).
                identity = new Identity(nextId++, (short) 0);
            } else {
                identity = new Identity(previous.producerId(), (short) (previous.producerEpoch() + 1));
            }
            if (previous != null && previous.producerId() != identity.producerId()) {
                nameById.remove(previous.producerId());
            }
            named.put(name, identity);
            nameById.put(identity.producerId(), name);
        }
        persist();
        return identity;
    }

    /**
     * {@link #init} as the entry at {@code metadataIndex} of the metadata Raft group (cluster).
     *
     * @return the identity, or null when that entry was applied here before (nothing changes)
     */
    public synchronized Identity initAt(String name, long metadataIndex) {
        if (metadataIndex <= appliedMetadataIndex) {
            return null;
        }
        appliedMetadataIndex = metadataIndex;
        return init(name);
    }

    /**
     * The newest epoch handed out for {@code producerId} under a name, or -1 when the id is not
     * a named producer's. A produce with an older epoch comes from a fenced holder.
     */
    public synchronized short latestEpoch(long producerId) {
        String name = nameById.get(producerId);
        return name == null ? -1 : named.get(name).producerEpoch();
    }

    /** The name {@code producerId} was handed out under, or null for an anonymous (or unknown) id. */
    public String nameOf(long producerId) {
        return nameById.get(producerId);
    }

    private void persist() {
        try {
            AtomicFiles.write(file, JSON.writeValueAsBytes(new State(nextId, named, appliedMetadataIndex)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
