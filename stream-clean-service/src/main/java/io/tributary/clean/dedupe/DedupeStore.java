package io.tributary.clean.dedupe;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.tributary.clean.step.dedupe.KeyHash;
import io.tributary.clean.step.dedupe.KeyMemory;
import io.tributary.clean.step.dedupe.SeenKey;
import io.tributary.clean.step.dedupe.SeenKeys;
import io.tributary.client.ProducerIdentity;

/**
 * Keeps the dedupe state of pipelines per source partition in the database (tables
 * {@code dedupe_partitions}, {@code dedupe_windows}, {@code dedupe_keys}).
 *
 * <p><b>Protocol.</b> A worker that takes a partition over {@link #claim claims} its state with
 * the producer epoch it just obtained: the row is locked, an older epoch is replaced (a newer one
 * refuses the claim), and the keys are loaded. After the sink acknowledged a poll's writes and
 * before the group offsets are committed, the worker {@link #save saves} what the poll changed,
 * for every partition of the poll, in one transaction that also moves each partition's
 * {@code next_offset} — refused if another owner has claimed the partition since. So the stored
 * keys always match {@code next_offset} exactly, and every record before it is written: a new
 * owner resumes the decisions exactly where the state was saved, skipping records between the
 * committed group offset and {@code next_offset} (saved, but the commit did not happen).
 *
 * <p>A claim by a different producer id (the ingest service's state was reset, or the source
 * topic was re-created: the producer's name carries its topic id) starts from nothing, and a save
 * must match the claim's producer id as well as its epoch. Thread-safe.
 */
@Component
public class DedupeStore {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;

    public DedupeStore(JdbcTemplate jdbc, PlatformTransactionManager transactionManager) {
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactionManager);
    }

    /**
     * Claims and loads one partition's state for its new owner, dropping the stored states whose
     * names are no longer in {@code stateNames} (a dedupe step removed or re-keyed).
     *
     * @throws DedupeFencedException when a newer owner has claimed it
     */
    public DedupeClaim claim(String pipeline, String sourceTopic, int sourcePartition, ProducerIdentity owner,
                             Set<String> stateNames) {
        return transactions.execute(status -> {
            List<Map<String, Object>> rows = jdbc.queryForList("SELECT id, producer_id, producer_epoch, next_offset "
                    + "FROM dedupe_partitions WHERE pipeline = ? AND source_topic = ? AND source_partition = ? "
                    + "FOR UPDATE", pipeline, sourceTopic, sourcePartition);
            if (rows.isEmpty()) {
                jdbc.update("INSERT INTO dedupe_partitions (pipeline, source_topic, source_partition, producer_id, "
                        + "producer_epoch, next_offset) VALUES (?, ?, ?, ?, ?, -1)", pipeline, sourceTopic,
                        sourcePartition, owner.producerId(), owner.producerEpoch());
                Long id = jdbc.queryForObject("SELECT id FROM dedupe_partitions WHERE pipeline = ? AND source_topic = ? "
                        + "AND source_partition = ?", Long.class, pipeline, sourceTopic, sourcePartition);
                return new DedupeClaim(id, owner.producerId(), owner.producerEpoch(), -1, new KeyMemory());
            }
            Map<String, Object> row = rows.get(0);
            long id = ((Number) row.get("id")).longValue();
            long nextOffset = ((Number) row.get("next_offset")).longValue();
            if (((Number) row.get("producer_id")).longValue() != owner.producerId()) {
                jdbc.update("DELETE FROM dedupe_keys WHERE partition_id = ?", id);
                jdbc.update("DELETE FROM dedupe_windows WHERE partition_id = ?", id);
                nextOffset = -1;
            } else if (((Number) row.get("producer_epoch")).intValue() > owner.producerEpoch()) {
                throw new DedupeFencedException("dedupe state of " + pipeline + " partition " + sourcePartition
                        + " belongs to a newer owner (epoch " + row.get("producer_epoch") + " > "
                        + owner.producerEpoch() + ")");
            }
            jdbc.update("UPDATE dedupe_partitions SET producer_id = ?, producer_epoch = ?, next_offset = ? WHERE id = ?",
                    owner.producerId(), owner.producerEpoch(), nextOffset, id);
            return new DedupeClaim(id, owner.producerId(), owner.producerEpoch(), nextOffset, load(id, stateNames));
        });
    }

    private KeyMemory load(long partitionId, Set<String> stateNames) {
        Map<String, Long> newest = new HashMap<>();
        jdbc.query("SELECT state_name, newest_timestamp FROM dedupe_windows WHERE partition_id = ?",
                rs -> {
                    newest.put(rs.getString(1), rs.getLong(2));
                }, partitionId);
        Map<String, List<SeenKey>> keys = new HashMap<>();
        jdbc.query("SELECT state_name, key_high, key_low, first_offset, first_timestamp FROM dedupe_keys "
                + "WHERE partition_id = ? ORDER BY first_offset", rs -> {
                    keys.computeIfAbsent(rs.getString(1), n -> new ArrayList<>()).add(new SeenKey(
                            new KeyHash(rs.getLong(2), rs.getLong(3)), rs.getLong(4), rs.getLong(5)));
                }, partitionId);
        Map<String, SeenKeys> states = new HashMap<>();
        Set<String> stored = new java.util.HashSet<>(newest.keySet());
        stored.addAll(keys.keySet());
        for (String name : stored) {
            if (stateNames.contains(name)) {
                states.put(name, new SeenKeys(keys.getOrDefault(name, List.of()), newest.getOrDefault(name,
                        Long.MIN_VALUE)));
            } else {
                jdbc.update("DELETE FROM dedupe_keys WHERE partition_id = ? AND state_name = ?", partitionId, name);
                jdbc.update("DELETE FROM dedupe_windows WHERE partition_id = ? AND state_name = ?", partitionId, name);
            }
        }
        return new KeyMemory(states);
    }

    /**
     * Saves the changes of one poll, all partitions in one transaction.
     *
     * @throws DedupeFencedException when a partition was claimed by a newer owner meanwhile
     *                               (nothing is saved then)
     */
    public void save(List<DedupeSave> saves) {
        transactions.executeWithoutResult(status -> {
            for (DedupeSave save : saves) {
                long id = save.claim().partitionId();
                int updated = jdbc.update("UPDATE dedupe_partitions SET next_offset = ? WHERE id = ? "
                        + "AND producer_id = ? AND producer_epoch = ?", save.nextOffset(), id, save.claim().producerId(),
                        save.claim().epoch());
                if (updated != 1) {
                    throw new DedupeFencedException("dedupe state of partition row " + id
                            + " was claimed by a newer owner");
                }
                save.changes().forEach((name, state) -> write(id, name, state));
            }
        });
    }

    private void write(long partitionId, String stateName, DedupeSave.StateChanges state) {
        SeenKeys.Changes changes = state.changes();
        if (!changes.deletes().isEmpty()) {
            jdbc.batchUpdate("DELETE FROM dedupe_keys WHERE partition_id = ? AND state_name = ? AND key_high = ? "
                    + "AND key_low = ?", changes.deletes(), 500, (ps, key) -> {
                        ps.setLong(1, partitionId);
                        ps.setString(2, stateName);
                        ps.setLong(3, key.high());
                        ps.setLong(4, key.low());
                    });
        }
        if (!changes.inserts().isEmpty()) {
            jdbc.batchUpdate("INSERT INTO dedupe_keys (partition_id, state_name, key_high, key_low, first_offset, "
                    + "first_timestamp) VALUES (?, ?, ?, ?, ?, ?)", changes.inserts(), 500, (ps, seen) -> {
                        ps.setLong(1, partitionId);
                        ps.setString(2, stateName);
                        ps.setLong(3, seen.key().high());
                        ps.setLong(4, seen.key().low());
                        ps.setLong(5, seen.firstOffset());
                        ps.setLong(6, seen.firstTimestamp());
                    });
        }
        if (changes.newestChanged()) {
            int updated = jdbc.update("UPDATE dedupe_windows SET newest_timestamp = ? WHERE partition_id = ? "
                    + "AND state_name = ?", state.newestTimestamp(), partitionId, stateName);
            if (updated == 0) {
                jdbc.update("INSERT INTO dedupe_windows (partition_id, state_name, newest_timestamp) VALUES (?, ?, ?)",
                        partitionId, stateName, state.newestTimestamp());
            }
        }
    }
}
